import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { refusingRecipientsAt } from "../../../functions/notifications/mailer.js";
import { SesMailer } from "../../../functions/notifications/ses-mailer.js";

describe("SesMailer", () => {
  const client = new SESv2Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const ses = mockClient(client);
  const mailer = new SesMailer(client, { from: "team@example.com", configurationSet: "groundcrew-mail" });

  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
  });

  it("sends one plain-text message to one recipient, as the configured sender, through the configuration set", async () => {
    expect(await mailer.send({ to: "bob@example.com", subject: "Hi", text: "Body" })).toEqual({ messageId: "m-1" });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: "team@example.com",
      Destination: { ToAddresses: ["bob@example.com"] },
      ConfigurationSetName: "groundcrew-mail",
      Content: {
        Simple: { Subject: { Data: "Hi", Charset: "UTF-8" }, Body: { Text: { Data: "Body", Charset: "UTF-8" } } },
      },
    });
  });

  it("lets SES's refusal through, so the caller sees the send failed", async () => {
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error("Email address is not verified"), { name: "MessageRejected" }));
    await expect(mailer.send({ to: "bob@example.com", subject: "Hi", text: "Body" })).rejects.toThrow(/not verified/);
  });

  it("the local refusal switch refuses only its domain (any case) and never calls SES for it", async () => {
    const refusing = refusingRecipientsAt("refused.invalid", mailer);
    await expect(refusing.send({ to: "x@Refused.Invalid", subject: "s", text: "t" })).rejects.toMatchObject({
      name: "MessageRejected",
    });
    await expect(refusing.send({ to: "x@refused.invalid.example.com", subject: "s", text: "t" })).resolves.toEqual({
      messageId: "m-1",
    });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});
