import * as z from "zod";

/** Lower-case names are safe for SQS queue names, CloudFormation ids and URL paths alike. */
export const resourceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, "use lower-case letters, digits and dashes, starting with a letter");

const timeZone = z.string().refine(isKnownTimeZone, { message: "not an IANA time zone (e.g. Europe/Paris)" });

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const queueSchema = z
  .object({
    /** 1 is Celery's prefetch multiplier of 1: a worker takes one task at a time. */
    batchSize: z.number().int().min(1).max(10).default(1),
    /** Celery's --concurrency: how many worker Lambdas may run for this queue at once. */
    maxConcurrency: z.number().int().min(1).max(1000).default(2),
    /** Deliveries before a message is moved to the dead-letter queue. */
    maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    /** The hard time limit of the worker Lambda. */
    workerTimeoutSeconds: z.number().int().min(1).max(900).default(60),
    workerMemoryMb: z.number().int().min(128).max(10240).default(512),
    visibilityTimeoutSeconds: z.number().int().min(1).max(43200).default(360),
    retentionDays: z.number().int().min(1).max(14).default(4),
  })
  .refine((q) => q.visibilityTimeoutSeconds >= 6 * q.workerTimeoutSeconds, {
    // AWS's own guidance for SQS event sources: retries of a slow batch must not reappear while it still runs.
    message: "must be at least 6 x workerTimeoutSeconds",
    path: ["visibilityTimeoutSeconds"],
  });

export const configSchema = z.object({
  app: resourceName.default("groundcrew"),
  stage: z.enum(["local", "prod"]),
  logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  /** Where alarm notifications go (an SNS email subscription); unset: subscribe to the topic yourself. */
  alarmEmail: z.string().email().optional(),
  database: z
    .object({
      name: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/)
        .default("groundcrew"),
      minCapacityAcu: z.number().min(0).max(256).default(0),
      maxCapacityAcu: z.number().min(1).max(256).default(4),
    })
    .default({ name: "groundcrew", minCapacityAcu: 0, maxCapacityAcu: 4 }),
  queues: z
    .record(resourceName, queueSchema)
    .refine((queues) => "default" in queues, { message: "a queue named 'default' is required" }),
  api: z
    .object({
      throttleRateLimit: z.number().positive().default(100),
      throttleBurstLimit: z.number().int().positive().default(200),
      /** SQS takes 256 KiB per message; the envelope around a payload needs some of it. */
      maxTaskPayloadBytes: z.number().int().positive().max(240_000).default(200_000),
    })
    .default({ throttleRateLimit: 100, throttleBurstLimit: 200, maxTaskPayloadBytes: 200_000 }),
  scheduler: z
    .object({
      /** The one and only EventBridge schedule of the app. */
      expression: z
        .string()
        .regex(/^rate\(1 minutes?\)$|^rate\(\d+ minutes\)$/, "use rate(N minutes)")
        .default("rate(1 minute)"),
      /**
       * A missed window runs once; this bounds how far back a late tick looks. At least 5, so a slot
       * whose claimer died is still due when its 3-minute claim lease runs out.
       */
      maxCatchUpMinutes: z.number().int().min(5, "at least 5, longer than the slot-claim lease").max(1440).default(60),
    })
    .default({ expression: "rate(1 minute)", maxCatchUpMinutes: 60 }),
  maintenance: z
    .object({
      /** Local time of day, HH:MM, for the daily run. */
      dailyAt: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM")
        .default("03:30"),
      timezone: timeZone.default("UTC"),
      steps: z.record(z.string(), z.object({ enabled: z.boolean() })).default({}),
    })
    .default({ dailyAt: "03:30", timezone: "UTC", steps: {} }),
  retention: z
    .object({
      finishedTaskDays: z.number().int().min(1).default(30),
      eventDays: z.number().int().min(1).default(90),
      incompleteUploadHours: z.number().int().min(1).default(24),
    })
    .default({ finishedTaskDays: 30, eventDays: 90, incompleteUploadHours: 24 }),
  auth: z
    .object({
      /**
       * Verify tokens against this JWKS (e.g. your identity provider). Unset: prod creates a
       * Cognito user pool and uses its keys; local signs and verifies with a secret in Secrets Manager.
       */
      jwksUrl: z.string().url().optional(),
      issuer: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
      /** The claim holding the caller's roles; Cognito puts groups in "cognito:groups". */
      rolesClaim: z.string().min(1).optional(),
      /**
       * The longest a token may live (exp - iat), in seconds: a leaked token is useful for at most
       * this long. Cognito's ID and access tokens live at most a day.
       */
      maxTokenLifetimeSeconds: z
        .number()
        .int()
        .min(60)
        .max(7 * 86_400)
        .default(86_400),
    })
    .refine((auth) => !auth.jwksUrl || (auth.issuer && auth.audience), {
      message: "issuer and audience are required with jwksUrl",
      path: ["jwksUrl"],
    })
    .default({ maxTokenLifetimeSeconds: 86_400 }),
  media: z
    .object({
      maxUploadBytes: z
        .number()
        .int()
        .positive()
        .default(10 * 1024 * 1024),
      allowedContentTypes: z
        .array(z.string().regex(/^[\w.+-]+\/[\w.+*-]+$/))
        .min(1)
        .default(["image/png", "image/jpeg", "application/pdf", "text/csv", "text/plain"]),
      urlTtlSeconds: z.number().int().min(10).max(86_400).default(300),
    })
    .default({
      maxUploadBytes: 10 * 1024 * 1024,
      allowedContentTypes: ["image/png", "image/jpeg", "application/pdf", "text/csv", "text/plain"],
      urlTtlSeconds: 300,
    }),
});

/** What you write: defaults may be left out. */
export type ConfigInput = z.input<typeof configSchema>;
/** What the app reads: every default filled in. */
export type Config = z.output<typeof configSchema>;
export type QueueConfig = z.output<typeof queueSchema>;
export type Stage = Config["stage"];
