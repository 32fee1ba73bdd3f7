import { SESv2Client } from "@aws-sdk/client-sesv2";
import { notificationVariables, readVariables } from "../contracts/environment.js";
import { runtimeConfiguration } from "../core/config/runtime.js";
import { refusingRecipientsAt, type Mailer } from "./mailer.js";
import { SesMailer } from "./ses-mailer.js";

let shared: Mailer | undefined;

/** The deployed function's mailer: the sender and configuration set come from Notifications.bind in CDK. */
export function mailerFromEnv(env: NodeJS.ProcessEnv = process.env): Mailer {
  if (shared) return shared;
  const { NOTIFICATIONS_FROM, NOTIFICATIONS_CONFIGURATION_SET } = readVariables(notificationVariables, env);
  const ses = new SesMailer(new SESv2Client({}), {
    from: NOTIFICATIONS_FROM,
    configurationSet: NOTIFICATIONS_CONFIGURATION_SET,
  });
  const config = runtimeConfiguration(env);
  const refused = config.stage === "local" ? config.notifications.refusedRecipientDomain : undefined;
  shared = refused ? refusingRecipientsAt(refused, ses) : ses;
  return shared;
}
