// The network, the database and its logins, and the job queue.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CERT, synth, idOf, resourcesOf, taskDef, container, secretsOf, queueIds } from './stack-helpers';

const dev = synth();
const prod = synth({ env: 'prod', certificateArn: CERT });
const { dlqId } = queueIds(dev);

describe('network', () => {
  test('dev: one NAT instance (t4g.nano, IMDSv2, reachable only from the VPC); prod: a NAT gateway per AZ', () => {
    dev.resourceCountIs('AWS::EC2::NatGateway', 0);
    dev.resourceCountIs('AWS::EC2::Instance', 1);
    dev.hasResourceProperties('AWS::EC2::Instance', { InstanceType: 't4g.nano', SourceDestCheck: false });
    dev.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
    const natSg = Object.values(dev.findResources('AWS::EC2::SecurityGroup')).find((g) =>
      String(g.Properties.GroupDescription).includes('NAT instances'),
    )!;
    expect(natSg.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^NetworkVpc/), 'CidrBlock'] }, IpProtocol: '-1' }),
    ]);
    prod.resourceCountIs('AWS::EC2::NatGateway', 2);
    prod.resourceCountIs('AWS::EC2::Instance', 0);
    synth({ natType: 'gateway', natGateways: '1' }).resourceCountIs('AWS::EC2::NatGateway', 1);
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
    expect(withUrl).toHaveLength(5);
    for (const command of withUrl) expect(command).toContain('sslmode=require');
  });

  test('only the service security groups may reach port 5432', () => {
    const ingress = Object.values(dev.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => r.Properties.FromPort === 5432,
    );
    expect(ingress).toHaveLength(4); // pelican, emu, frontend, catalogctl tasks
    for (const rule of ingress) {
      expect(rule.Properties.CidrIp).toBeUndefined();
      expect(rule.Properties.SourceSecurityGroupId).toBeDefined();
    }
  });
});

describe('database logins', () => {
  const masterAttachment = idOf(dev, 'AWS::SecretsManager::SecretTargetAttachment', () => true);
  const loginSecret = (t: Template, svc: string) =>
    idOf(t, 'AWS::SecretsManager::Secret', (p) => p.Name === `catalog-dev/db/${svc}`);

  test('one generated secret per service role: username catalog_<svc>, URL-safe password', () => {
    for (const svc of ['pelican', 'emu', 'frontend']) {
      dev.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `catalog-dev/db/${svc}`,
        GenerateSecretString: Match.objectLike({
          SecretStringTemplate: JSON.stringify({ username: `catalog_${svc}` }),
          GenerateStringKey: 'password',
          ExcludePunctuation: true,
        }),
      });
    }
  });

  test('each service logs in with its own secret and never gets the master secret', () => {
    for (const svc of ['pelican', 'emu', 'frontend']) {
      const family = `catalog-dev-${svc}`;
      const s = secretsOf(container(dev, family));
      expect(JSON.stringify(s.DB_USER)).toContain(loginSecret(dev, svc));
      expect(JSON.stringify(s.DB_PASSWORD)).toContain(loginSecret(dev, svc));
      expect(JSON.stringify(taskDef(dev, family))).not.toContain(masterAttachment);
      // Nor may its execution role read it.
      const execPolicies = Object.values(dev.findResources('AWS::IAM::Policy')).filter((p) =>
        (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref.startsWith(`${svc[0].toUpperCase()}${svc.slice(1)}DefTaskExecutionRole`)),
      );
      expect(execPolicies).toHaveLength(1);
      expect(JSON.stringify(execPolicies[0])).not.toContain(masterAttachment);
    }
  });

  test('deploy-prepare alone gets the master secret, plus the three role passwords', () => {
    const s = secretsOf(container(dev, 'catalog-dev-deploy-prepare'));
    expect(JSON.stringify(s.DB_USER)).toContain(masterAttachment);
    expect(JSON.stringify(s.DB_PASSWORD)).toContain(masterAttachment);
    for (const svc of ['pelican', 'emu', 'frontend']) {
      expect(JSON.stringify(s[`${svc.toUpperCase()}_DB_PASSWORD`])).toEqual(
        JSON.stringify({ 'Fn::Join': ['', [{ Ref: loginSecret(dev, svc) }, ':password::']] }),
      );
    }
    const holders = resourcesOf(dev, 'AWS::ECS::TaskDefinition').filter(([, r]) => JSON.stringify(r).includes(masterAttachment));
    expect(holders.map(([, r]) => r.Properties.Family)).toEqual(['catalog-dev-deploy-prepare']);
  });

  test('the scheduled verify logs in as catalog_emu', () => {
    const s = secretsOf(container(dev, 'catalog-dev-verify'));
    expect(JSON.stringify(s.DB_USER)).toContain(loginSecret(dev, 'emu'));
  });
});

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
    synth({ maxReceiveCount: '3' }).hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'catalog-dev-jobs.fifo',
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
  });
});
