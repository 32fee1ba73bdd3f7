import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import type { Email, Mailer } from "./mailer.js";

export interface SesMailerOptions {
  /** The verified sending identity (an address, or one at a verified domain). */
  from: string;
  /** SES records delivery, bounce and complaint events through it. */
  configurationSet: string;
}

/** Sends through Amazon SES v2 (SendEmail); locally the emulator captures each message instead. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: Email): Promise<{ messageId: string }> {
    const { MessageId } = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.options.from,
        Destination: { ToAddresses: [email.to] },
        ConfigurationSetName: this.options.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: "UTF-8" },
            Body: { Text: { Data: email.text, Charset: "UTF-8" } },
          },
        },
      }),
    );
    return { messageId: MessageId ?? "" };
  }
}
