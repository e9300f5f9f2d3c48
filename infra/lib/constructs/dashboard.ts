import { Duration, aws_cloudwatch as cw, aws_elasticloadbalancingv2 as elbv2, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface OpsDashboardProps {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly dlq: sqs.IQueue;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly emuRunningTasks: cw.IMetric;
  /** Namespace of the services' own metrics (MetricsSidecar). */
  readonly metricsNamespace: string;
}

/** One page: relay and sync throughput, age of the oldest job, queue and
 *  DLQ depth, emu tasks, HTTP 5xx; then the services' own metrics: outbox
 *  backlog and age, relay leadership, sync lag, errors, request latency. */
export class OpsDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const minute = { period: Duration.minutes(1) };
    const { queue, dlq, loadBalancer: alb } = props;
    const app = (metricName: string, service: string, statistic: string, label: string) =>
      new cw.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service },
        statistic,
        label,
        ...minute,
      });
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
        [
          new cw.GraphWidget({
            title: 'Outbox (pelican): events waiting, age of the oldest (s)',
            left: [app('pelican_outbox_backlog', 'pelican', 'Maximum', 'events waiting')],
            right: [app('pelican_outbox_oldest_age_seconds', 'pelican', 'Maximum', 'oldest (s)')],
            width: 8,
          }),
          new cw.GraphWidget({
            title: 'pelican replicas holding the relay lock (1 expected); send errors',
            left: [app('pelican_is_leader', 'pelican', 'Maximum', 'leader')],
            right: [app('pelican_send_errors_total', 'pelican', 'Sum', 'send errors')],
            width: 8,
          }),
          new cw.GraphWidget({
            title: 'emu: sync lag (s), errors',
            left: [
              app('emu_lag_seconds', 'emu', 'Average', 'lag, average'),
              app('emu_lag_seconds', 'emu', 'Maximum', 'lag, max'),
            ],
            right: [app('emu_errors_total', 'emu', 'Sum', 'errors')],
            width: 8,
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'Frontend request latency (s)',
            left: [
              app('http_request_duration_seconds', 'frontend', 'Average', 'all requests, average'),
              app('http_request_duration_seconds', 'frontend', 'Maximum', 'all requests, max'),
            ],
            right: [app('http_request_duration_seconds', 'frontend', 'SampleCount', 'requests')],
            width: 24,
          }),
        ],
      ],
    });
  }
}
