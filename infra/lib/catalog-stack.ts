import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cw,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_iam as iam,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';
import { skipCheckov } from './checkov';
import { CatalogConfig } from './config';
import { Alarms } from './constructs/alarms';
import { CatalogService, CatalogTask, DatabaseConnection, databaseUrlWrapper } from './constructs/catalog-service';
import { OpsDashboard } from './constructs/dashboard';
import { DB_NAME, Database } from './constructs/database';
import { DeployPrepare } from './constructs/deploy-prepare';
import { FrontendEdge } from './constructs/frontend-edge';
import { Messaging } from './constructs/messaging';
import { MetricExport, MetricsSidecar } from './constructs/metrics-sidecar';
import { Network } from './constructs/network';
import { ScheduledVerify } from './constructs/scheduled-verify';
import { ServiceDbCredentials } from './constructs/service-db-credentials';
import { TaskCountMetrics } from './constructs/task-count-metrics';
import { Uploads } from './constructs/uploads';
import { VectorStoreWiring } from './constructs/vector-store';
import { WebAcl } from './constructs/web-acl';

export interface CatalogStackProps extends StackProps {
  readonly config: CatalogConfig;
  /** Repository root: the Docker build context of docker/Dockerfile. */
  readonly repoRoot: string;
}

/** HTTP ports (docker/Dockerfile): health, readiness and /metrics of each service. */
export const PORTS = { pelican: 9101, emu: 9102, frontend: 8080 } as const;
const MODEL_DIR = '/opt/model/all-MiniLM-L6-v2';

/** What each service exports to CloudWatch (served on its /metrics). */
const METRICS: Record<'pelican' | 'emu' | 'frontend', MetricExport[]> = {
  pelican: [
    {
      names: [
        'pelican_outbox_backlog',
        'pelican_outbox_oldest_age_seconds',
        'pelican_is_leader',
        'pelican_send_errors_total',
      ],
    },
  ],
  emu: [
    { names: ['emu_errors_total', 'emu_lag_seconds'] },
    { names: ['emu_messages_total'], dimensions: [['service'], ['service', 'outcome']] },
  ],
  frontend: [
    // Request latency of the whole site, and of the two search routes on their own.
    { names: ['http_request_duration_seconds'] },
    {
      names: ['http_request_duration_seconds'],
      dimensions: [['service', 'route']],
      labelMatcher: { labels: ['route', 'method'], regex: '^(/|/api/search);' },
    },
  ],
};

export class CatalogStack extends Stack {
  constructor(scope: Construct, id: string, props: CatalogStackProps) {
    super(scope, id, props);
    const cfg = props.config;
    const prefix = `catalog-${cfg.envName}`;
    const https = cfg.certificateArn !== undefined;
    this.warnAboutOptOuts(cfg, https);

    const { vpc } = new Network(this, 'Network', {
      natGateways: cfg.natGateways,
      natType: cfg.natType,
      natInstanceType: cfg.natInstanceType,
    });

    const db = new Database(this, 'Database', {
      vpc,
      identifier: prefix,
      instanceType: cfg.dbInstanceType,
      allocatedStorageGb: cfg.dbAllocatedStorageGb,
      multiAz: cfg.dbMultiAz,
      backupRetentionDays: cfg.dbBackupRetentionDays,
      deletionProtection: cfg.deletionProtection,
    });
    const database: DatabaseConnection = {
      host: db.instance.dbInstanceEndpointAddress,
      port: db.instance.dbInstanceEndpointPort,
      name: DB_NAME,
    };
    const masterSecret = db.instance.secret!;
    const dbLogins = new ServiceDbCredentials(this, 'DbLogins', { prefix });

    const messaging = new Messaging(this, 'Messaging', {
      prefix,
      maxReceiveCount: cfg.maxReceiveCount,
      visibilityTimeoutSeconds: cfg.visibilityTimeoutSeconds,
      oldestMessageAgeAlarmSeconds: cfg.oldestMessageAgeAlarmSeconds,
      alertEmail: cfg.alertEmail,
    });
    const { queue, dlq, topic } = messaging;

    // Application secrets: values are set by an operator (put-secret-value),
    // never in the template; ECS injects them as `secrets`.
    const appSecret = new secretsmanager.Secret(this, 'AppSecret', {
      secretName: `${prefix}/app`,
      description:
        'frontend secrets, JSON: session_key (generated; rotate by putting a new value and redeploying) and users ' +
        '(FRONTEND_USERS: name:$argon2id$... entries separated by ";", from `make hash-password`; empty = nobody can edit)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ users: '' }),
        generateStringKey: 'session_key',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    const vectorStore = new VectorStoreWiring(this, 'VectorStore', { config: cfg, prefix });
    const storeForServices = vectorStore.forServices();

    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: prefix,
      vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: cfg.containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    });
    if (!cfg.containerInsights) {
      skipCheckov(
        cluster,
        'CKV_AWS_65',
        'Container Insights is off for cost (containerInsights=false, dev): the task counts that scaling and alarms ' +
          'need come from TaskCountMetrics, per-service CPU and memory from the free AWS/ECS metrics',
      );
    }

    // Images: targets of docker/Dockerfile, built and pushed by `cdk deploy`
    // (synth only stages the context; .dockerignore keeps target/ and .local/ out).
    const arm64 = cfg.cpuArchitecture === 'arm64';
    const architecture = arm64 ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64;
    const image = (target: string) =>
      ecs.ContainerImage.fromAsset(props.repoRoot, {
        file: 'docker/Dockerfile',
        target,
        platform: arm64 ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
        exclude: ['target', '.local', '.git', 'infra', '**/node_modules'],
      });
    const emuImage = image('emu');

    const common: Record<string, string> = {
      AWS_REGION: this.region,
      SQS_QUEUE_URL: queue.queueUrl,
      SQS_DLQ_URL: dlq.queueUrl,
      SNS_TOPIC_ARN: topic.topicArn,
      RUST_LOG: 'info',
    };

    // --- security groups: only the services and the catalogctl tasks reach Postgres
    const sg = (name: string, description: string) =>
      new ec2.SecurityGroup(this, `${name}Sg`, { vpc, description, allowAllOutbound: true });
    const pelicanSg = sg('Pelican', 'pelican: outbox relay');
    const emuSg = sg('Emu', 'emu: embedder');
    const frontendSg = sg('Frontend', 'frontend: web');
    const catalogctlSg = sg('Migrate', 'catalogctl tasks: deploy-prepare, verify');
    db.allowFrom(pelicanSg, 'pelican');
    db.allowFrom(emuSg, 'emu');
    db.allowFrom(frontendSg, 'frontend');
    db.allowFrom(catalogctlSg, 'catalogctl deploy-prepare and verify');

    // --- deploy-prepare: migrations, role passwords, Pinecone index; before any service
    const storeForPrepare = vectorStore.forDeployPrepare();
    const deployPrepare = new DeployPrepare(this, 'DeployPrepare', {
      prefix,
      cluster,
      vpc,
      securityGroup: catalogctlSg,
      image: image('catalogctl'),
      architecture,
      database,
      masterCredentials: masterSecret,
      // AWS_REGION: the SSM client that publishes the Pinecone index host.
      environment: { AWS_REGION: this.region, ...storeForPrepare.environment },
      secrets: { ...dbLogins.passwordsForDeployPrepare(), ...storeForPrepare.secrets },
      runsAfter: [db, catalogctlSg],
      failureHint: vectorStore.usesPinecone
        ? `With Pinecone, the secret ${cfg.pineconeApiKeySecretName} must exist and hold the API key (docs/deploy.md, step 3).`
        : 'See the log lines below (docs/deploy.md, "When the deploy fails").',
      cleanupParameters: vectorStore.indexHostParameterName ? [vectorStore.indexHostParameterName] : [],
      timeout: Duration.minutes(cfg.deployPrepareTimeoutMinutes),
    });
    vectorStore.grantPublishHost(deployPrepare.task.taskDefinition.taskRole);

    // The services' Prometheus metrics, as CloudWatch metrics (EMF).
    const metricsNamespace = `CatalogSync/${cfg.envName}`;
    const metricsLogGroupName = `/ecs/${prefix}/metrics`;
    const metricsLogGroup = new logs.LogGroup(this, 'MetricsLogs', {
      logGroupName: metricsLogGroupName,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const exportMetrics = (service: CatalogService, name: keyof typeof METRICS) =>
      new MetricsSidecar(service, 'Metrics', {
        task: service.task,
        service: name,
        port: PORTS[name],
        namespace: metricsNamespace,
        region: this.region,
        logGroup: metricsLogGroup,
        logGroupName: metricsLogGroupName,
        exports: METRICS[name],
      });

    // --- pelican: one active relay (+ standbys waiting on the advisory lock)
    const pelican = new CatalogService(this, 'Pelican', {
      name: 'pelican',
      prefix,
      cluster,
      securityGroup: pelicanSg,
      image: image('pelican'),
      architecture,
      cpu: 256,
      memoryMiB: 512,
      database,
      credentials: dbLogins.secret('pelican'),
      environment: common,
      http: { setting: 'PELICAN_HTTP_ADDR', port: PORTS.pelican },
      desiredCount: 1 + cfg.pelicanStandbyCount,
    });
    exportMetrics(pelican, 'pelican');
    pelican.task.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RelayToJobQueue',
        // SendMessage also authorizes SendMessageBatch; GetQueueAttributes is
        // pelican's start-up readiness probe (is the queue there, is it FIFO).
        actions: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );

    // --- emu: scales on backlog per task, down to minEmuTasks when idle
    const emuEnvironment = {
      ...common,
      ...storeForServices.environment,
      MODEL_DIR,
      EMBED_PRECISION: cfg.embedPrecision,
      // Same as the queue's, so emu's visibility extensions match it.
      EMU_VISIBILITY_TIMEOUT_S: String(cfg.visibilityTimeoutSeconds),
    };
    const emu = new CatalogService(this, 'Emu', {
      name: 'emu',
      prefix,
      cluster,
      securityGroup: emuSg,
      image: emuImage,
      architecture,
      cpu: 2048,
      memoryMiB: 4096,
      database,
      credentials: dbLogins.secret('emu'),
      environment: emuEnvironment,
      secrets: storeForServices.secrets,
      http: { setting: 'EMU_HTTP_ADDR', port: PORTS.emu },
      desiredCount: cfg.minEmuTasks,
      // At zero tasks there is nothing to keep healthy during a deployment.
      minHealthyPercent: cfg.minEmuTasks > 0 ? 100 : 0,
      capacityProviderStrategies: cfg.emuSpot
        ? [
            { capacityProvider: 'FARGATE_SPOT', weight: 1 },
            { capacityProvider: 'FARGATE', weight: 0 },
          ]
        : [{ capacityProvider: 'FARGATE', weight: 1 }],
    });
    exportMetrics(emu, 'emu');
    const emuRole = emu.task.taskDefinition.taskRole;
    emuRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConsumeJobQueue',
        actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        resources: [queue.queueArn],
      }),
    );
    emuRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeadLetterPoisonJobs',
        // emu moves a job that can never succeed straight to the DLQ (instead
        // of letting it block its FIFO group for maxReceiveCount receives).
        actions: ['sqs:SendMessage'],
        resources: [dlq.queueArn],
      }),
    );
    emuRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReportPoisonJobs', actions: ['sns:Publish'], resources: [topic.topicArn] }),
    );
    emuRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptForAlertTopic',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [messaging.topicKey.keyArn],
      }),
    );

    // --- bulk upload: browsers PUT CSV files into this bucket, the frontend imports them
    const uploads = new Uploads(this, 'Uploads', {
      expiryDays: cfg.uploadExpiryDays,
      maxBytes: cfg.uploadMaxBytes,
      retain: cfg.deletionProtection,
    });

    // --- frontend behind the ALB
    const frontend = new CatalogService(this, 'Frontend', {
      name: 'frontend',
      prefix,
      cluster,
      securityGroup: frontendSg,
      image: image('frontend'),
      architecture,
      cpu: cfg.frontendCpu,
      memoryMiB: cfg.frontendMemoryMiB,
      database,
      credentials: dbLogins.secret('frontend'),
      environment: {
        ...common,
        ...storeForServices.environment,
        MODEL_DIR,
        EMBED_PRECISION: cfg.embedPrecision,
        // Strict-Transport-Security on every answer, only when browsers
        // reach the site over HTTPS (an HSTS header over HTTP is ignored,
        // and a domain that later loses HTTPS would be unreachable).
        ...(https ? { FRONTEND_HSTS: 'true' } : {}),
        ...uploads.environment,
      },
      secrets: {
        ...storeForServices.secrets,
        FRONTEND_SESSION_KEY: ecs.Secret.fromSecretsManager(appSecret, 'session_key'),
        FRONTEND_USERS: ecs.Secret.fromSecretsManager(appSecret, 'users'),
      },
      http: { setting: 'FRONTEND_ADDR', port: PORTS.frontend },
      desiredCount: cfg.frontendDesiredCount,
      minHealthyPercent: cfg.frontendDesiredCount > 1 ? 50 : 100,
      healthCheckGracePeriod: Duration.seconds(60),
    });
    exportMetrics(frontend, 'frontend');
    frontend.task.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ShowSyncStatus',
        actions: ['sqs:GetQueueAttributes'],
        resources: [queue.queueArn, dlq.queueArn],
      }),
    );
    uploads.grantFrontend(frontend.task.taskDefinition.taskRole);

    // No service starts, or is replaced, before this deployment's migrations succeeded.
    deployPrepare.runBefore(pelican.service, emu.service, frontend.service);

    const taskCounts = new TaskCountMetrics(this, 'TaskCounts', {
      cluster,
      services: { pelican, emu, frontend },
      namespace: metricsNamespace,
    });
    const emuRunningTasks = this.scaleEmu(cfg, emu, messaging, taskCounts);

    const edge = new FrontendEdge(this, 'Edge', {
      vpc,
      service: frontend.service,
      serviceSecurityGroup: frontendSg,
      port: PORTS.frontend,
      certificateArn: cfg.certificateArn,
      deletionProtection: cfg.deletionProtection,
    });
    // The origin of the site as browsers load it: the only one whose pages may
    // PUT into the uploads bucket. (The PUT goes to S3, not through the load
    // balancer, so the WAF never sees it.)
    uploads.allowBrowserPutsFrom(cfg.domainName ? `${https ? 'https' : 'http'}://${cfg.domainName}` : edge.url);
    new WebAcl(this, 'Waf', {
      name: `${prefix}-web`,
      loadBalancer: edge.loadBalancer,
      searchRateLimit: cfg.searchRateLimit,
    });

    new Alarms(this, 'Alarms', {
      prefix,
      topic,
      metricsNamespace,
      taskCounts,
      services: [
        { name: 'pelican', service: pelican.service, alwaysRunning: true },
        { name: 'emu', service: emu.service, alwaysRunning: cfg.minEmuTasks > 0 },
        { name: 'frontend', service: frontend.service, alwaysRunning: cfg.frontendDesiredCount > 0 },
      ],
      loadBalancer: edge.loadBalancer,
      targetGroup: edge.targetGroup,
      database: db.instance,
      outboxOldestAgeSeconds: cfg.outboxOldestAgeAlarmSeconds,
      noLeaderMinutes: cfg.pelicanNoLeaderMinutes,
      http5xxPer5Minutes: cfg.http5xxAlarmThreshold,
      dbCpuPercent: cfg.dbCpuAlarmPercent,
      dbFreeStorageGb: cfg.dbFreeStorageAlarmGb,
      tasksBelowDesiredMinutes: cfg.tasksBelowDesiredMinutes,
    });

    // --- verify: daily, as catalog_emu, with emu's store and model
    const verify = new ScheduledVerify(this, 'Verify', {
      prefix,
      cluster,
      vpc,
      securityGroup: catalogctlSg,
      image: emuImage,
      architecture,
      database,
      credentials: dbLogins.secret('emu'),
      environment: {
        AWS_REGION: this.region,
        RUST_LOG: 'info',
        ...storeForServices.environment,
        MODEL_DIR,
        EMBED_PRECISION: cfg.embedPrecision,
      },
      secrets: storeForServices.secrets,
      schedule: cfg.verifySchedule,
      repair: cfg.verifyRepair,
      topic,
    });

    new OpsDashboard(this, 'Ops', {
      name: prefix,
      queue,
      dlq,
      loadBalancer: edge.loadBalancer,
      emuRunningTasks,
      metricsNamespace,
    });

    // --- outputs
    // Ready-to-paste `aws ecs run-task` calls; `args` replaces the container's
    // catalogctl arguments (the command keeps the DATABASE_URL wrapper).
    const runTask = (task: CatalogTask, args?: string[]) => {
      const overrides = args
        ? ` --overrides '${JSON.stringify({
            containerOverrides: [{ name: task.container.containerName, command: databaseUrlWrapper('catalogctl', args).command }],
          })}'`
        : '';
      return (
        [
          'aws ecs run-task',
          `--cluster ${cluster.clusterName}`,
          `--task-definition ${task.taskDefinition.family}`,
          '--launch-type FARGATE',
          `--network-configuration "awsvpcConfiguration={subnets=[${vpc.privateSubnets.map((s) => s.subnetId).join(',')}],securityGroups=[${catalogctlSg.securityGroupId}],assignPublicIp=DISABLED}"`,
        ].join(' ') + overrides
      );
    };
    new CfnOutput(this, 'Url', { value: edge.url, description: 'frontend' });
    new CfnOutput(this, 'JobQueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: dlq.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'UploadBucketName', {
      value: uploads.bucket.bucketName,
      description: `bulk upload: browsers PUT CSV files here (uploads/, deleted after ${cfg.uploadExpiryDays} days)`,
    });
    new CfnOutput(this, 'DatabaseEndpoint', { value: `${database.host}:${database.port}` });
    new CfnOutput(this, 'DatabaseSecretArn', {
      value: masterSecret.secretArn,
      description: 'RDS master login: only catalogctl deploy-prepare uses it',
    });
    new CfnOutput(this, 'DeployPrepareCommand', {
      description: 'run catalogctl deploy-prepare again by hand (every deploy that changes an image runs it)',
      value: runTask(deployPrepare.task),
    });
    new CfnOutput(this, 'SeedCommand', {
      description: 'load the generated sample catalog (10 000 products) once; does nothing if products has rows',
      value: runTask(deployPrepare.task, ['seed', '--rows', '10000']),
    });
    new CfnOutput(this, 'VerifyCommand', {
      description: 'run catalogctl verify now, report only (the scheduled run\'s settings)',
      value: runTask(verify.task, ['verify', '--json']),
    });
    new CfnOutput(this, 'VerifyRepairCommand', {
      description: 'run catalogctl verify --repair now: re-enqueues what differs through the outbox',
      value: runTask(verify.task, ['verify', '--json', '--repair']),
    });
    if (vectorStore.usesPinecone) {
      new CfnOutput(this, 'PineconeApiKeySecret', { value: cfg.pineconeApiKeySecretName });
      new CfnOutput(this, 'PineconeIndexHostParameter', { value: vectorStore.indexHostParameterName! });
    }
  }

  /** Scaling of emu on backlog per running task; returns the task-count metric it reads. */
  private scaleEmu(cfg: CatalogConfig, emu: CatalogService, messaging: Messaging, taskCounts: TaskCountMetrics): cw.IMetric {
    const { queue } = messaging;
    // Backlog per running task = (waiting + in-flight jobs) / running tasks.
    // With no task running, any backlog reads as a full task's worth, so the
    // service scales out from zero; no backlog at all reads 0 and scales in
    // to minEmuTasks. The running count comes from TaskCountMetrics.
    const emuRunningTasks = taskCounts.metric('emu', 'RunningTaskCount', 'Average');
    const per = cfg.emuBacklogPerTask;
    const backlogPerTask = new cw.MathExpression({
      label: 'emu backlog per task',
      expression: `IF(FILL(running, 0) > 0, (visible + inflight) / FILL(running, 0), IF((visible + inflight) > 0, ${per}, 0))`,
      usingMetrics: {
        visible: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
        inflight: queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
        running: emuRunningTasks,
      },
      period: Duration.minutes(1),
    });
    const emuScaling = emu.service.autoScaleTaskCount({ minCapacity: cfg.minEmuTasks, maxCapacity: cfg.emuMaxCount });
    emuScaling.scaleOnMetric('BacklogPerTask', {
      metric: backlogPerTask,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -cfg.emuMaxCount }, // idle: down to minEmuTasks
        { lower: 0, upper: per * 0.25, change: -1 }, // lightly loaded: one fewer
        { lower: per, upper: per * 3, change: +1 },
        { lower: per * 3, change: +3 },
      ],
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      cooldown: Duration.minutes(2),
    });
    return emuRunningTasks;
  }

  /** Loud synth-time warnings for the settings that weaken the deployment. */
  private warnAboutOptOuts(cfg: CatalogConfig, https: boolean): void {
    if (!https) {
      Annotations.of(this).addWarningV2(
        'catalog:plain-http',
        `PLAIN HTTP: env ${cfg.envName} has no certificateArn and allowPlainHttp=true, so the site, its login form ` +
          'and session cookies travel unencrypted. Use this for a throw-away dev stack only; set ' +
          '-c certificateArn=arn:aws:acm:... for HTTPS (docs/deploy.md, step 2).',
      );
    }
    if (https && !cfg.domainName) {
      Annotations.of(this).addWarningV2(
        'catalog:no-domain-name',
        `NO DOMAIN NAME: env ${cfg.envName} serves HTTPS but domainName is empty, so the uploads bucket accepts ` +
          'browser uploads only from the load balancer\'s own host name, which your certificate does not cover: ' +
          'bulk upload from your domain fails (CORS). Set -c domainName=catalog.example.com (docs/deploy.md, step 2).',
      );
    }
    if (!cfg.alertEmail) {
      Annotations.of(this).addWarningV2(
        'catalog:no-alert-email',
        `NO ALERT E-MAIL: alertEmail is empty, so the alarms of env ${cfg.envName} notify an SNS topic nobody ` +
          'subscribes to. Set -c alertEmail=you@example.com (docs/deploy.md, step 2).',
      );
    }
  }
}
