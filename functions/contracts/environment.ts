import * as z from "zod";
import { configSchema } from "./config/schema.js";

/**
 * The environment variables between infra and functions, named once.
 *
 * A binding is a group of variables that one CDK helper writes (`Database.bind`) and one piece of
 * function code reads (`database()`). Infra writes a binding with `setVariables` (infra/environment.ts),
 * typed by the same schema the function parses with `readVariables`, so a renamed or missing
 * variable is a compile error on one side or a start-up error naming the variable on the other,
 * never an `undefined` deep inside a request.
 */
export interface Binding<S extends z.ZodRawShape = z.ZodRawShape> {
  /** The CDK helper that writes these variables, named in the error a function raises without them. */
  readonly boundBy: string;
  readonly schema: z.ZodObject<S>;
}

function binding<S extends z.ZodRawShape>(boundBy: string, shape: S): Binding<S> {
  return { boundBy, schema: z.object(shape) };
}

const text = z.string().min(1);

/** A variable that carries JSON: written as a string by infra, parsed and checked by the function. */
function jsonOf<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .min(1)
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "is not JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const queueAddressesSchema = z.object({ url: text, deadLetterUrl: text });
export type QueueAddresses = z.output<typeof queueAddressesSchema>;

/** The validated configuration, the same object CDK synthesized with (GroundcrewFunction). */
export const configVariables = binding("GroundcrewFunction", {
  GROUNDCREW_CONFIG: jsonOf(configSchema),
});

/** The deployed version (package.json's), which GET /health reports. */
export const versionVariables = binding("GroundcrewFunction", {
  GROUNDCREW_VERSION: text,
});

/** Set on every function by GroundcrewFunction, beside the configuration. */
export const runtimeVariables = binding("GroundcrewFunction", {
  ...versionVariables.schema.shape,
  GROUNDCREW_STAGE: z.enum(["local", "prod"]),
  /** Which of the app's functions this is (see `functionKinds`); logs and the contract test read it. */
  GROUNDCREW_FUNCTION: z.enum([
    "api",
    "worker",
    "dispatcher",
    "maintenance",
    "setup",
    "media-processor",
    "media-keygen",
    "static-upload",
    "runner",
  ]),
  POWERTOOLS_SERVICE_NAME: text,
  POWERTOOLS_LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]),
});
export type FunctionKind = z.output<typeof runtimeVariables.schema>["GROUNDCREW_FUNCTION"];

/** The Aurora cluster reached through the Data API (Database.bind). */
export const databaseVariables = binding("Database.bind", {
  DB_CLUSTER_ARN: text,
  DB_SECRET_ARN: text,
  DB_NAME: text,
  /** Local stage only: the SDK sends Data API calls to the stand-in (localstack/data-api) instead. */
  AWS_ENDPOINT_URL_RDS_DATA: z.url().optional(),
});

/** Every worker queue's and dead-letter queue's URL, by configured name (WorkerQueues.bindProducer and friends). */
export const queueVariables = binding("WorkerQueues.bindProducer, grantInspect or grantOperate", {
  GROUNDCREW_QUEUES: jsonOf(z.record(z.string(), queueAddressesSchema)),
});

/** Which queue a worker serves (WorkerQueue). */
export const workerVariables = binding("WorkerQueue", {
  GROUNDCREW_WORKER_QUEUE: text,
  /** The queue's cap is 1: its tasks run only while holding the queue's slot in the database. */
  GROUNDCREW_WORKER_ONE_AT_A_TIME: z
    .enum(["true", "false"])
    .optional()
    .transform((value) => value === "true"),
});

/** How tokens are verified (Auth.bind): a JWKS in prod, a signing secret in the local stage. */
export const authVariables = binding("Auth.bind", {
  AUTH_ISSUER: text,
  AUTH_AUDIENCE: text,
  AUTH_ROLES_CLAIM: text,
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_SECRET_ARN: text.optional(),
});

/** The media bucket (MediaStore.bind and grantCleanup). */
export const mediaVariables = binding("MediaStore.bind or grantCleanup", {
  MEDIA_BUCKET: text,
});

/** Prod only: downloads are signed CloudFront URLs (MediaStore.bind). All three or none. */
export const mediaCdnVariables = binding("MediaStore.bind", {
  MEDIA_CDN_DOMAIN: text,
  MEDIA_CDN_KEY_PAIR_ID: text,
  MEDIA_SIGNING_KEY_SECRET_ARN: text,
});

/** Starting maintenance runs (Maintenance.grantStart). */
export const maintenanceStartVariables = binding("Maintenance.grantStart", {
  MAINTENANCE_STATE_MACHINE_ARN: text,
});

/** Publishing app events (Maintenance.grantEvents). */
export const eventVariables = binding("Maintenance.grantEvents", {
  EVENT_BUS_NAME: text,
});

/** The static site's bucket (StaticSite's upload function, local stage). */
export const staticSiteVariables = binding("StaticSite", {
  STATIC_BUCKET: text,
});

/** Sending notification emails through SES v2 (Notifications.bind): the sender and its configuration set. */
export const notificationVariables = binding("Notifications.bind", {
  NOTIFICATIONS_FROM: z.email(),
  NOTIFICATIONS_CONFIGURATION_SET: text,
});

/** Set in every ECS task by the container agent itself, not by CDK: where a runner asks for scale-in protection. */
export const ecsAgentVariables = binding("the ECS container agent (in every ECS task; not set by CDK)", {
  ECS_AGENT_URI: z.url(),
});

export interface FunctionEnvironment {
  /** Bindings the function cannot start without. */
  readonly required: readonly Binding[];
  /** Bindings that switch a feature on when present (e.g. CloudFront signing in prod). */
  readonly optional: readonly Binding[];
}

/** What each function reads: the contract test checks the synthesized stacks against it. */
export const functionEnvironments: Record<FunctionKind, FunctionEnvironment> = {
  api: {
    required: [
      configVariables,
      runtimeVariables,
      databaseVariables,
      queueVariables,
      authVariables,
      mediaVariables,
      maintenanceStartVariables,
      eventVariables,
      notificationVariables,
    ],
    optional: [mediaCdnVariables],
  },
  // A worker of a queue whose tasks write media (reports) or send email (notifications) is bound to those as well.
  worker: {
    required: [configVariables, runtimeVariables, databaseVariables, queueVariables, workerVariables],
    optional: [mediaVariables, mediaCdnVariables, notificationVariables],
  },
  dispatcher: {
    required: [
      configVariables,
      runtimeVariables,
      databaseVariables,
      queueVariables,
      maintenanceStartVariables,
      eventVariables,
    ],
    optional: [],
  },
  maintenance: {
    required: [configVariables, runtimeVariables, databaseVariables, queueVariables, eventVariables],
    optional: [mediaVariables],
  },
  setup: { required: [configVariables, runtimeVariables, databaseVariables], optional: [] },
  "media-processor": { required: [configVariables, runtimeVariables, databaseVariables, mediaVariables], optional: [] },
  "media-keygen": { required: [configVariables, runtimeVariables], optional: [] },
  "static-upload": { required: [configVariables, runtimeVariables, staticSiteVariables], optional: [] },
  // A container queue's runner (ECS task, or a host process locally) reads what a worker reads.
  runner: {
    required: [configVariables, runtimeVariables, databaseVariables, queueVariables, workerVariables],
    optional: [mediaVariables, mediaCdnVariables, ecsAgentVariables],
  },
};

export class EnvironmentError extends Error {
  override name = "EnvironmentError";
}

/**
 * The binding's variables, parsed; throws naming each missing or malformed variable and the CDK
 * helper that should have set it.
 */
export function readVariables<S extends z.ZodRawShape>(
  binding: Binding<S>,
  env: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodObject<S>> {
  const result = binding.schema.safeParse(pick(env, binding));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return env[name] === undefined || env[name] === "" ? `${name} is not set` : `${name} ${issue.message}`;
  });
  throw new EnvironmentError(`${[...new Set(problems)].join("; ")}: set by ${binding.boundBy} in CDK`);
}

/** Whether an optional binding was written at all (any of its variables set). */
export function isBound(binding: Binding, env: NodeJS.ProcessEnv = process.env): boolean {
  return Object.keys(binding.schema.shape).some((name) => env[name] !== undefined && env[name] !== "");
}

/**
 * Checks, at cold start, everything a function of this kind reads: a function deployed without one
 * of its bindings fails at once, naming every missing variable, instead of at its first request.
 */
export function checkFunctionEnvironment(kind: FunctionKind, env: NodeJS.ProcessEnv = process.env): void {
  const { required, optional } = functionEnvironments[kind];
  const problems: string[] = [];
  for (const each of [...required, ...optional.filter((b) => isBound(b, env))]) {
    try {
      readVariables(each, env);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0)
    throw new EnvironmentError(`The ${kind} function's environment is incomplete: ${problems.join(" | ")}`);
}

function pick(env: NodeJS.ProcessEnv, binding: Binding): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const name of Object.keys(binding.schema.shape)) {
    const value = env[name];
    if (value !== undefined && value !== "") values[name] = value;
  }
  return values;
}

/** What infra writes for a binding: the schema's input type, so names and literal values are checked at compile time. */
export type VariablesOf<B extends Binding> = z.input<B["schema"]>;
