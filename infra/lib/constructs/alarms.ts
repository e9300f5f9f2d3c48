import {
  Duration,
  aws_cloudwatch as cw,
  aws_cloudwatch_actions as cwActions,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_rds as rds,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SERVICE_DIMENSION } from './metrics-sidecar';
import { TaskCountMetrics } from './task-count-metrics';

export interface AlarmsProps {
  readonly prefix: string;
  readonly topic: sns.ITopic;
  /** CloudWatch namespace of the services' own metrics (MetricsSidecar). */
  readonly metricsNamespace: string;
  /** Desired and running task counts per service. */
  readonly taskCounts: TaskCountMetrics;
  /** Each service, and whether it always wants at least one task. */
  readonly services: { readonly name: string; readonly service: ecs.FargateService; readonly alwaysRunning: boolean }[];
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly database: rds.DatabaseInstance;
  readonly outboxOldestAgeSeconds: number;
  readonly noLeaderMinutes: number;
  readonly http5xxPer5Minutes: number;
  readonly dbCpuPercent: number;
  readonly dbFreeStorageGb: number;
  readonly tasksBelowDesiredMinutes: number;
}

/**
 * The alarms beyond the queue's own (Messaging: DLQ not empty, oldest job
 * age). Each notifies the alert topic when it fires and when it clears.
 *
 * - outbox-oldest-age: changes are not leaving Postgres (pelican stuck,
 *   SQS refusing, a poison event).
 * - pelican-no-leader: no pelican replica holds the relay lock. Missing data
 *   counts as breaching: if every pelican (or its metrics sidecar) is gone,
 *   nothing reports, and that is exactly the outage to page about.
 * - http-5xx, unhealthy-targets: the frontend failing or failing its /readyz.
 * - db-cpu, db-free-storage: the instance is saturated or filling up
 *   (storage autoscaling adds space at 10 % free, up to 4x; this alarm is
 *   the floor that says it did not keep up).
 * - <service>-tasks-below-desired: ECS cannot keep the service at its
 *   desired count (crash loop, failing health check, no capacity).
 */
export class Alarms extends Construct {
  readonly alarms: cw.Alarm[] = [];
  private readonly notify: cwActions.SnsAction;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.notify = new cwActions.SnsAction(props.topic);
    const minute = Duration.minutes(1);
    const app = (metricName: string, service: string, statistic: string) =>
      new cw.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { [SERVICE_DIMENSION]: service },
        statistic,
        period: minute,
      });

    this.add('OutboxOldestAge', {
      alarmName: `${props.prefix}-outbox-oldest-age`,
      alarmDescription:
        `The oldest outbox event has waited more than ${props.outboxOldestAgeSeconds} s: changes are not ` +
        'reaching SQS (pelican stuck or failing to send). Check pelican logs and pelican_send_errors_total.',
      metric: app('pelican_outbox_oldest_age_seconds', 'pelican', 'Maximum'),
      threshold: props.outboxOldestAgeSeconds,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.add('PelicanNoLeader', {
      alarmName: `${props.prefix}-pelican-no-leader`,
      alarmDescription:
        `No pelican replica has held the relay lock for ${props.noLeaderMinutes} min (or none reports metrics): ` +
        'nothing moves changes from the outbox to SQS.',
      // Sum over the minute of every replica's 0/1 gauge: < 1 means no replica reported 1.
      metric: app('pelican_is_leader', 'pelican', 'Sum'),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.noLeaderMinutes,
      datapointsToAlarm: props.noLeaderMinutes,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });

    const fiveMinutes = Duration.minutes(5);
    const alb = props.loadBalancer;
    this.add('Http5xx', {
      alarmName: `${props.prefix}-http-5xx`,
      alarmDescription: `More than ${props.http5xxPer5Minutes} HTTP 5xx answers (frontend or load balancer) in 5 minutes.`,
      metric: new cw.MathExpression({
        label: '5xx (targets + load balancer)',
        expression: 'FILL(target, 0) + FILL(elb, 0)',
        usingMetrics: {
          target: alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period: fiveMinutes }),
          elb: alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum', period: fiveMinutes }),
        },
        period: fiveMinutes,
      }),
      threshold: props.http5xxPer5Minutes,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.add('UnhealthyTargets', {
      alarmName: `${props.prefix}-unhealthy-targets`,
      alarmDescription: 'A frontend task has failed its /readyz health check for 3 minutes.',
      metric: props.targetGroup.metrics.unhealthyHostCount({ statistic: 'Maximum', period: minute }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });

    this.add('DbCpu', {
      alarmName: `${props.prefix}-db-cpu`,
      alarmDescription: `Postgres CPU above ${props.dbCpuPercent} % for 15 minutes.`,
      metric: props.database.metricCPUUtilization({ statistic: 'Average', period: fiveMinutes }),
      threshold: props.dbCpuPercent,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.add('DbFreeStorage', {
      alarmName: `${props.prefix}-db-free-storage`,
      alarmDescription: `Postgres has less than ${props.dbFreeStorageGb} GiB of free storage.`,
      metric: props.database.metricFreeStorageSpace({ statistic: 'Minimum', period: fiveMinutes }),
      threshold: props.dbFreeStorageGb * 1024 ** 3,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });

    // Created once the services are up, so the alarms that treat silence as
    // an outage do not fire (and clear) during the first deployment.
    this.node.addDependency(...props.services.map((s) => s.service));

    for (const s of props.services) {
      const n = props.tasksBelowDesiredMinutes;
      this.add(`${s.name}TasksBelowDesired`, {
        alarmName: `${props.prefix}-${s.name}-tasks-below-desired`,
        alarmDescription: `${s.name}: fewer tasks running than desired for ${n} minutes (crash loop, failing health check or no capacity).`,
        metric: new cw.MathExpression({
          label: `${s.name}: desired - running tasks`,
          expression: 'FILL(desired, 0) - FILL(running, 0)',
          usingMetrics: {
            desired: props.taskCounts.metric(s.name, 'DesiredTaskCount', 'Minimum'),
            running: props.taskCounts.metric(s.name, 'RunningTaskCount', 'Maximum'),
          },
          period: minute,
        }),
        threshold: 0,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: n,
        datapointsToAlarm: n,
        // Silence means the counts are not being published: for a service
        // that must always run, page (nobody would see it go down); emu at
        // zero may stay silent.
        treatMissingData: s.alwaysRunning ? cw.TreatMissingData.BREACHING : cw.TreatMissingData.NOT_BREACHING,
      });
    }
  }

  private add(id: string, props: cw.AlarmProps): void {
    const alarm = new cw.Alarm(this, id, props);
    alarm.addAlarmAction(this.notify);
    alarm.addOkAction(this.notify);
    this.alarms.push(alarm);
  }
}
