import { Duration, aws_cloudwatch as cw, aws_elasticloadbalancingv2 as elbv2, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface OpsDashboardProps {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly dlq: sqs.IQueue;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly emuRunningTasks: cw.IMetric;
}

/** One page: relay and sync throughput, age of the oldest job, queue and
 *  DLQ depth, emu tasks, HTTP 5xx. */
export class OpsDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const minute = { period: Duration.minutes(1) };
    const { queue, dlq, loadBalancer: alb } = props;
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.name,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cw.GraphWidget({
            title: 'Throughput (jobs/min): relayed by pelican, synced by emu',
            left: [
              queue.metricNumberOfMessagesSent({ ...minute, statistic: 'Sum', label: 'relayed (sent to SQS)' }),
              queue.metricNumberOfMessagesDeleted({ ...minute, statistic: 'Sum', label: 'synced (deleted by emu)' }),
            ],
            width: 12,
          }),
          new cw.GraphWidget({
            title: 'Age of oldest job (s)',
            left: [queue.metricApproximateAgeOfOldestMessage({ ...minute, statistic: 'Maximum' })],
            width: 12,
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'Queue depth',
            left: [
              queue.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum', label: 'waiting' }),
              queue.metricApproximateNumberOfMessagesNotVisible({ ...minute, statistic: 'Maximum', label: 'in flight' }),
            ],
            right: [props.emuRunningTasks],
            width: 8,
          }),
          new cw.GraphWidget({
            title: 'DLQ depth',
            left: [dlq.metricApproximateNumberOfMessagesVisible({ ...minute, statistic: 'Maximum' })],
            width: 8,
          }),
          new cw.GraphWidget({
            title: 'HTTP 5xx (frontend)',
            left: [
              alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { ...minute, statistic: 'Sum' }),
              alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { ...minute, statistic: 'Sum' }),
            ],
            width: 8,
          }),
        ],
      ],
    });
  }
}
