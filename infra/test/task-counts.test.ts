// The task-count publisher (lambda/task-counts), driven with a fake ECS client.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const publisher = require('../lambda/task-counts') as {
  makeHandler: (deps: Record<string, unknown>) => () => Promise<void>;
};

test('one EMF record per service: desired and running counts, dimension service', async () => {
  const lines: string[] = [];
  const requests: unknown[] = [];
  const handler = publisher.makeHandler({
    ecs: {
      describeServices: async (input: unknown) => {
        requests.push(input);
        return {
          services: [
            { serviceName: 'catalog-dev-pelican', desiredCount: 1, runningCount: 1 },
            { serviceName: 'catalog-dev-emu', desiredCount: 2, runningCount: 0 },
          ],
          failures: [],
        };
      },
    },
    env: {
      CLUSTER: 'catalog-dev',
      SERVICES: JSON.stringify({ pelican: 'catalog-dev-pelican', emu: 'catalog-dev-emu' }),
      NAMESPACE: 'CatalogSync/dev',
      DIMENSION: 'service',
    },
    print: (line: string) => lines.push(line),
    clock: () => 1700000000000,
  });
  await handler();
  expect(requests).toEqual([{ cluster: 'catalog-dev', services: ['catalog-dev-pelican', 'catalog-dev-emu'] }]);
  const records = lines.map((l) => JSON.parse(l));
  expect(records).toHaveLength(2);
  expect(records[1]).toEqual({
    _aws: {
      Timestamp: 1700000000000,
      CloudWatchMetrics: [
        {
          Namespace: 'CatalogSync/dev',
          Dimensions: [['service']],
          Metrics: [
            { Name: 'DesiredTaskCount', Unit: 'Count' },
            { Name: 'RunningTaskCount', Unit: 'Count' },
          ],
        },
      ],
    },
    service: 'emu',
    DesiredTaskCount: 2,
    RunningTaskCount: 0,
  });
});
