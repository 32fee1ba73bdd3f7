import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { queueOf } from "../tasks/deps.js";
import { handleMessage, type RunnerContext } from "./handle-message.js";
import type { ScaleInProtection } from "./protection.js";

export interface RunnerOptions {
  /** Tasks run at once by this runner (the queue's `container.concurrency`). */
  concurrency: number;
  /** ECS scale-in protection while tasks run. @default none */
  protection?: ScaleInProtection;
  /** How long a stop waits for running tasks before it releases them (the queue's `container.stopTimeoutSeconds`). */
  stopTimeoutSeconds: number;
  /**
   * SQS long polling. @default 20 s, or less so a poll ends well inside the stop timeout: a poll cut
   * short by the client goes on in SQS and may still take a message (for a whole visibility timeout),
   * even one this runner just released, so a stopping runner lets its last poll end instead.
   */
  waitSeconds?: number;
}

/**
 * A container queue's runner: long-polls its queue and runs up to `concurrency` tasks at once, each
 * through handleMessage (claim, heartbeat, process, outcome).
 *
 * `stop()` is SIGTERM's answer (ECS scale-in or deploy): no more messages are taken; running tasks
 * get the stop timeout to finish, less a reserve; those still running then are released (recorded
 * "returned", not counted, their messages visible again at once), all before ECS's SIGKILL. A
 * message that arrives while stopping is made visible again untouched.
 */
export class Runner {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly polling = new AbortController();
  private readonly releasing = new AbortController();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly options: RunnerOptions,
  ) {}

  get running(): number {
    return this.inFlight.size;
  }

  /** Polls until `stop()`; resolves once every task it took has ended or been released. */
  async run(): Promise<void> {
    const { logger } = this.ctx;
    logger.info("Runner started", { queue: this.ctx.queue, ...this.options });
    while (!this.polling.signal.aborted) {
      if (this.inFlight.size >= this.options.concurrency) {
        await Promise.race([...this.inFlight, this.stopped()]);
        continue;
      }
      let messages: Message[];
      try {
        messages = await this.receive(this.options.concurrency - this.inFlight.size);
      } catch (error) {
        if (this.polling.signal.aborted) break;
        logger.warn("Could not receive messages; trying again", { error: error as Error });
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 2_000)), this.stopped()]);
        continue;
      }
      if (this.polling.signal.aborted) {
        await this.giveBack(messages);
        break;
      }
      for (const message of messages) this.start(message);
    }
    await this.stopping;
    logger.info("Runner stopped", { queue: this.ctx.queue });
  }

  /** SIGTERM: see the class comment. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  /** Kept of the stop timeout to record the releases and make their messages visible before SIGKILL. */
  private get reserveMs(): number {
    return Math.min(10_000, (this.options.stopTimeoutSeconds * 1000) / 3);
  }

  private waitSeconds(): number {
    const drainSeconds = this.options.stopTimeoutSeconds - this.reserveMs / 1000;
    return this.options.waitSeconds ?? Math.max(1, Math.min(20, Math.floor(drainSeconds / 2)));
  }

  private async drain(): Promise<void> {
    this.polling.abort();
    const stopMs = this.options.stopTimeoutSeconds * 1000;
    const reserveMs = this.reserveMs;
    this.ctx.logger.info("Stopping: no new messages; running tasks may finish", {
      running: this.inFlight.size,
      waitMs: stopMs - reserveMs,
    });
    let timer: NodeJS.Timeout | undefined;
    const finished = Promise.allSettled([...this.inFlight]).then(() => true);
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), stopMs - reserveMs)));
    const allDone = await Promise.race([finished, late]);
    clearTimeout(timer);
    if (!allDone) {
      this.ctx.logger.warn("Stop timeout near: releasing the tasks still running", { running: this.inFlight.size });
      this.releasing.abort();
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /** Settles when `stop()` is called; one promise, so waiting on it again adds no listener. */
  private readonly whenStopped = new Promise<void>((resolve) =>
    this.polling.signal.addEventListener("abort", () => resolve(), { once: true }),
  );

  private stopped(): Promise<void> {
    return this.whenStopped;
  }

  private async receive(max: number): Promise<Message[]> {
    const answer = await this.ctx.deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueOf(this.ctx.deps, this.ctx.queue).url,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: this.waitSeconds(),
      }),
    );
    return answer.Messages ?? [];
  }

  private start(message: Message): void {
    const work = handleMessage(
      this.ctx,
      { body: message.Body ?? "", receiptHandle: message.ReceiptHandle ?? "" },
      this.releasing.signal,
    )
      .catch((error: unknown) => {
        // The message comes back after its visibility timeout, as after a crash.
        this.ctx.logger.error("Unexpected runner error", { error: error as Error, messageId: message.MessageId });
      })
      .finally(() => {
        this.inFlight.delete(work);
        this.ctx.metrics?.publishStoredMetrics();
        if (this.inFlight.size === 0) void this.options.protection?.set(false);
      });
    this.inFlight.add(work);
    // Each task renews the protection, so it lasts as long as the last task started may run.
    void this.options.protection?.set(true);
  }

  private async giveBack(messages: Message[]): Promise<void> {
    await Promise.allSettled(
      messages.map((message) =>
        this.ctx.deps.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueOf(this.ctx.deps, this.ctx.queue).url,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        ),
      ),
    );
  }
}
