'use strict';
/*
 * Publishes each service's desired and running task counts as CloudWatch
 * metrics, once a minute (lib/constructs/task-count-metrics.ts schedules it).
 * emu's scaling and the "tasks below desired" alarms read them.
 *
 * Why not Container Insights, which has the same two metrics: it bills
 * ~15 custom metrics per service plus the cluster's and every task
 * family's, ~$20/month for this stack, to get 6 numbers. One DescribeServices
 * call a minute costs nothing, and the metrics are written in Embedded Metric
 * Format to this function's log (no PutMetricData calls, no cloudwatch:*
 * permission).
 *
 * Environment: CLUSTER (name or ARN), SERVICES (JSON object: metric
 * dimension value -> ECS service name), NAMESPACE, DIMENSION.
 */

function emf({ namespace, dimension, service, desired, running, now }) {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[dimension]],
          Metrics: [
            { Name: 'DesiredTaskCount', Unit: 'Count' },
            { Name: 'RunningTaskCount', Unit: 'Count' },
          ],
        },
      ],
    },
    [dimension]: service,
    DesiredTaskCount: desired,
    RunningTaskCount: running,
  });
}

function makeHandler({ ecs, env, print, clock }) {
  return async function handler() {
    const services = JSON.parse(env.SERVICES);
    const byName = Object.fromEntries(Object.entries(services).map(([dim, name]) => [name, dim]));
    const out = await ecs.describeServices({ cluster: env.CLUSTER, services: Object.values(services) });
    if (out.failures && out.failures.length) {
      // A service that does not exist publishes nothing; its alarm sees silence.
      console.error(JSON.stringify({ message: 'DescribeServices failures', failures: out.failures }));
    }
    const now = clock();
    for (const s of out.services || []) {
      const service = byName[s.serviceName];
      if (!service) continue;
      print(
        emf({
          namespace: env.NAMESPACE,
          dimension: env.DIMENSION,
          service,
          desired: s.desiredCount,
          running: s.runningCount,
          now,
        }),
      );
    }
  };
}

let live;
module.exports = {
  makeHandler,
  handler: async (event) => {
    if (!live) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ECS } = require('@aws-sdk/client-ecs');
      // Raw stdout, not console.log: the runtime prefixes console output with
      // a timestamp and request id, and an EMF record must be the whole line.
      const print = (line) => process.stdout.write(`${line}\n`);
      live = makeHandler({ ecs: new ECS({}), env: process.env, print, clock: Date.now });
    }
    return live(event);
  },
};
