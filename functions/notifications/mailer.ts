/** One email to one recipient, as plain text. */
export interface Email {
  to: string;
  subject: string;
  text: string;
}

/** What sends email: SES v2 when deployed (ses-mailer.ts), an in-memory fake in tests and benches. */
export interface Mailer {
  send(email: Email): Promise<{ messageId: string }>;
}

/** The mailer refused a message (SES's MessageRejected); the send is retried like any task failure. */
export class MessageRejectedError extends Error {
  override name = "MessageRejected";
}

/**
 * Local stage only: refuses every recipient at `domain` the way SES refuses an unverified recipient
 * in its sandbox, so a test can make a send fail on purpose without touching the emulator's account.
 */
export function refusingRecipientsAt(domain: string, inner: Mailer): Mailer {
  const suffix = `@${domain.toLowerCase()}`;
  return {
    send: async (email) => {
      if (email.to.toLowerCase().endsWith(suffix))
        throw new MessageRejectedError(`Email address is not verified: ${email.to} (local refusal)`);
      return inner.send(email);
    },
  };
}
