// The services: what runs, in which order, how it scales, what each task may do, per environment.
import { Match } from 'aws-cdk-lib/assertions';
import { CERT, synth, statementsOf, bySid, actionsOf, idOf, resourcesOf, taskDef, container, envOf, secretsOf, queueIds, SERVICE_FAMILIES, type Container } from './stack-helpers';

const dev = synth();
const prod = synth({ env: 'prod', certificateArn: CERT });
const pinecone = synth({ vectorStore: 'pinecone' });
const { jobQueueId, dlqId, topicId } = queueIds(dev);

describe('services', () => {
  test('three Fargate services, plus the deploy-prepare and verify task definitions', () => {
    dev.resourceCountIs('AWS::ECS::Service', 3);
    for (const name of ['pelican', 'emu', 'frontend']) {
      dev.hasResourceProperties('AWS::ECS::Service', { ServiceName: `catalog-dev-${name}` });
    }
    dev.resourceCountIs('AWS::ECS::TaskDefinition', 5);
  });

  test('secrets reach the containers as ECS secrets, never as plain environment', () => {
    for (const def of Object.values(pinecone.findResources('AWS::ECS::TaskDefinition'))) {
      for (const c of def.Properties.ContainerDefinitions as Container[]) {
        const env = Object.keys(envOf(c));
        for (const name of ['DATABASE_URL', 'DB_PASSWORD', 'PINECONE_API_KEY', 'PELICAN_DB_PASSWORD', 'FRONTEND_SESSION_KEY']) {
          expect(env).not.toContain(name);
        }
      }
      expect(Object.keys(secretsOf(def.Properties.ContainerDefinitions[0]))).toEqual(
        expect.arrayContaining(['DB_USER', 'DB_PASSWORD']),
      );
    }
  });

  test('pelican runs one active relay plus the standby count from context', () => {
    dev.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'catalog-dev-pelican', DesiredCount: 1 });
    synth({ pelicanStandbyCount: '2' }).hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'catalog-dev-pelican',
      DesiredCount: 3,
    });
  });
});

describe('deploy order: catalogctl deploy-prepare before any service', () => {
  const runs = resourcesOf(dev, 'Custom::DeployPrepare');
  const [runId, run] = runs[0];
  const prepareDefId = idOf(dev, 'AWS::ECS::TaskDefinition', (p) => p.Family === 'catalog-dev-deploy-prepare');

  test('one custom resource runs the deploy-prepare task definition and waits for it', () => {
    expect(runs).toHaveLength(1);
    expect(run.Properties.TaskDefinition).toEqual({ Ref: prepareDefId });
    expect(run.Properties.ContainerName).toBe('deploy-prepare');
    expect(container(dev, 'catalog-dev-deploy-prepare').Command).toEqual(
      expect.arrayContaining(['catalogctl', 'deploy-prepare']),
    );
    // The provider waits (onEvent starts the task, isComplete polls it) through a state machine.
    dev.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    dev.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Runtime: 'nodejs22.x' });
    dev.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: 'nodejs22.x' });
  });

  test('every service depends on it, so none starts or is replaced before it succeeded', () => {
    const services = resourcesOf(dev, 'AWS::ECS::Service');
    expect(services).toHaveLength(3);
    for (const [, s] of services) expect(s.DependsOn).toContain(runId);
  });

  test('it runs after the database, its port-5432 ingress rule and the private subnets\' egress routes', () => {
    const dbId = idOf(dev, 'AWS::RDS::DBInstance', () => true);
    const catalogctlSg = idOf(dev, 'AWS::EC2::SecurityGroup', (p) => p.GroupDescription?.startsWith('catalogctl'));
    const ingress = resourcesOf(dev, 'AWS::EC2::SecurityGroupIngress').find(
      ([, r]) => r.Properties.FromPort === 5432 && r.Properties.SourceSecurityGroupId?.['Fn::GetAtt']?.[0] === catalogctlSg,
    )!;
    expect(run.DependsOn).toEqual(expect.arrayContaining([dbId, ingress[0]]));
    const routes = resourcesOf(dev, 'AWS::EC2::Route').filter(([id]) => id.includes('app') && id.includes('DefaultRoute'));
    expect(routes).toHaveLength(2);
    for (const [id] of routes) expect(run.DependsOn).toContain(id);
  });

  test('re-runs on every new image: its property is the task definition, whose image is the content-hashed asset', () => {
    // A new image (any change in the repository: one Docker context for all
    // images) is a new task definition, so a new TaskDefinition value, so an
    // Update of the resource, which runs the task again.
    const image = JSON.stringify(container(dev, 'catalog-dev-deploy-prepare').Image);
    expect(image).toMatch(/container-assets-.*:[0-9a-f]{64}/);
  });

  test('the provider gives up after deployPrepareTimeoutMinutes', () => {
    const def = JSON.stringify(Object.values(dev.findResources('AWS::StepFunctions::StateMachine'))[0].Properties);
    // 30 min at 15 s intervals: 120 attempts.
    expect(def).toContain('\\"MaxAttempts\\":120');
  });
});

describe('emu autoscaling', () => {
  test('scales on queue backlog per running task, from minEmuTasks to emuMaxCount', () => {
    dev.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 0,
      MaxCapacity: 2,
    });
    const alarms = Object.values(dev.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      (a.Properties.Metrics ?? []).some((m: { Expression?: string }) => m.Expression?.includes('/ FILL(running, 0)')),
    );
    expect(alarms).toHaveLength(2); // scale-out and scale-in
    for (const alarm of alarms) {
      const metrics = alarm.Properties.Metrics as Array<Record<string, any>>;
      const names = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName).sort();
      expect(names).toEqual(['ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesVisible', 'RunningTaskCount']);
      const running = metrics.find((m) => m.MetricStat?.Metric.MetricName === 'RunningTaskCount')!;
      expect(running.MetricStat.Metric.Dimensions).toEqual([{ Name: 'service', Value: 'emu' }]);
    }
    synth({ emuMaxCount: '5' }).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: 5,
    });
  });

  test('minEmuTasks: dev scales to zero, prod keeps one running (and rolls it without a gap)', () => {
    dev.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'catalog-dev-emu', DesiredCount: 0 });
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 8 });
    prod.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'catalog-prod-emu',
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100 }),
    });
    synth({ minEmuTasks: '2' }).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2 });
    expect(() => synth({ minEmuTasks: '3' })).toThrow(/minEmuTasks/);
  });

  test('the task counts come from the per-minute publisher, not Container Insights (off in dev)', () => {
    const publisher = resourcesOf(dev, 'AWS::Lambda::Function').find(([, f]) =>
      String(f.Properties.Description).startsWith('desired and running task counts'),
    )!;
    expect(JSON.parse(publisher[1].Properties.Environment.Variables.SERVICES)).toEqual({
      pelican: 'catalog-dev-pelican',
      emu: 'catalog-dev-emu',
      frontend: 'catalog-dev-frontend',
    });
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [publisher[0], 'Arn'] } })],
    });
    const read = bySid(dev, 'TaskCountsPublishServiceRole').ReadServiceCounts;
    expect(actionsOf(read)).toEqual(['ecs:DescribeServices']);
    expect((read.Resource as unknown[]).length).toBe(3);
    expect(JSON.stringify(dev.toJSON())).not.toContain('ECS/ContainerInsights');
    dev.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
    });
    prod.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
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
  test('pelican may only send to (and probe) the job queue, and publish its metrics', () => {
    const st = bySid(dev, 'PelicanDefTaskTaskRole');
    expect(Object.keys(st).sort()).toEqual(['PublishMetrics', 'RelayToJobQueue']);
    expect(actionsOf(st.RelayToJobQueue)).toEqual(['sqs:GetQueueAttributes', 'sqs:SendMessage']);
    expect(st.RelayToJobQueue.Resource).toEqual({ 'Fn::GetAtt': [jobQueueId, 'Arn'] });
  });

  test('emu may consume the job queue, dead-letter poison jobs and publish to the alert topic', () => {
    const st = bySid(dev, 'EmuDefTaskTaskRole');
    expect(Object.keys(st).sort()).toEqual([
      'ConsumeJobQueue',
      'DeadLetterPoisonJobs',
      'EncryptForAlertTopic',
      'PublishMetrics',
      'ReportPoisonJobs',
    ]);
    expect(actionsOf(st.ConsumeJobQueue)).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
    expect(st.ConsumeJobQueue.Resource).toEqual({ 'Fn::GetAtt': [jobQueueId, 'Arn'] });
    expect(actionsOf(st.DeadLetterPoisonJobs)).toEqual(['sqs:SendMessage']);
    expect(st.DeadLetterPoisonJobs.Resource).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
    expect(actionsOf(st.ReportPoisonJobs)).toEqual(['sns:Publish']);
    expect(st.ReportPoisonJobs.Resource).toEqual({ Ref: topicId });
    // Publishing to a KMS-encrypted topic needs the key, and only that key.
    expect(actionsOf(st.EncryptForAlertTopic)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  test('frontend may only read the attributes of both queues, publish its metrics, and use the uploads bucket', () => {
    const st = bySid(dev, 'FrontendDefTaskTaskRole');
    // The bulk-upload statements are pinned in uploads.test.ts.
    expect(Object.keys(st).sort()).toEqual(['BulkUploadFiles', 'BulkUploadMissingIs404', 'PublishMetrics', 'ShowSyncStatus']);
    expect(actionsOf(st.ShowSyncStatus)).toEqual(['sqs:GetQueueAttributes']);
    expect(st.ShowSyncStatus.Resource).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [jobQueueId, 'Arn'] }, { 'Fn::GetAtt': [dlqId, 'Arn'] }]),
    );
  });

  test('the deploy-time runner may start only the deploy-prepare task, in this cluster', () => {
    const start = bySid(dev, 'DeployPrepareStartServiceRole').RunDeployPrepare;
    expect(actionsOf(start)).toEqual(['ecs:RunTask']);
    expect(start.Resource).toEqual({ Ref: idOf(dev, 'AWS::ECS::TaskDefinition', (p) => p.Family === 'catalog-dev-deploy-prepare') });
    expect(start.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [idOf(dev, 'AWS::ECS::Cluster', () => true), 'Arn'] } } });
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

describe('environments', () => {
  test('prod: multi-AZ database with deletion protection, no Spot for emu', () => {
    prod.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, DeletionProtection: true });
    prod.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'catalog-prod-emu',
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
  });

  test('an unknown env is refused', () => {
    expect(() => synth({ env: 'staging' })).toThrow(/unknown env "staging"/);
  });

  test('every service family of dev exists', () => {
    for (const f of SERVICE_FAMILIES) expect(taskDef(dev, f)).toBeDefined();
  });
});

describe('CPU architecture and embedding precision', () => {
  const taskDefs = (t: ReturnType<typeof synth>) => Object.values(t.findResources('AWS::ECS::TaskDefinition'));

  test('x86_64 by default; cpuArchitecture=arm64 puts every task on Graviton', () => {
    for (const def of taskDefs(dev)) {
      expect(def.Properties.RuntimePlatform.CpuArchitecture).toBe('X86_64');
    }
    const arm = synth({ cpuArchitecture: 'arm64' });
    const defs = taskDefs(arm);
    expect(defs).toHaveLength(5);
    for (const def of defs) {
      expect(def.Properties.RuntimePlatform.CpuArchitecture).toBe('ARM64');
    }
    expect(() => synth({ cpuArchitecture: 'riscv' })).toThrow(/cpuArchitecture/);
  });

  test('emu, the frontend and verify embed with one explicit precision', () => {
    for (const family of ['catalog-dev-emu', 'catalog-dev-frontend', 'catalog-dev-verify']) {
      expect(envOf(container(dev, family)).EMBED_PRECISION).toBe('f32');
    }
    const bf16 = synth({ embedPrecision: 'bf16' });
    for (const family of ['catalog-dev-emu', 'catalog-dev-frontend', 'catalog-dev-verify']) {
      expect(envOf(container(bf16, family)).EMBED_PRECISION).toBe('bf16');
    }
    expect(() => synth({ embedPrecision: 'fp8' })).toThrow(/embedPrecision/);
  });
});
