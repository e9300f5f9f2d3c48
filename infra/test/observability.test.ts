// Observability: alarms and where they go, metrics from the services, logs and the dashboard.
import { Match } from 'aws-cdk-lib/assertions';
import { ADOT_IMAGE } from '../lib/constructs/metrics-sidecar';
import { build, synth, bySid, actionsOf, container, envOf, queueIds } from './stack-helpers';

const dev = synth();
const { jobQueueId, dlqId, topicId } = queueIds(dev);

describe('alerts', () => {
  const alarms = Object.values(dev.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.AlarmName);
  const alarm = (name: string) => alarms.find((a) => a.Properties.AlarmName === `catalog-dev-${name}`)!.Properties;

  test('the alarm list, each notifying the one topic when it fires and when it clears', () => {
    expect(alarms.map((a) => a.Properties.AlarmName).sort()).toEqual(
      [
        'db-cpu',
        'db-free-storage',
        'dlq-not-empty',
        'emu-tasks-below-desired',
        'frontend-tasks-below-desired',
        'http-5xx',
        'jobs-oldest-age',
        'outbox-oldest-age',
        'pelican-no-leader',
        'pelican-tasks-below-desired',
        'unhealthy-targets',
      ].map((n) => `catalog-dev-${n}`),
    );
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  test('no pelican leader: the sum of pelican_is_leader below 1, silence counts as an outage', () => {
    expect(alarm('pelican-no-leader')).toMatchObject({
      Namespace: 'CatalogSync/dev',
      MetricName: 'pelican_is_leader',
      Dimensions: [{ Name: 'service', Value: 'pelican' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'breaching',
    });
    expect(synth({ pelicanNoLeaderMinutes: '2' }).findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: 'catalog-dev-pelican-no-leader', EvaluationPeriods: 2 },
    })).not.toEqual({});
  });

  test('outbox age, queue age, DLQ, ALB, RDS and task-count alarms watch the right metrics', () => {
    expect(alarm('outbox-oldest-age')).toMatchObject({
      MetricName: 'pelican_outbox_oldest_age_seconds',
      Statistic: 'Maximum',
      Threshold: 900,
    });
    expect(alarm('dlq-not-empty')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0,
    });
    expect(alarm('jobs-oldest-age')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [jobQueueId, 'QueueName'] } }],
    });
    const names = (a: Record<string, any>) =>
      (a.Metrics as Array<Record<string, any>>).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName).sort();
    expect(names(alarm('http-5xx'))).toEqual(['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count']);
    expect(alarm('unhealthy-targets')).toMatchObject({ MetricName: 'UnHealthyHostCount', Threshold: 0 });
    expect(alarm('db-cpu')).toMatchObject({ Namespace: 'AWS/RDS', MetricName: 'CPUUtilization', Threshold: 80 });
    expect(alarm('db-free-storage')).toMatchObject({
      MetricName: 'FreeStorageSpace',
      Threshold: 2 * 1024 ** 3,
      ComparisonOperator: 'LessThanThreshold',
    });
    for (const svc of ['pelican', 'emu', 'frontend']) {
      const a = alarm(`${svc}-tasks-below-desired`);
      expect(names(a)).toEqual(['DesiredTaskCount', 'RunningTaskCount']);
      for (const m of a.Metrics.filter((x: Record<string, any>) => x.MetricStat)) {
        expect(m.MetricStat.Metric).toMatchObject({ Namespace: 'CatalogSync/dev', Dimensions: [{ Name: 'service', Value: svc }] });
      }
      expect(a.Metrics.find((m: Record<string, any>) => m.Expression).Expression).toBe('FILL(desired, 0) - FILL(running, 0)');
    }
    // Silence from an always-on service is an outage; emu at zero tasks may be silent.
    expect(alarm('pelican-tasks-below-desired').TreatMissingData).toBe('breaching');
    expect(alarm('emu-tasks-below-desired').TreatMissingData).toBe('notBreaching');
  });

  test('e-mail subscription from alertEmail; without one, none and a synth-time warning', () => {
    dev.resourceCountIs('AWS::SNS::Subscription', 0);
    build().annotations.hasWarning('*', Match.stringLikeRegexp('NO ALERT E-MAIL'));
    const { template, annotations } = build({ alertEmail: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    annotations.hasNoWarning('*', Match.stringLikeRegexp('NO ALERT E-MAIL'));
    dev.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('a verify run that does not exit 0 posts to the topic', () => {
    dev.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        'detail-type': ['ECS Task State Change'],
        detail: Match.objectLike({ group: ['family:catalog-dev-verify'], lastStatus: ['STOPPED'] }),
      }),
      Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
    });
  });
});

describe('metrics on AWS (ADOT sidecar, EMF)', () => {
  const sidecar = (family: string) => container(dev, family, 'metrics');
  const config = (family: string) => JSON.parse(envOf(sidecar(family)).AOT_CONFIG_CONTENT);

  test('each service task scrapes its own /metrics on localhost and writes EMF to CloudWatch', () => {
    for (const [svc, port] of [['pelican', 9101], ['emu', 9102], ['frontend', 8080]] as const) {
      const family = `catalog-dev-${svc}`;
      expect(sidecar(family)).toMatchObject({ Image: ADOT_IMAGE, Essential: false, ReadonlyRootFilesystem: true });
      const c = config(family);
      const scrape = c.receivers.prometheus.config.scrape_configs[0];
      expect(scrape.metrics_path).toBe('/metrics');
      expect(scrape.static_configs[0].targets).toEqual([`localhost:${port}`]);
      expect(c.exporters.awsemf).toMatchObject({
        namespace: 'CatalogSync/dev',
        log_group_name: '/ecs/catalog-dev/metrics',
        dimension_rollup_option: 'NoDimensionRollup',
      });
      expect(c.service.pipelines.metrics).toMatchObject({ receivers: ['prometheus'], exporters: ['awsemf'] });
      expect(envOf(sidecar(family)).AOT_CONFIG_CONTENT).not.toContain('$');
      const publish = bySid(dev, `${svc[0].toUpperCase()}${svc.slice(1)}DefTaskTaskRole`).PublishMetrics;
      expect(actionsOf(publish)).toEqual(['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
    }
  });

  test('the key metrics are exported', () => {
    const exported = (family: string) =>
      (config(family).exporters.awsemf.metric_declarations as Array<{ metric_name_selectors: string[] }>).flatMap(
        (d) => d.metric_name_selectors,
      );
    expect(exported('catalog-dev-pelican')).toEqual(
      expect.arrayContaining([
        '^pelican_outbox_backlog',
        '^pelican_outbox_oldest_age_seconds',
        '^pelican_is_leader',
        '^pelican_send_errors_total',
      ]),
    );
    expect(exported('catalog-dev-emu')).toEqual(
      expect.arrayContaining(['^emu_errors_total', '^emu_messages_total', '^emu_lag_seconds']),
    );
    expect(exported('catalog-dev-frontend')).toEqual(expect.arrayContaining(['^http_request_duration_seconds']));
  });
});

describe('logs and dashboard', () => {
  test('every log group keeps 7 days', () => {
    const groups = Object.values(dev.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(8);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(7);
  });

  test('a dashboard and the outputs exist', () => {
    dev.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const out of ['Url', 'JobQueueUrl', 'DeadLetterQueueUrl', 'DatabaseEndpoint', 'DeployPrepareCommand', 'SeedCommand']) {
      dev.hasOutput(out, {});
    }
    // The by-hand verify runs keep the DATABASE_URL wrapper and differ only in --repair.
    const command = (name: string) => JSON.stringify(dev.findOutputs(name)[name].Value);
    expect(command('VerifyCommand')).toContain('catalog-dev-verify');
    expect(command('VerifyCommand')).toContain('sslmode=require');
    expect(command('VerifyCommand')).not.toContain('--repair');
    expect(command('VerifyRepairCommand')).toContain('\\"--repair\\"');
  });
});
