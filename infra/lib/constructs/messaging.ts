import {
  Duration,
  RemovalPolicy,
  aws_cloudwatch as cw,
  aws_cloudwatch_actions as cwActions,
  aws_iam as iam,
  aws_kms as kms,
  aws_sns as sns,
  aws_sns_subscriptions as subs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface MessagingProps {
  readonly prefix: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly oldestMessageAgeAlarmSeconds: number;
  readonly alertEmail?: string;
}

/**
 * The FIFO job queue (pelican -> emu) with its FIFO dead-letter queue, the
 * alert topic, and the two alarms that page: anything in the DLQ, and jobs
 * waiting too long.
 */
export class Messaging extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly dlqAlarm: cw.Alarm;
  readonly ageAlarm: cw.Alarm;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);

    this.dlq = new sqs.Queue(this, 'Dlq', {
      queueName: `${props.prefix}-jobs-dlq.fifo`,
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Jobs', {
      queueName: `${props.prefix}-jobs.fifo`,
      fifo: true,
      // pelican sets MessageDeduplicationId = event id; no content dedup.
      contentBasedDeduplication: false,
      // High-throughput FIFO: limits per message group (= product), not per queue.
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: props.maxReceiveCount },
    });

    // A customer-managed key: CloudWatch alarms cannot publish to a topic
    // encrypted with the AWS-managed SNS key (its policy cannot be edited).
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `${props.prefix} alert topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    // EventBridge posts the failed-verify notices (ScheduledVerify).
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToPublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Alerts', {
      topicName: `${props.prefix}-alerts`,
      displayName: `${props.prefix} alerts`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    if (props.alertEmail) {
      this.topic.addSubscription(new subs.EmailSubscription(props.alertEmail));
    }
    const notify = new cwActions.SnsAction(this.topic);

    this.dlqAlarm = new cw.Alarm(this, 'DlqNotEmpty', {
      alarmName: `${props.prefix}-dlq-not-empty`,
      alarmDescription: 'A job reached the dead-letter queue (poison message or repeated failure): inspect the DLQ.',
      metric: this.dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.ageAlarm = new cw.Alarm(this, 'OldestJobAge', {
      alarmName: `${props.prefix}-jobs-oldest-age`,
      alarmDescription: `The oldest job has waited more than ${props.oldestMessageAgeAlarmSeconds} s: emu is down, stuck or under-scaled.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: props.oldestMessageAgeAlarmSeconds,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.dlqAlarm, this.ageAlarm]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }
}
