import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { chain, emulatorEcho, sdkNotices, sdkNoticeSwitches } from "../../localstack/log-filters.js";
import { colorWanted, LogFormatter, rawJsonWanted, readable } from "../../localstack/log-format.js";
import { constructLabel, labelFunctions } from "../../localstack/log-names.js";

const accessLine = JSON.stringify({
  level: "INFO",
  message: "request",
  timestamp: "2026-11-22T21:23:41.499Z",
  service: "groundcrew-apifunction",
  sampling_rate: 0,
  method: "GET",
  path: "/health",
  status: 200,
  durationMs: 27,
});

const errorLine = JSON.stringify({
  level: "ERROR",
  message: "Unhandled error",
  timestamp: "2026-11-22T21:24:00.001Z",
  service: "groundcrew-apifunction",
  error: {
    name: "TypeError",
    location: "functions/api/routes/tasks.ts:12",
    message: "boom",
    stack:
      "TypeError: boom\n    at handle (functions/api/routes/tasks.ts:12:7)\n    at run (functions/core/http/route.ts:40:3)",
  },
});

/** The AWS SDK v3 warning as ministack's CloudWatch Logs hold it, one event per line (measured). */
const sdkWarning = [
  "(node:7483) Warning: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)",
  "versions published after the first week of January 2027",
  "will require node >=22. You are running node v20.20.2.",
  "",
  "To continue receiving updates to AWS services, bug fixes,",
  "and security updates please upgrade to node >=22.",
  "",
  "More information can be found at: https://a.co/c895JFp",
  "(Use `node --trace-warnings ...` to show where the warning was created)",
];

const escape = String.fromCharCode(27);
const ansi = new RegExp(`${escape}\\[`);

describe("readable lines", () => {
  it("renders Powertools JSON as time, level, message and the request's fields, without the standard noise", () => {
    expect(readable(accessLine)).toBe("21:23:41.499 INFO  request method=GET path=/health status=200 durationMs=27");
  });

  it("shows a logged error's name, message and stack frames below the line", () => {
    expect(readable(errorLine)?.split("\n")).toEqual([
      "21:24:00.001 ERROR Unhandled error",
      "  error: TypeError: boom",
      "    at handle (functions/api/routes/tasks.ts:12:7)",
      "    at run (functions/core/http/route.ts:40:3)",
    ]);
  });

  it("shortens metrics and the runtime's report, leaves START/END out and other text as it is", () => {
    const metric = JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          { Namespace: "Groundcrew", Dimensions: [["service", "queue"]], Metrics: [{ Name: "TasksSucceeded" }] },
        ],
      },
      service: "worker",
      queue: "default",
      TasksSucceeded: 1,
    });
    expect(readable(metric)).toBe("metric TasksSucceeded=1 service=worker queue=default");
    expect(
      readable(
        "REPORT RequestId: 1f\tDuration: 323 ms\tBilled Duration: 323 ms\tMemory Size: 256 MB\tMax Memory Used: 92 MB",
      ),
    ).toBe("done in 323 ms, 92 MB");
    expect(readable("START RequestId: 1f Version: $LATEST")).toBeUndefined();
    expect(readable("END RequestId: 1f")).toBeUndefined();
    expect(readable("listening on 127.0.0.1:4567")).toBe("listening on 127.0.0.1:4567");
    expect(readable('{"not":"powertools"}')).toBe('{"not":"powertools"}');
  });
});

describe("LogFormatter", () => {
  it("prefixes every line, stack lines included, with the source's name", () => {
    const formatter = new LogFormatter({ color: false, json: false });
    const lines = formatter.format("api", errorLine)?.split("\n") ?? [];
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^api {12}\| /);
    expect(formatter.format("api", "START RequestId: 1 Version: 1")).toBeUndefined();
  });

  it("keeps the raw JSON in json mode", () => {
    const formatter = new LogFormatter({ color: false, json: true });
    expect(formatter.format("api", accessLine)).toBe(`api            | ${accessLine}`);
  });

  it("gives each source a colour of its own, the same every time, only when asked to", () => {
    const colored = new LogFormatter({ color: true, json: false });
    const api = colored.format("api", accessLine) ?? "";
    const worker = colored.format("worker-default", accessLine) ?? "";
    const prefixColor = (line: string) => new RegExp(`^${escape}\\[([\\d;]+)m`).exec(line)?.[1];
    expect(prefixColor(api)).toBeDefined();
    expect(prefixColor(worker)).not.toBe(prefixColor(api));
    expect(prefixColor(colored.format("api", "again") ?? "")).toBe(prefixColor(api));
    expect(colored.format("api", errorLine)).toContain("\u001b[31;1mERROR");
    expect(new LogFormatter({ color: false, json: false }).format("api", errorLine)).not.toMatch(ansi);
  });
});

describe("when to colour and when to keep JSON", () => {
  it("colours a terminal only, never with NO_COLOR, and always with FORCE_COLOR", () => {
    expect(colorWanted({ isTTY: true }, {})).toBe(true);
    expect(colorWanted({ isTTY: false }, {})).toBe(false);
    expect(colorWanted({}, {})).toBe(false);
    expect(colorWanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorWanted({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
  });

  it("keeps raw JSON for --json or GROUNDCREW_LOG_JSON=1", () => {
    expect(rawJsonWanted(["node", "start.ts", "--json"], {})).toBe(true);
    expect(rawJsonWanted(["node", "start.ts"], { GROUNDCREW_LOG_JSON: "1" })).toBe(true);
    expect(rawJsonWanted(["node", "start.ts"], {})).toBe(false);
  });
});

describe("the SDK's start-up notices", () => {
  it("are left out of a source's lines, and what follows them is kept", () => {
    const keep = sdkNotices();
    const v2 = [
      "(node:7483) NOTE: The AWS SDK for JavaScript (v2) is in maintenance mode.",
      " SDK releases are limited to address critical bug fixes and security issues only.",
      "",
      "Please migrate your code to use AWS SDK for JavaScript (v3).",
      "For more information, check the blog post at https://a.co/cUPnyil",
    ];
    const lines = ["START RequestId: 1", ...v2, ...sdkWarning, accessLine, "END RequestId: 1"];
    expect(lines.filter(keep)).toEqual(["START RequestId: 1", accessLine, "END RequestId: 1"]);
  });

  it("are switched off for the functions by the SDK's own variable (the one @aws-sdk/core reads)", () => {
    // A child on this Node (20, below the SDK's 22) calls the SDK's check once without and once with the switch.
    const core = createRequire(import.meta.url).resolve("@aws-sdk/core/client");
    const script = `require(${JSON.stringify(core)}).emitWarningIfUnsupportedVersion(process.version)`;
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ["-e", script], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" })
        .stderr;
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 22) expect(run({})).toContain("NodeVersionSupportWarning");
    expect(run({ ...sdkNoticeSwitches })).not.toContain("NodeVersionSupportWarning");
  });
});

describe("the emulator's echo of function output", () => {
  it("is left out (CloudWatch Logs has it under the function's name), its own lines kept", () => {
    const keep = chain(sdkNotices(), emulatorEcho());
    const lines = [
      "2026-11-22 20:37:24 INFO [lambda] ESM: Lambda groundcrew-local-QueuesdefaultWorker46A9 processed 1 SQS messages from q",
      "2026-11-22 20:37:24 INFO [lambda] ESM: Lambda groundcrew-local-QueuesdefaultWorker46A9 output:",
      accessLine,
      "some more output",
      "2026-11-22 20:37:25 INFO [events] EventBridge → Lambda groundcrew-local-SchedulerDispatcher9330: dispatched",
    ];
    expect(lines.filter(keep)).toEqual([lines[0], lines[4]]);
  });
});

describe("source names", () => {
  it("names functions by kind and queue, CDK's own by construct, each name once", () => {
    const env = (variables: Record<string, string>) => ({ Variables: variables });
    const labels = labelFunctions([
      { FunctionName: "groundcrew-local-ApiFunctionCE271BD4-BB2D", Environment: env({ GROUNDCREW_FUNCTION: "api" }) },
      {
        FunctionName: "groundcrew-local-QueuesdefaultWorker46A924FC-EDA4",
        Environment: env({ GROUNDCREW_FUNCTION: "worker", GROUNDCREW_WORKER_QUEUE: "default" }),
      },
      { FunctionName: "groundcrew-local-MaintenanceA-1", Environment: env({ GROUNDCREW_FUNCTION: "maintenance" }) },
      { FunctionName: "groundcrew-local-MaintenanceB-2", Environment: env({ GROUNDCREW_FUNCTION: "maintenance" }) },
      { FunctionName: "groundcrew-local-BucketNotificationsHandler050a0587FB6C771E3624A" },
    ]);
    expect([...labels.values()]).toEqual([
      "api",
      "cdk-bucket-notifications",
      "maintenance",
      "maintenance-2",
      "worker-default",
    ]);
    expect(constructLabel("groundcrew-local-AWSCDKTriggerCustomResourceProvide215DB3F0F9EDC")).toBe("awscdk-trigger");
  });
});
