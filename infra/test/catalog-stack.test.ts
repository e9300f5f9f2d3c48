import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CatalogStack } from '../lib/catalog-stack';
import { loadConfig } from '../lib/config';

// The environments of cdk.json, so the tests see what `cdk synth` sees.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkJson = require('../cdk.json') as { context: Record<string, unknown> };

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...cdkJson.context, ...context } });
  const config = loadConfig(app.node);
  const stack = new CatalogStack(app, 'Test', {
    config,
    repoRoot: path.resolve(__dirname, '..', '..'),
    env: { region: config.region },
  });
  return Template.fromStack(stack);
}

const dev = synth();

/** The statements of the inline policy attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(t: Template, rolePrefix: string): Array<Record<string, unknown>> {
  const policies = t.findResources('AWS::IAM::Policy');
  const found = Object.values(policies).filter((p) =>
    (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref.startsWith(rolePrefix)),
  );
  expect(found).toHaveLength(1);
  return found[0].Properties.PolicyDocument.Statement;
}

function actionsOf(statement: Record<string, unknown>): string[] {
  const a = statement.Action as string | string[];
  return (Array.isArray(a) ? a : [a]).slice().sort();
}

function refOf(t: Template, type: string, match: (props: Record<string, unknown>) => boolean): string {
  const ids = Object.entries(t.findResources(type)).filter(([, r]) => match(r.Properties ?? {}));
  expect(ids).toHaveLength(1);
  return ids[0][0];
}

const jobQueueId = refOf(dev, 'AWS::SQS::Queue', (p) => p.QueueName === 'catalog-dev-jobs.fifo');
const dlqId = refOf(dev, 'AWS::SQS::Queue', (p) => p.QueueName === 'catalog-dev-jobs-dlq.fifo');
const topicId = refOf(dev, 'AWS::SNS::Topic', () => true);

describe('job queue', () => {
  test('is FIFO, encrypted, with a FIFO DLQ and a redrive policy (default maxReceiveCount 5)', () => {
    dev.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'catalog-dev-jobs.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    dev.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'catalog-dev-jobs-dlq.fifo',
      FifoQueue: true,
      SqsManagedSseEnabled: true,
    });
  });

  test('maxReceiveCount comes from context', () => {
    const t = synth({ maxReceiveCount: '3' });
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'catalog-dev-jobs.fifo',
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
  });
});

describe('alerts', () => {
  test('the topic is KMS-encrypted; an e-mail subscription only when alertEmail is given', () => {
    dev.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    dev.resourceCountIs('AWS::SNS::Subscription', 0);
    synth({ alertEmail: 'ops@example.com' }).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  test('DLQ depth > 0 and age of oldest job alarm to the topic', () => {
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [jobQueueId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
  });
});

describe('services', () => {
  test('three Fargate services, plus the one-off migration task definition', () => {
    dev.resourceCountIs('AWS::ECS::Service', 3);
    for (const name of ['pelican', 'emu', 'frontend']) {
      dev.hasResourceProperties('AWS::ECS::Service', { ServiceName: `catalog-dev-${name}` });
    }
    dev.resourceCountIs('AWS::ECS::TaskDefinition', 4);
    dev.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'catalog-dev-catalogctl',
      ContainerDefinitions: [Match.objectLike({ Command: Match.arrayWith(['catalogctl', 'migrate']) })],
    });
  });

  test('secrets reach the containers as ECS secrets, never as plain environment', () => {
    const t = synth({ pineconeIndexHost: 'https://idx.example.pinecone.io' });
    const defs = t.findResources('AWS::ECS::TaskDefinition');
    for (const def of Object.values(defs)) {
      const c = def.Properties.ContainerDefinitions[0];
      const env = (c.Environment ?? []).map((e: { Name: string }) => e.Name);
      expect(env).not.toContain('DATABASE_URL');
      expect(env).not.toContain('DB_PASSWORD');
      expect(env).not.toContain('PINECONE_API_KEY');
      const secrets = (c.Secrets ?? []).map((s: { Name: string }) => s.Name);
      expect(secrets).toEqual(expect.arrayContaining(['DB_USER', 'DB_PASSWORD']));
    }
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'catalog-dev-emu',
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'VECTOR_STORE', Value: 'pinecone' }]),
          Secrets: Match.arrayWith([Match.objectLike({ Name: 'PINECONE_API_KEY' })]),
        }),
      ],
    });
  });

  test('the frontend is behind an ALB whose target health check is /readyz (HTTP, or HTTPS with a certificate)', () => {
    dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/readyz',
      Port: 8080,
      TargetType: 'ip',
    });
    dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    const t = synth({ certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
  });

  test('pelican runs one active relay plus the standby count from context', () => {
    dev.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'catalog-dev-pelican', DesiredCount: 1 });
    synth({ pelicanStandbyCount: '2' }).hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'catalog-dev-pelican',
      DesiredCount: 3,
    });
  });
});

describe('emu autoscaling', () => {
  test('scales on queue backlog per running task, from 0 to emuMaxCount', () => {
    dev.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 0,
      MaxCapacity: 2,
      ResourceId: Match.anyValue(),
    });
    const alarms = Object.values(dev.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      (a.Properties.Metrics ?? []).some((m: { Expression?: string }) => m.Expression?.includes('running')),
    );
    expect(alarms).toHaveLength(2); // scale-out and scale-in
    for (const alarm of alarms) {
      const metrics = alarm.Properties.Metrics as Array<Record<string, any>>;
      const names = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName).sort();
      expect(names).toEqual(['ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesVisible', 'RunningTaskCount']);
      const expr = metrics.find((m) => m.Expression)!.Expression as string;
      expect(expr).toContain('/ FILL(running, 0)');
    }
    dev.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity' }),
    });
    synth({ emuMaxCount: '5' }).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: 5,
    });
  });

  test('uses Fargate Spot when emuSpot is on', () => {
    dev.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'catalog-dev-emu',
      CapacityProviderStrategy: Match.arrayWith([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]),
    });
  });
});

describe('least-privilege task roles', () => {
  test('pelican may only send to (and probe) the job queue', () => {
    const st = statementsOf(dev, 'PelicanDefTaskTaskRole');
    expect(st).toHaveLength(1);
    expect(actionsOf(st[0])).toEqual(['sqs:GetQueueAttributes', 'sqs:SendMessage']);
    expect(st[0].Resource).toEqual({ 'Fn::GetAtt': [jobQueueId, 'Arn'] });
    expect(st[0].Effect).toBe('Allow');
  });

  test('emu may consume the job queue, dead-letter poison jobs and publish to the alert topic', () => {
    const st = statementsOf(dev, 'EmuDefTaskTaskRole');
    const bySid = Object.fromEntries(st.map((s) => [s.Sid as string, s]));
    expect(Object.keys(bySid).sort()).toEqual([
      'ConsumeJobQueue',
      'DeadLetterPoisonJobs',
      'EncryptForAlertTopic',
      'ReportPoisonJobs',
    ]);
    expect(actionsOf(bySid.ConsumeJobQueue)).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
    expect(bySid.ConsumeJobQueue.Resource).toEqual({ 'Fn::GetAtt': [jobQueueId, 'Arn'] });
    expect(actionsOf(bySid.DeadLetterPoisonJobs)).toEqual(['sqs:SendMessage']);
    expect(bySid.DeadLetterPoisonJobs.Resource).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
    expect(actionsOf(bySid.ReportPoisonJobs)).toEqual(['sns:Publish']);
    expect(bySid.ReportPoisonJobs.Resource).toEqual({ Ref: topicId });
    // Publishing to a KMS-encrypted topic needs the key, and only that key.
    expect(actionsOf(bySid.EncryptForAlertTopic)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  test('frontend may only read the attributes of both queues', () => {
    const st = statementsOf(dev, 'FrontendDefTaskTaskRole');
    expect(st).toHaveLength(1);
    expect(actionsOf(st[0])).toEqual(['sqs:GetQueueAttributes']);
    expect(st[0].Resource).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [jobQueueId, 'Arn'] }, { 'Fn::GetAtt': [dlqId, 'Arn'] }]),
    );
  });

  test('no task role has a wildcard action or resource', () => {
    for (const prefix of ['PelicanDefTaskTaskRole', 'EmuDefTaskTaskRole', 'FrontendDefTaskTaskRole']) {
      for (const s of statementsOf(dev, prefix)) {
        expect(actionsOf(s).some((a) => a.includes('*'))).toBe(false);
        expect(JSON.stringify(s.Resource)).not.toContain('"*"');
      }
    }
  });
});

describe('database', () => {
  test('PostgreSQL 16, private, encrypted, credentials in Secrets Manager', () => {
    dev.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^16\\.'),
      PubliclyAccessible: false,
      StorageEncrypted: true,
      MasterUserPassword: Match.anyValue(),
    });
    dev.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 1);
  });

  test('the database refuses unencrypted connections and the services use TLS', () => {
    dev.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
    const commands = Object.values(dev.findResources('AWS::ECS::TaskDefinition')).flatMap((r) =>
      (r.Properties.ContainerDefinitions as { Command?: string[] }[]).map((c) => (c.Command ?? []).join(' ')),
    );
    const withUrl = commands.filter((c) => c.includes('DATABASE_URL='));
    expect(withUrl.length).toBeGreaterThan(0);
    for (const command of withUrl) expect(command).toContain('sslmode=require');
  });

  test('only the service security groups may reach port 5432', () => {
    const ingress = Object.values(dev.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => r.Properties.FromPort === 5432,
    );
    expect(ingress).toHaveLength(4); // pelican, emu, frontend, migration task
    for (const rule of ingress) {
      expect(rule.Properties.CidrIp).toBeUndefined();
      expect(rule.Properties.SourceSecurityGroupId).toBeDefined();
    }
  });
});

describe('logs and dashboard', () => {
  test('every log group keeps 7 days', () => {
    const groups = Object.values(dev.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(7);
  });

  test('a dashboard and the outputs exist', () => {
    dev.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const out of ['Url', 'JobQueueUrl', 'DeadLetterQueueUrl', 'DatabaseEndpoint', 'MigrateCommand']) {
      dev.hasOutput(out, {});
    }
  });
});

describe('environments', () => {
  test('prod: multi-AZ database with deletion protection, no Spot for emu', () => {
    const prod = synth({ env: 'prod' });
    prod.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, DeletionProtection: true });
    prod.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'catalog-prod-emu',
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
  });

  test('an unknown env is refused', () => {
    expect(() => synth({ env: 'staging' })).toThrow(/unknown env "staging"/);
  });
});
