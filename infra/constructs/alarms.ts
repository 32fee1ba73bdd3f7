import { CfnOutput, Duration, Validations } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { Config } from "../../functions/contracts/config/schema.js";

export interface AlarmsProps {
  readonly config: Config;
  /** Subscribed to the alarm topic when given. @default no subscription */
  readonly email?: string;
}

/**
 * Every alarm of the app on one SNS topic: what used to be "someone notices the worker box is
 * stuck" becomes a page. Constructs add their own alarms through the helpers below.
 */
export class Alarms extends Construct {
  public readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", {
      displayName: `${props.config.app} ${props.config.stage} alarms`,
      enforceSSL: true,
    });
    Validations.of(this.topic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "Alarm notifications carry alarm names and states only, no application data; a KMS key would add cost without protecting anything.",
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
    new CfnOutput(this, "AlarmTopicArn", { key: "AlarmTopicArn", value: this.topic.topicArn });
  }

  /** Fires when the metric reaches the threshold in one period; missing data is not an alarm. */
  onMetric(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  onFunctionErrors(id: string, fn: IFunction): Alarm {
    return this.onMetric(
      `${id}Errors`,
      fn.metricErrors({ period: Duration.minutes(5) }),
      1,
      `${id}: the function raised errors`,
    );
  }

  onApi5xx(api: RestApi): Alarm {
    return this.onMetric("Api5xx", api.metricServerError({ period: Duration.minutes(5) }), 1, "The API answered 5xx");
  }

  onDeadLetters(id: string, deadLetterQueue: IQueue): Alarm {
    return this.onMetric(
      `${id}DeadLetters`,
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      1,
      `${id}: messages are waiting in the dead-letter queue`,
    );
  }

  onOldestMessage(id: string, queue: IQueue, maxAge: Duration): Alarm {
    return this.onMetric(
      `${id}OldestMessage`,
      queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) }),
      maxAge.toSeconds(),
      `${id}: the oldest message has waited ${maxAge.toHumanString()} or more`,
    );
  }
}
