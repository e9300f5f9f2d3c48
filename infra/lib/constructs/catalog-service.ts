import {
  Duration,
  RemovalPolicy,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Where the containers reach Postgres (who they log in as is per task: `credentials`). */
export interface DatabaseConnection {
  readonly host: string;
  readonly port: string;
  readonly name: string;
}

/** Where a one-off task of the stack (deploy-prepare, verify) runs, and with what. */
export interface OneOffTaskProps {
  readonly prefix: string;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly image: ecs.ContainerImage;
  readonly architecture: ecs.CpuArchitecture;
  readonly database: DatabaseConnection;
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ecs.Secret>;
}

/**
 * The binaries read one DATABASE_URL; RDS keeps the credentials as separate
 * JSON fields. ECS injects the fields as secrets (never plain environment)
 * and this wrapper joins them in the container just before exec'ing the
 * binary. The generated password contains only URL-safe characters
 * (see Database), so no escaping is needed. sslmode=require: encrypted
 * (RDS forces it); to also verify the server, put the RDS CA bundle in the
 * image and use sslmode=verify-full&sslrootcert=<path> (docs/configuration.md, "Postgres and TLS").
 */
export function databaseUrlWrapper(binary: string, args: string[]): { entryPoint: string[]; command: string[] } {
  const script =
    'export DATABASE_URL="postgres://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME?sslmode=require" && ' +
    `exec /usr/local/bin/${binary} "$@"`;
  return { entryPoint: ['/bin/sh', '-c'], command: [script, binary, ...args] };
}

export interface TaskProps {
  /** Task name: names the family (`<prefix>-<name>`), the log group and the container. */
  readonly name: string;
  /** The binary in /usr/local/bin to run (default: `name`). */
  readonly binary?: string;
  readonly prefix: string;
  readonly image: ecs.ContainerImage;
  readonly cpu: number;
  readonly memoryMiB: number;
  /** The tasks' CPU architecture; the image must be built for it. */
  readonly architecture: ecs.CpuArchitecture;
  readonly database: DatabaseConnection;
  /** The Postgres login (JSON secret with `username` and `password`): DB_USER / DB_PASSWORD. */
  readonly credentials: secretsmanager.ISecret;
  readonly environment: Record<string, string>;
  readonly secrets?: Record<string, ecs.Secret>;
  /** Arguments after the binary (catalogctl subcommand). */
  readonly args?: string[];
  /** The HTTP address setting and port, for the health check and the port mapping. */
  readonly http?: { readonly setting: string; readonly port: number };
}

/** A Fargate task definition for one binary: its own log group (7 days),
 *  read-only root filesystem with a scratch /tmp, DATABASE_URL assembled from
 *  secrets, and a container health check on /healthz. */
export class CatalogTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;
  /** awslogs stream prefix: streams are `<prefix>/<container>/<task id>`. */
  readonly logStreamPrefix: string;

  constructor(scope: Construct, id: string, props: TaskProps) {
    super(scope, id);
    this.logStreamPrefix = props.name;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/ecs/${props.prefix}/${props.name}`,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: `${props.prefix}-${props.name}`,
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: props.architecture,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [{ name: 'tmp' }],
    });
    const environment: Record<string, string> = {
      DB_HOST: props.database.host,
      DB_PORT: props.database.port,
      DB_NAME: props.database.name,
      LOG_FORMAT: 'json',
      ...props.environment,
    };
    if (props.http) environment[props.http.setting] = `0.0.0.0:${props.http.port}`;
    const { entryPoint, command } = databaseUrlWrapper(props.binary ?? props.name, props.args ?? []);
    this.container = this.taskDefinition.addContainer(props.name, {
      image: props.image,
      essential: true,
      entryPoint,
      command,
      environment,
      secrets: {
        DB_USER: ecs.Secret.fromSecretsManager(props.credentials, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(props.credentials, 'password'),
        ...props.secrets,
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: this.logStreamPrefix }),
      readonlyRootFilesystem: true,
      user: '10001:10001',
      // SIGTERM first: services finish or release their in-flight batch.
      stopTimeout: Duration.seconds(60),
      portMappings: props.http ? [{ containerPort: props.http.port, protocol: ecs.Protocol.TCP }] : [],
      healthCheck: props.http
        ? {
            command: ['CMD', '/usr/local/bin/healthcheck', props.http.setting, '/healthz'],
            interval: Duration.seconds(15),
            timeout: Duration.seconds(5),
            retries: 3,
            startPeriod: Duration.seconds(30),
          }
        : undefined,
    });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
  }
}

export interface CatalogServiceProps extends TaskProps {
  readonly cluster: ecs.ICluster;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly desiredCount: number;
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];
  readonly minHealthyPercent?: number;
  readonly healthCheckGracePeriod?: Duration;
}

/** A long-running Fargate service in the private subnets. */
export class CatalogService extends Construct {
  readonly task: CatalogTask;
  readonly service: ecs.FargateService;
  /** `<prefix>-<name>`, as a plain string (the service's own attribute is a token). */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: CatalogServiceProps) {
    super(scope, id);
    this.serviceName = `${props.prefix}-${props.name}`;
    this.task = new CatalogTask(this, 'Def', props);
    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: this.serviceName,
      cluster: props.cluster,
      taskDefinition: this.task.taskDefinition,
      desiredCount: props.desiredCount,
      securityGroups: [props.securityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      circuitBreaker: { rollback: true },
      minHealthyPercent: props.minHealthyPercent ?? 100,
      maxHealthyPercent: 200,
      capacityProviderStrategies: props.capacityProviderStrategies,
      healthCheckGracePeriod: props.healthCheckGracePeriod,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: false,
    });
  }
}
