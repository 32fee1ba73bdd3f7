import { MessageRejectedError, type Email, type Mailer } from "./mailer.js";

/**
 * A mailer that keeps what it is given, for tests and benches: `sent` in order, an optional delay
 * per message (SES answers in tens of milliseconds), and recipients it refuses.
 */
export class MemoryMailer implements Mailer {
  readonly sent: Email[] = [];
  private readonly refused = new Set<string>();

  constructor(private readonly delayMs = 0) {}

  refuse(address: string): this {
    this.refused.add(address);
    return this;
  }

  async send(email: Email): Promise<{ messageId: string }> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.refused.has(email.to)) throw new MessageRejectedError(`refused ${email.to}`);
    this.sent.push(email);
    return { messageId: `memory-${this.sent.length}` };
  }
}
