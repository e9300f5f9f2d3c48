import { Duration, aws_ecs as ecs, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CatalogTask } from './catalog-service';

/** AWS Distro for OpenTelemetry collector, pinned; bump deliberately. */
export const ADOT_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1';
/** How often the collector scrapes /metrics. Alarms use 1-minute periods. */
export const SCRAPE_INTERVAL_S = 30;
/** The label every exported metric carries, and its CloudWatch dimension. */
export const SERVICE_DIMENSION = 'service';

/** One awsemf metric declaration: which metrics, with which dimension sets. */
export interface MetricExport {
  /** Exact metric names as served on /metrics. */
  readonly names: string[];
  /** Dimension sets; each must include `service`. Default: [[service]]. */
  readonly dimensions?: string[][];
  /** Only series whose label values (joined with ';') match this regex. */
  readonly labelMatcher?: { readonly labels: string[]; readonly regex: string };
}

export interface MetricsSidecarProps {
  readonly task: CatalogTask;
  /** Value of the `service` dimension (pelican, emu, frontend). */
  readonly service: string;
  /** The port the service serves /metrics on, inside the task. */
  readonly port: number;
  readonly namespace: string;
  readonly region: string;
  /** Log group the EMF records go to (shared by all services), and its literal name. */
  readonly logGroup: logs.ILogGroup;
  readonly logGroupName: string;
  readonly exports: MetricExport[];
}

/**
 * Puts the service's Prometheus metrics into CloudWatch: an ADOT collector
 * container in the same task scrapes `localhost:<port>/metrics` (tasks share
 * a network namespace in awsvpc mode) and writes the selected metrics as
 * Embedded Metric Format records to `logGroup`; CloudWatch extracts them as
 * metrics in `namespace`, dimension `service`. Nothing outside the task
 * scrapes, so /metrics stays private (the load balancer answers 404 for it).
 *
 * Only the declared metrics are exported (each metric x dimension set is a
 * billed custom metric); every other series is dropped by the exporter.
 * The config is JSON (valid YAML) handed over in AOT_CONFIG_CONTENT; it
 * contains no `$`, which the collector would read as a variable.
 *
 * The sidecar is not essential: if it dies, the service keeps serving and
 * the metrics go missing, which the no-leader alarm treats as breaching.
 */
export class MetricsSidecar extends Construct {
  readonly container: ecs.ContainerDefinition;
  /** The collector configuration (parsed form of AOT_CONFIG_CONTENT). */
  readonly config: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: MetricsSidecarProps) {
    super(scope, id);
    for (const e of props.exports) {
      for (const dims of e.dimensions ?? [[SERVICE_DIMENSION]]) {
        if (!dims.includes(SERVICE_DIMENSION)) throw new Error(`metrics of ${props.service}: every dimension set needs "service"`);
      }
      if (e.labelMatcher?.regex.includes('$')) throw new Error('metric label regex: no "$" (collector variable syntax)');
    }
    this.config = collectorConfig(props);
    const taskDefinition = props.task.taskDefinition;
    this.container = taskDefinition.addContainer('metrics', {
      image: ecs.ContainerImage.fromRegistry(ADOT_IMAGE),
      essential: false,
      memoryLimitMiB: 256,
      memoryReservationMiB: 64,
      environment: { AOT_CONFIG_CONTENT: JSON.stringify(this.config) },
      logging: ecs.LogDrivers.awsLogs({ logGroup: props.task.logGroup, streamPrefix: 'metrics' }),
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(10),
    });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });

    taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishMetrics',
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [props.logGroup.logGroupArn],
      }),
    );
  }
}

function collectorConfig(props: MetricsSidecarProps): Record<string, unknown> {
  return {
    receivers: {
      prometheus: {
        config: {
          global: { scrape_interval: `${SCRAPE_INTERVAL_S}s`, scrape_timeout: '10s' },
          scrape_configs: [
            {
              job_name: props.service,
              metrics_path: '/metrics',
              static_configs: [{ targets: [`localhost:${props.port}`], labels: { [SERVICE_DIMENSION]: props.service } }],
            },
          ],
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_mib: 200, spike_limit_mib: 40 },
      batch: { timeout: '30s' },
    },
    exporters: {
      awsemf: {
        namespace: props.namespace,
        region: props.region,
        log_group_name: props.logGroupName,
        log_stream_name: props.service,
        dimension_rollup_option: 'NoDimensionRollup',
        metric_declarations: props.exports.map((e) => ({
          dimensions: e.dimensions ?? [[SERVICE_DIMENSION]],
          metric_name_selectors: e.names.map((n) => `^${n}`),
          ...(e.labelMatcher
            ? { label_matchers: [{ label_names: e.labelMatcher.labels, separator: ';', regex: e.labelMatcher.regex }] }
            : {}),
        })),
      },
    },
    service: {
      pipelines: {
        metrics: { receivers: ['prometheus'], processors: ['memory_limiter', 'batch'], exporters: ['awsemf'] },
      },
    },
  };
}
