import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { ConfigurationSet, EmailIdentity, Identity } from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";
import { notificationVariables } from "../../functions/contracts/environment.js";
import { STUCK_NOTIFICATIONS_METRIC } from "../../functions/contracts/notifications.js";
import { setVariables } from "../environment.js";
import type { Alarms } from "./alarms.js";

export interface NotificationsProps {
  readonly config: Config;
  /** Gets the alarm on notifications that stay unsent (maintenance's stuck-work check). */
  readonly alarms: Alarms;
}

/**
 * Email notifications through Amazon SES v2: the sending identity from `notifications.fromAddress`
 * and a configuration set that every message names, so SES's delivery, bounce and complaint metrics
 * are kept for this app's mail apart. The local stage creates both too: the emulator refuses a
 * sender that is not a verified identity, as SES does.
 */
export class Notifications extends Construct {
  public readonly identity: EmailIdentity;
  public readonly configurationSet: ConfigurationSet;
  private readonly from: string;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.from = props.config.notifications.fromAddress;
    this.configurationSet = new ConfigurationSet(this, "ConfigurationSet", { reputationMetrics: true });
    // Verification is SES's own step (a link to the address, or DNS records for a domain), outside CloudFormation.
    this.identity = new EmailIdentity(this, "Identity", {
      identity: Identity.email(this.from),
      configurationSet: this.configurationSet,
    });
    props.alarms.onMetric(
      "StuckNotifications",
      new Metric({
        namespace: "Groundcrew",
        metricName: STUCK_NOTIFICATIONS_METRIC,
        dimensionsMap: { service: "maintenance" },
        statistic: "Maximum",
        period: Duration.hours(1),
      }),
      1,
      `Notification emails have stayed unsent for more than ${props.config.notifications.stuckAfterMinutes} minutes`,
    );
  }

  /** Lets `fn` send as the identity through the configuration set (SES checks both), and tells it their names. */
  bind(fn: LambdaFunction): void {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["ses:SendEmail"],
        resources: [
          this.identity.emailIdentityArn,
          stack.formatArn({
            service: "ses",
            resource: "configuration-set",
            resourceName: this.configurationSet.configurationSetName,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );
    setVariables(fn, notificationVariables, {
      NOTIFICATIONS_FROM: this.from,
      NOTIFICATIONS_CONFIGURATION_SET: this.configurationSet.configurationSetName,
    });
  }
}
