import {
  CfnOutput,
  Duration,
  Stack,
  StackProps,
  aws_applicationautoscaling as appscaling,
  aws_certificatemanager as acm,
  aws_cloudwatch as cw,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';
import { CatalogConfig } from './config';
import { CatalogService, CatalogTask, DatabaseConnection } from './constructs/catalog-service';
import { OpsDashboard } from './constructs/dashboard';
import { DB_NAME, Database } from './constructs/database';
import { Messaging } from './constructs/messaging';
import { Network } from './constructs/network';

export interface CatalogStackProps extends StackProps {
  readonly config: CatalogConfig;
  /** Repository root: the Docker build context of docker/Dockerfile. */
  readonly repoRoot: string;
}

const PORTS = { pelican: 9101, emu: 9102, frontend: 8080 } as const;

export class CatalogStack extends Stack {
  constructor(scope: Construct, id: string, props: CatalogStackProps) {
    super(scope, id, props);
    const cfg = props.config;
    const prefix = `catalog-${cfg.envName}`;

    const { vpc } = new Network(this, 'Network', { natGateways: cfg.natGateways });

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
      secret: db.instance.secret!,
    };

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
    const usePinecone = cfg.pineconeIndexHost !== undefined;
    const pineconeSecret = usePinecone
      ? new secretsmanager.Secret(this, 'PineconeApiKey', {
          secretName: `${prefix}/pinecone-api-key`,
          description: 'Pinecone API key: set it with `aws secretsmanager put-secret-value` after the first deploy',
        })
      : undefined;
    const vectorStoreEnv: Record<string, string> = usePinecone
      ? { VECTOR_STORE: 'pinecone', PINECONE_INDEX_HOST: cfg.pineconeIndexHost! }
      : { VECTOR_STORE: 'pgvector' };
    const vectorStoreSecrets: Record<string, ecs.Secret> = pineconeSecret
      ? { PINECONE_API_KEY: ecs.Secret.fromSecretsManager(pineconeSecret) }
      : {};

    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: prefix,
      vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: cfg.containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    });

    // Images: targets of docker/Dockerfile, built and pushed by `cdk deploy`
    // (synth only stages the context; .dockerignore keeps target/ and .local/ out).
    const image = (target: string) =>
      ecs.ContainerImage.fromAsset(props.repoRoot, {
        file: 'docker/Dockerfile',
        target,
        platform: Platform.LINUX_AMD64,
        exclude: ['target', '.local', '.git', 'infra', '**/node_modules'],
      });

    const common: Record<string, string> = {
      AWS_REGION: this.region,
      SQS_QUEUE_URL: queue.queueUrl,
      SQS_DLQ_URL: dlq.queueUrl,
      SNS_TOPIC_ARN: topic.topicArn,
      RUST_LOG: 'info',
    };

    // --- security groups: only the services (and the migration task) reach Postgres
    const sg = (name: string, description: string) =>
      new ec2.SecurityGroup(this, `${name}Sg`, { vpc, description, allowAllOutbound: true });
    const pelicanSg = sg('Pelican', 'pelican: outbox relay');
    const emuSg = sg('Emu', 'emu: embedder');
    const frontendSg = sg('Frontend', 'frontend: web');
    const migrateSg = sg('Migrate', 'catalogctl one-off tasks');
    db.allowFrom(pelicanSg, 'pelican');
    db.allowFrom(emuSg, 'emu');
    db.allowFrom(frontendSg, 'frontend');
    db.allowFrom(migrateSg, 'catalogctl migrate');

    // --- one-off migration task (run after each deploy that adds migrations)
    const migrate = new CatalogTask(this, 'Migrate', {
      name: 'catalogctl',
      prefix,
      image: image('catalogctl'),
      cpu: 256,
      memoryMiB: 512,
      database,
      environment: { RUST_LOG: 'info' },
      args: ['migrate'],
    });

    // --- pelican: one active relay (+ standbys waiting on the advisory lock)
    const pelican = new CatalogService(this, 'Pelican', {
      name: 'pelican',
      prefix,
      cluster,
      securityGroup: pelicanSg,
      image: image('pelican'),
      cpu: 256,
      memoryMiB: 512,
      database,
      environment: common,
      http: { setting: 'PELICAN_HTTP_ADDR', port: PORTS.pelican },
      desiredCount: 1 + cfg.pelicanStandbyCount,
    });
    const pelicanRole = pelican.task.taskDefinition.taskRole;
    pelicanRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RelayToJobQueue',
        // SendMessage also authorizes SendMessageBatch; GetQueueAttributes is
        // pelican's start-up readiness probe (is the queue there, is it FIFO).
        actions: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );

    // --- emu: scales on backlog per task, to zero when idle
    const emu = new CatalogService(this, 'Emu', {
      name: 'emu',
      prefix,
      cluster,
      securityGroup: emuSg,
      image: image('emu'),
      cpu: 2048,
      memoryMiB: 4096,
      database,
      environment: {
        ...common,
        ...vectorStoreEnv,
        MODEL_DIR: '/opt/model/all-MiniLM-L6-v2',
        // Same as the queue's, so emu's visibility extensions match it.
        EMU_VISIBILITY_TIMEOUT_S: String(cfg.visibilityTimeoutSeconds),
      },
      secrets: vectorStoreSecrets,
      http: { setting: 'EMU_HTTP_ADDR', port: PORTS.emu },
      desiredCount: 0,
      minHealthyPercent: 0,
      capacityProviderStrategies: cfg.emuSpot
        ? [
            { capacityProvider: 'FARGATE_SPOT', weight: 1 },
            { capacityProvider: 'FARGATE', weight: 0 },
          ]
        : [{ capacityProvider: 'FARGATE', weight: 1 }],
    });
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

    // Backlog per running task = (waiting + in-flight jobs) / running tasks.
    // With no task running, any backlog reads as a full task's worth, so the
    // service scales out from zero; no backlog at all reads 0 and scales in
    // to zero. RunningTaskCount comes from Container Insights.
    const emuRunningTasks = new cw.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: emu.service.serviceName },
      statistic: 'Average',
      period: Duration.minutes(1),
      label: 'emu tasks',
    });
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
    const emuScaling = emu.service.autoScaleTaskCount({ minCapacity: 0, maxCapacity: cfg.emuMaxCount });
    emuScaling.scaleOnMetric('BacklogPerTask', {
      metric: backlogPerTask,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -cfg.emuMaxCount }, // idle: down to 0
        { lower: 0, upper: per * 0.25, change: -1 }, // lightly loaded: one fewer
        { lower: per, upper: per * 3, change: +1 },
        { lower: per * 3, change: +3 },
      ],
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      cooldown: Duration.minutes(2),
    });

    // --- frontend behind an ALB
    const frontend = new CatalogService(this, 'Frontend', {
      name: 'frontend',
      prefix,
      cluster,
      securityGroup: frontendSg,
      image: image('frontend'),
      cpu: 512,
      memoryMiB: 1024,
      database,
      environment: { ...common, ...vectorStoreEnv, MODEL_DIR: '/opt/model/all-MiniLM-L6-v2' },
      secrets: {
        ...vectorStoreSecrets,
        FRONTEND_SESSION_KEY: ecs.Secret.fromSecretsManager(appSecret, 'session_key'),
        FRONTEND_USERS: ecs.Secret.fromSecretsManager(appSecret, 'users'),
      },
      http: { setting: 'FRONTEND_ADDR', port: PORTS.frontend },
      desiredCount: cfg.frontendDesiredCount,
      minHealthyPercent: cfg.frontendDesiredCount > 1 ? 50 : 100,
      healthCheckGracePeriod: Duration.seconds(60),
    });
    frontend.task.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ShowSyncStatus',
        actions: ['sqs:GetQueueAttributes'],
        resources: [queue.queueArn, dlq.queueArn],
      }),
    );

    const albSg = new ec2.SecurityGroup(this, 'AlbSg', {
      vpc,
      description: 'frontend load balancer',
      allowAllOutbound: false,
    });
    const https = cfg.certificateArn !== undefined;
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP (redirects to HTTPS when a certificate is set)');
    if (https) albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS');
    albSg.addEgressRule(frontendSg, ec2.Port.tcp(PORTS.frontend), 'to the frontend tasks');
    frontendSg.addIngressRule(albSg, ec2.Port.tcp(PORTS.frontend), 'from the load balancer');

    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: albSg,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: cfg.deletionProtection,
    });
    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'FrontendTargets', {
      vpc,
      port: PORTS.frontend,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [frontend.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/readyz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    if (https) {
      alb.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', cfg.certificateArn!)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultTargetGroups: [targetGroup],
      });
      alb.addListener('Http', {
        port: 80,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    } else {
      alb.addListener('Http', { port: 80, open: false, defaultTargetGroups: [targetGroup] });
    }

    new OpsDashboard(this, 'Ops', { name: prefix, queue, dlq, loadBalancer: alb, emuRunningTasks });

    // --- outputs
    const url = `${https ? 'https' : 'http'}://${alb.loadBalancerDnsName}`;
    new CfnOutput(this, 'Url', { value: url, description: 'frontend' });
    new CfnOutput(this, 'JobQueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: dlq.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'DatabaseEndpoint', { value: `${database.host}:${database.port}` });
    new CfnOutput(this, 'DatabaseSecretArn', { value: database.secret.secretArn });
    new CfnOutput(this, 'MigrateCommand', {
      description: 'run the schema migrations (one-off task)',
      value: [
        'aws ecs run-task',
        `--cluster ${cluster.clusterName}`,
        `--task-definition ${migrate.taskDefinition.family}`,
        '--launch-type FARGATE',
        `--network-configuration "awsvpcConfiguration={subnets=[${vpc.privateSubnets.map((s) => s.subnetId).join(',')}],securityGroups=[${migrateSg.securityGroupId}],assignPublicIp=DISABLED}"`,
      ].join(' '),
    });
    if (pineconeSecret) {
      new CfnOutput(this, 'PineconeApiKeySecret', { value: pineconeSecret.secretName });
    }
  }
}
