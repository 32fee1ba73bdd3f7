import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, paginateListFunctions, type FunctionConfiguration } from "@aws-sdk/client-lambda";
import { awsLocalEnv } from "./env.js";
import { constructLabel, labelFunctions } from "./log-names.js";

/**
 * Every deployed function's log lines, from the emulator's CloudWatch Logs.
 *
 * Where they land (ministack 1.5.33, services/lambda_svc.py `_emit_lambda_logs`): every invocation,
 * whatever triggered it, writes START, the function's stdout/stderr and END/REPORT to the group in the
 * function's LoggingConfig.LogGroup, else `/aws/lambda/<name>`. GroundcrewFunction gives each function
 * its own LogGroup, which ministack names `/aws/cloudformation/groundcrew-local/<LogicalId>`, so the groups
 * are found through Lambda's ListFunctions, not by a `/aws/lambda/` prefix (that one still finds CDK's
 * own functions). ministack echoes a function's output into its own log only for SQS event sources and
 * Invoke, never for API Gateway: that is why the API's lines were missing from `npm start` before.
 *
 * ministack's FilterLogEvents has no eventId and no paging, and all lines of one invocation share a
 * timestamp in a stream of their own; an event is identified by stream, timestamp and place in that stream.
 */
export interface FunctionLine {
  source: string;
  text: string;
  timestamp: number;
}

/** Events can be written a little out of order by concurrent invocations: each poll looks back this far. */
const lookbackMs = 3000;

interface GroupState {
  label: string;
  /** Keys of the events already passed on with a timestamp inside the look-back window. */
  seen: Map<string, number>;
  newest: number;
}

export class FunctionLogSource {
  private readonly logs: CloudWatchLogsClient;
  private readonly lambda: LambdaClient;
  private readonly groups = new Map<string, GroupState>();

  constructor(private readonly since: number) {
    const env = awsLocalEnv();
    // maxAttempts 1: while the emulator restarts, a poll fails fast and the next one tries again.
    const config = {
      endpoint: env.AWS_ENDPOINT_URL,
      region: env.AWS_REGION,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? "test",
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "test",
      },
      maxAttempts: 1,
    };
    this.logs = new CloudWatchLogsClient(config);
    this.lambda = new LambdaClient(config);
  }

  /** The functions deployed now and their groups; a group seen before keeps its place and label. */
  async discover(): Promise<void> {
    const functions: FunctionConfiguration[] = [];
    for await (const page of paginateListFunctions({ client: this.lambda }, {}))
      functions.push(...(page.Functions ?? []));
    const labels = labelFunctions(functions);
    for (const fn of functions) {
      const name = fn.FunctionName ?? "";
      this.track(fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`, labels.get(name) ?? name);
    }
    const lambdaGroups = await this.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }));
    for (const group of lambdaGroups.logGroups ?? []) {
      const name = group.logGroupName ?? "";
      if (name) this.track(name, `cdk-${constructLabel(name.slice("/aws/lambda/".length))}`);
    }
  }

  /** New lines of every known group since the last poll, oldest first. */
  async poll(): Promise<FunctionLine[]> {
    const results = await Promise.all(
      [...this.groups.entries()].map(([group, state]) => this.pollGroup(group, state).catch(() => [])),
    );
    return results.flat().sort((a, b) => a.timestamp - b.timestamp);
  }

  close(): void {
    this.logs.destroy();
    this.lambda.destroy();
  }

  private track(group: string, label: string): void {
    const known = this.groups.get(group);
    if (known) known.label = label;
    else this.groups.set(group, { label, seen: new Map(), newest: this.since });
  }

  private async pollGroup(group: string, state: GroupState): Promise<FunctionLine[]> {
    const startTime = Math.max(this.since, state.newest - lookbackMs);
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const lines: FunctionLine[] = [];
    const place = new Map<string, number>();
    for (const event of events) {
      const timestamp = event.timestamp ?? 0;
      const at = `${event.logStreamName ?? ""}\u0000${timestamp}`;
      const index = (place.get(at) ?? 0) + 1;
      place.set(at, index);
      const key = event.eventId ?? `${at}\u0000${index}`;
      if (timestamp < this.since || state.seen.has(key)) continue;
      state.seen.set(key, timestamp);
      state.newest = Math.max(state.newest, timestamp);
      for (const text of (event.message ?? "").split("\n")) lines.push({ source: state.label, text, timestamp });
    }
    for (const [key, timestamp] of state.seen) if (timestamp < state.newest - lookbackMs) state.seen.delete(key);
    return lines;
  }
}
