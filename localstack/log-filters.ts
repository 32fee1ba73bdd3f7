/**
 * Lines the local log stream leaves out. Each filter keeps state for one source (a multi-line block
 * is recognised by its first line), so every source gets its own: `const keep = sdkNotices()`.
 */
export type LineFilter = (line: string) => boolean;

/**
 * The AWS SDKs' own switches for their start-up notices, set for the local stage only (the emulator
 * passes its environment on to the functions it runs, and `npm start` to everything it starts):
 * - v3's 8-line NodeVersionSupportWarning (@aws-sdk/core emitWarningIfUnsupportedVersion): functions
 *   run on the host's Node 20 under ministack, while AWS runs them on nodejs22.x, where it never shows;
 * - v2's "maintenance mode" note (aws-sdk lib/maintenance_mode_message.js), printed by ministack's Node
 *   bootstrap, which loads the project's aws-sdk v2 through NODE_PATH.
 */
export const sdkNoticeSwitches = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
} as const;

/** First and last line of each SDK notice, for whatever was started without the switches (an emulator already running). */
const notices = [
  { first: "NodeVersionSupportWarning", last: "More information can be found at" },
  { first: "AWS SDK for JavaScript (v2) is in maintenance mode", last: "For more information, check the blog post" },
];

/** Leaves out the SDK notices above, and Node's hint that follows any process warning. */
export function sdkNotices(): LineFilter {
  let endsWith: string | undefined;
  return (line) => {
    if (endsWith !== undefined) {
      if (line.includes(endsWith)) endsWith = undefined;
      return false;
    }
    const notice = notices.find((candidate) => line.includes(candidate.first));
    if (notice) {
      endsWith = notice.last;
      return false;
    }
    return !line.includes("node --trace-warnings");
  };
}

/** A header line of ministack's own log: `2026-11-22 20:37:24 INFO [lambda] …`. */
const emulatorHeader = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.\d]* [A-Z]+ \[/;

/**
 * ministack echoes a function's output into its own log after some invocations (SQS event source,
 * Invoke: "Lambda X output:") but not after others (API Gateway). Every invocation's output is in
 * CloudWatch Logs, which the stream follows for every function, so the echo is left out: one copy, one name.
 */
export function emulatorEcho(): LineFilter {
  let echoing = false;
  return (line) => {
    if (emulatorHeader.test(line)) {
      echoing = /Lambda \S+ (?:async )?output(?: \(attempt \d+\))?:\s*$/.test(line);
      return !echoing;
    }
    return !echoing;
  };
}

/** All filters in turn, each seeing only what the previous ones kept. */
export function chain(...filters: LineFilter[]): LineFilter {
  return (line) => filters.every((keep) => keep(line));
}
