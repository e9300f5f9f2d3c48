// Operational jobs: Pinecone provisioning at deploy time and the scheduled verify.
import { Match } from 'aws-cdk-lib/assertions';
import { synth, bySid, actionsOf, idOf, taskDef, container, envOf, secretsOf } from './stack-helpers';

const dev = synth();
const pinecone = synth({ vectorStore: 'pinecone' });

describe('Pinecone', () => {
  test('pgvector (default): no Pinecone settings anywhere', () => {
    expect(envOf(container(dev, 'catalog-dev-deploy-prepare')).VECTOR_STORE).toBe('pgvector');
    expect(envOf(container(dev, 'catalog-dev-emu')).VECTOR_STORE).toBe('pgvector');
    expect(JSON.stringify(dev.toJSON())).not.toContain('PINECONE');
  });

  test('deploy-prepare provisions the index: 384-d cosine serverless is its job, cloud/region/name from config', () => {
    const c = container(pinecone, 'catalog-dev-deploy-prepare');
    expect(envOf(c)).toMatchObject({
      VECTOR_STORE: 'pinecone',
      PINECONE_CONTROL_URL: 'https://api.pinecone.io',
      PINECONE_INDEX_NAME: 'catalog-dev',
      PINECONE_CLOUD: 'aws',
      PINECONE_REGION: 'us-east-1',
      PINECONE_INDEX_HOST_PARAMETER: '/catalog-dev/pinecone-index-host',
    });
    expect(JSON.stringify(secretsOf(c).PINECONE_API_KEY)).toContain('secret:catalog-dev/pinecone-api-key');
    const t = synth({ vectorStore: 'pinecone', pineconeIndexName: 'shop', pineconeRegion: 'eu-west-1', pineconeCloud: 'aws' });
    expect(envOf(container(t, 'catalog-dev-deploy-prepare'))).toMatchObject({
      PINECONE_INDEX_NAME: 'shop',
      PINECONE_REGION: 'eu-west-1',
    });
  });

  test('deploy-prepare may write the index host parameter; the services and verify read it as PINECONE_INDEX_HOST', () => {
    const publish = bySid(pinecone, 'DeployPrepareDefTaskTaskRole').PublishPineconeIndexHost;
    expect(actionsOf(publish)).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    expect(JSON.stringify(publish.Resource)).toContain(':parameter/catalog-dev/pinecone-index-host');
    for (const family of ['catalog-dev-emu', 'catalog-dev-frontend', 'catalog-dev-verify']) {
      const c = container(pinecone, family);
      expect(envOf(c).VECTOR_STORE).toBe('pinecone');
      expect(JSON.stringify(secretsOf(c).PINECONE_INDEX_HOST)).toContain(':parameter/catalog-dev/pinecone-index-host');
      expect(JSON.stringify(secretsOf(c).PINECONE_API_KEY)).toContain('secret:catalog-dev/pinecone-api-key');
      expect(envOf(c).PINECONE_INDEX_HOST).toBeUndefined();
    }
    expect(secretsOf(container(pinecone, 'catalog-dev-pelican')).PINECONE_API_KEY).toBeUndefined();
  });

  test('the API key secret is the operator\'s (not created, not emptied by a rollback); a failure names it', () => {
    const names = Object.values(pinecone.findResources('AWS::SecretsManager::Secret')).map((s) => s.Properties.Name);
    expect(names).not.toContain('catalog-dev/pinecone-api-key');
    const run = Object.values(pinecone.findResources('Custom::DeployPrepare'))[0].Properties;
    expect(run.Hint).toContain('catalog-dev/pinecone-api-key');
    expect(run.CleanupParameters).toEqual(['/catalog-dev/pinecone-index-host']);
    pinecone.hasOutput('PineconeApiKeySecret', { Value: 'catalog-dev/pinecone-api-key' });
  });

  test('the retired pineconeIndexHost setting is refused with a pointer to the new one', () => {
    expect(() => synth({ pineconeIndexHost: 'https://x.pinecone.io' })).toThrow(/vectorStore=pinecone/);
  });
});

describe('scheduled verify', () => {
  test('daily with emu\'s image, store and model, report only by default', () => {
    const verifyId = idOf(dev, 'AWS::ECS::TaskDefinition', (p) => p.Family === 'catalog-dev-verify');
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 3 * * ? *)',
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ TaskDefinitionArn: { Ref: verifyId }, LaunchType: 'FARGATE' }) })],
    });
    const c = container(dev, 'catalog-dev-verify');
    expect(c.Command.slice(1)).toEqual(['catalogctl', 'verify', '--json']);
    expect(c.Image).toEqual(container(dev, 'catalog-dev-emu').Image);
    const emuEnv = envOf(container(dev, 'catalog-dev-emu'));
    expect(envOf(c)).toMatchObject({ MODEL_DIR: emuEnv.MODEL_DIR, VECTOR_STORE: emuEnv.VECTOR_STORE });
  });

  test('--repair only when verifyRepair opts in; verifySchedule sets or removes the schedule', () => {
    expect(container(synth({ verifyRepair: 'true' }), 'catalog-dev-verify').Command).toContain('--repair');
    synth({ verifySchedule: 'rate(6 hours)' }).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    const none = synth({ verifySchedule: '' });
    expect(Object.values(none.findResources('AWS::Events::Rule')).filter((r) => r.Properties.Name === 'catalog-dev-verify')).toHaveLength(0);
    expect(taskDef(none, 'catalog-dev-verify')).toBeDefined();
  });
});
