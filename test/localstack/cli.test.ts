import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLocalCommand, type CommandRun } from "../support/local-command.js";

// Offline: an empty state folder and ports nothing answers on, so a command that got past its
// argument check could not touch a running stack (local:down least of all).
const stateDir = mkdtempSync(join(tmpdir(), "groundcrew-cli-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** A local command, offline (see above). */
function command(file: string, args: string[]): Promise<CommandRun> {
  return runLocalCommand(file, args, {
    env: { GROUNDCREW_LOCAL_DIR: stateDir, AWS_ENDPOINT_URL: "http://127.0.0.1:9", GROUNDCREW_DATA_API_PORT: "9" },
  });
}

const mistakes: { script: string; file: string; args: string[]; message: string | RegExp }[] = [
  {
    script: "token",
    file: "token.ts",
    args: ["--sub", "alice", "--ttl", "abc"],
    message: '--ttl must be a whole number of seconds, got "abc"',
  },
  {
    script: "token",
    file: "token.ts",
    args: ["--sub", "alice", "--ttl", "0"],
    message: "--ttl must be at least 1 second",
  },
  { script: "token", file: "token.ts", args: ["--bogus"], message: "unknown option --bogus" },
  { script: "token", file: "token.ts", args: ["--sub"], message: "option '--sub <value>' argument missing" },
  { script: "token", file: "token.ts", args: ["--admin"], message: "--sub is required" },
  { script: "token", file: "token.ts", args: ["--sub", "alice", "extra"], message: "unexpected argument extra" },
  {
    script: "dlq:redrive",
    file: "dlq-redrive.ts",
    args: ["QueueDefaultUrl"],
    message: '"QueueDefaultUrl" is not a queue (one of: default, reports, notifications, long)',
  },
  {
    script: "dlq:redrive",
    file: "dlq-redrive.ts",
    args: [],
    message: "a queue is required (one of: default, reports, notifications, long)",
  },
  { script: "dlq:redrive", file: "dlq-redrive.ts", args: ["default", "--force"], message: "unknown option --force" },
  {
    script: "maintenance",
    file: "maintenance.ts",
    args: ["--fail-at", "vacum"],
    message:
      '"vacum" is not a step (one of: purge-finished-tasks, purge-old-events, stuck-work-check, clean-incomplete-uploads, vacuum)',
  },
  {
    script: "maintenance",
    file: "maintenance.ts",
    args: ["--fail-at"],
    message: "option '--fail-at <value>' argument missing",
  },
  { script: "migrate", file: "migrate.ts", args: ["--bogus"], message: "unknown option --bogus" },
  { script: "local:down", file: "down.ts", args: ["--all"], message: "unknown option --all" },
  { script: "db", file: "db.ts", args: ["-c"], message: "option '-c, --command <value>' argument missing" },
  { script: "db", file: "db.ts", args: ["--sql", "select 1"], message: "unknown option --sql" },
];

describe("local commands answer bad arguments with their usage and exit code 2", () => {
  for (const { script, file, args, message } of mistakes)
    it(`npm run ${script} -- ${args.join(" ")}`, async () => {
      const run = await command(file, args);
      const [first, ...usage] = run.stderr.trimEnd().split("\n");
      expect(first).toBe(message);
      expect(usage[0]).toMatch(new RegExp(`^usage: npm run ${script}( |$)`));
      expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
      expect(run.stdout).toBe("");
      expect(run.code).toBe(2);
    });

  it("prints the usage on stdout and exits 0 when asked for it", async () => {
    const run = await command("dlq-redrive.ts", ["--help"]);
    expect(run.stdout).toMatch(/^usage: npm run dlq:redrive -- <queue>\n/);
    expect(run.stdout).toContain("queues: default, reports, notifications, long");
    expect(run.code).toBe(0);
  });

  it("tells a missing stack apart from a mistake: one line, exit code 1", async () => {
    const run = await command("token.ts", ["--sub", "alice"]);
    expect(run.stderr).toBe(
      `${join(stateDir, "outputs.json")} is missing: start the local stack first (npm run local:up, or npm start)\n`,
    );
    expect(run.code).toBe(1);
  });
});
