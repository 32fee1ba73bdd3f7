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

/**
 * Where a container queue's tasks run (runtime "container"): an ECS Fargate service of long-lived
 * runners (functions/runner) instead of a worker Lambda, for tasks longer than Lambda's 15 minutes.
 */
export const containerSchema = z.object({
  /** Fargate CPU units per runner (1024 = 1 vCPU); Fargate pairs each with a range of memory. */
  cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(1024),
  memoryMb: z.number().int().min(512).max(30720).default(2048),
  /** Tasks one runner runs at once (Celery's --concurrency per worker node); each runs in its own child process. */
  concurrency: z.number().int().min(1).max(64).default(1),
  /**
   * How long a stopping runner (scale-in, deploy) lets its running tasks finish before it releases
   * them for another runner. Fargate allows at most 120 s between SIGTERM and SIGKILL.
   */
  stopTimeoutSeconds: z.number().int().min(2).max(120).default(120),
});
export type ContainerConfig = z.output<typeof containerSchema>;

export const queueSchema = z
  .object({
    /**
     * "lambda": a worker Lambda per batch (at most 15 minutes a task). "container": long-lived
     * runners on ECS Fargate, for longer tasks; the queue's visibility timeout is then the lease a
     * runner's heartbeat keeps extending while a task runs.
     */
    runtime: z.enum(["lambda", "container"]).default("lambda"),
    container: containerSchema.default({ cpu: 1024, memoryMb: 2048, concurrency: 1, stopTimeoutSeconds: 120 }),
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
  .refine((q) => q.runtime !== "lambda" || q.visibilityTimeoutSeconds >= 6 * q.workerTimeoutSeconds, {
    // AWS's own guidance for SQS event sources: retries of a slow batch must not reappear while it still runs.
    message: "must be at least 6 x workerTimeoutSeconds",
    path: ["visibilityTimeoutSeconds"],
  })
  .refine((q) => q.runtime !== "container" || q.visibilityTimeoutSeconds >= 6, {
    // A runner's heartbeat renews the lease every third of it: below 6 s it would renew more than every 2 s.
    message: "a container queue's visibility timeout (its runners' lease) must be at least 6 seconds",
    path: ["visibilityTimeoutSeconds"],
  });

/**
 * Which projects send their notifications through the `notifications` queue instead of inside the request:
 * "" none (every project inline), "all", or a list of project ids.
 */
export const notificationsAsyncSchema = z.union([z.literal(""), z.literal("all"), z.array(z.uuid()).max(1000)]);

/** A DNS name: lower-case labels of letters, digits and dashes, separated by dots, without a trailing dot. */
const dnsName = z
  .string()
  .max(253)
  .regex(
    /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/,
    "use a lower-case DNS name such as app.example.com",
  );

/**
 * The front door's own domain (Caddy's site address): an ACM certificate validated by DNS in this
 * Route 53 zone, and alias records to the distribution. Both zone values come from configuration,
 * so synth needs no lookup and no credentials. The certificate must live in us-east-1 for
 * CloudFront, so a stack with a domain is deployed to us-east-1 (infra/constructs/front-door.ts).
 */
export const domainSchema = z
  .object({
    /** The name browsers use, e.g. app.example.com. */
    name: dnsName,
    /** The Route 53 hosted zone that holds the name, e.g. Z0123456789ABCDEFGHIJ. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ"),
    /** That zone's name, e.g. example.com. */
    hostedZoneName: dnsName,
  })
  .refine((d) => d.name === d.hostedZoneName || d.name.endsWith(`.${d.hostedZoneName}`), {
    message: "must be the zone's name or a name inside the zone",
    path: ["name"],
  });
export type DomainConfig = z.output<typeof domainSchema>;

export const configSchema = z.object({
  app: resourceName.default("groundcrew"),
  stage: z.enum(["local", "prod"]),
  logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  /** Where alarm notifications go (an SNS email subscription); unset: subscribe to the topic yourself. */
  alarmEmail: z.string().email().optional(),
  /** The front door's custom domain; unset: the distribution's own *.cloudfront.net name. */
  domain: domainSchema.optional(),
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
  notifications: z
    .object({
      /** Where notifications are sent in the request or on the queue; an admin may override it at runtime. */
      async: notificationsAsyncSchema.default(""),
      /** The sender: an SES identity the stack creates (verify it, or its domain, before prod sends). */
      fromAddress: z.email().default("notifications@example.com"),
      /** A notification task still unsent after this long is reported by maintenance's stuck-work check. */
      stuckAfterMinutes: z.number().int().min(1).max(10_080).default(30),
      /** Local stage only: the mailer refuses recipients at this domain, so tests can make a send fail. */
      refusedRecipientDomain: z.string().min(1).optional(),
    })
    .default({ async: "", fromAddress: "notifications@example.com", stuckAfterMinutes: 30 }),
});

/** What you write: defaults may be left out. */
export type ConfigInput = z.input<typeof configSchema>;
/** What the app reads: every default filled in. */
export type Config = z.output<typeof configSchema>;
export type QueueConfig = z.output<typeof queueSchema>;
export type Stage = Config["stage"];
