import * as path from 'path';
import {
  Duration,
  RemovalPolicy,
  aws_cloudwatch as cw,
  aws_ecs as ecs,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { skipCheckov } from '../checkov';
import { CatalogService } from './catalog-service';
import { SERVICE_DIMENSION } from './metrics-sidecar';

export interface TaskCountMetricsProps {
  readonly cluster: ecs.ICluster;
  /** Dimension value -> service. */
  readonly services: Record<string, CatalogService>;
  readonly namespace: string;
}

/**
 * DesiredTaskCount and RunningTaskCount of each service, every minute, in
 * `namespace` with dimension `service` (lambda/task-counts: one
 * DescribeServices call, written as Embedded Metric Format records). emu
 * scales on the running count, and the "tasks below desired" alarms compare
 * the two.
 *
 * Container Insights publishes the same two numbers, but with ~15 other
 * custom metrics per service and per task family; for this stack that is
 * ~$20/month, a fifth of the dev budget (docs/deploy.md, cost). It stays
 * available (`containerInsights`) for its per-task CPU and memory views.
 */
export class TaskCountMetrics extends Construct {
  readonly function: lambda.Function;
  private readonly namespace: string;

  constructor(scope: Construct, id: string, props: TaskCountMetricsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.function = new lambda.Function(this, 'Publish', {
      runtime: lambda.Runtime.NODEJS_22_X,
      code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'lambda', 'task-counts')),
      handler: 'index.handler',
      timeout: Duration.seconds(30),
      memorySize: 128,
      description: 'desired and running task counts of the catalog services, as CloudWatch metrics',
      environment: {
        CLUSTER: props.cluster.clusterName,
        SERVICES: JSON.stringify(Object.fromEntries(Object.entries(props.services).map(([k, s]) => [k, s.serviceName]))),
        NAMESPACE: props.namespace,
        DIMENSION: SERVICE_DIMENSION,
      },
      logGroup: new logs.LogGroup(this, 'Logs', {
        retention: logs.RetentionDays.ONE_WEEK,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    skipCheckov(this.function, 'CKV_AWS_173', 'the environment holds the cluster and service names, no secrets');
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadServiceCounts',
        actions: ['ecs:DescribeServices'],
        resources: Object.values(props.services).map((s) => s.service.serviceArn),
      }),
    );
    new events.Rule(this, 'EveryMinute', {
      description: 'publish the catalog services\' task counts',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }

  /** `RunningTaskCount` or `DesiredTaskCount` of one service, per minute. */
  metric(service: string, name: 'RunningTaskCount' | 'DesiredTaskCount', statistic: string): cw.Metric {
    return new cw.Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: { [SERVICE_DIMENSION]: service },
      statistic,
      period: Duration.minutes(1),
      label: `${service} ${name === 'RunningTaskCount' ? 'running' : 'desired'} tasks`,
    });
  }
}
