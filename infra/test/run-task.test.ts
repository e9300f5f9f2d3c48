// The deploy-time task runner (lambda/run-task), driven with fake AWS clients.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runner = require('../lambda/run-task') as {
  makeHandlers: (clients: Record<string, unknown>) => {
    onEvent: (event: Record<string, unknown>) => Promise<Record<string, any>>;
    isComplete: (event: Record<string, unknown>) => Promise<Record<string, any>>;
  };
  clip: (message: string) => string;
};

const properties = {
  Name: 'catalog-dev-deploy-prepare',
  Cluster: 'arn:aws:ecs:us-east-1:111111111111:cluster/catalog-dev',
  TaskDefinition: 'arn:aws:ecs:us-east-1:111111111111:task-definition/catalog-dev-deploy-prepare:7',
  ContainerName: 'deploy-prepare',
  Subnets: ['subnet-1', 'subnet-2'],
  SecurityGroups: ['sg-1'],
  LogGroup: '/ecs/catalog-dev/deploy-prepare',
  LogStreamPrefix: 'deploy-prepare',
  Hint: 'HINT-TEXT',
  CleanupParameters: ['/catalog-dev/pinecone-index-host'],
};
const taskArn = 'arn:aws:ecs:us-east-1:111111111111:task/catalog-dev/0123abcd';

function fakes(opts: { stackStatus?: string; runTask?: unknown; task?: unknown; logLines?: string[] } = {}) {
  const calls: Record<string, unknown[]> = { runTask: [], describeTasks: [], getLogEvents: [], deleteParameter: [] };
  const clients = {
    ecs: {
      runTask: async (input: unknown) => {
        calls.runTask.push(input);
        return opts.runTask ?? { tasks: [{ taskArn }], failures: [] };
      },
      describeTasks: async (input: unknown) => {
        calls.describeTasks.push(input);
        return { tasks: opts.task ? [opts.task] : [], failures: [] };
      },
    },
    logs: {
      getLogEvents: async (input: unknown) => {
        calls.getLogEvents.push(input);
        return { events: (opts.logLines ?? []).map((message) => ({ message })) };
      },
    },
    cloudformation: {
      describeStacks: async () => ({ Stacks: [{ StackStatus: opts.stackStatus ?? 'UPDATE_IN_PROGRESS' }] }),
    },
    ssm: {
      deleteParameter: async (input: unknown) => {
        calls.deleteParameter.push(input);
        const e = new Error('gone');
        e.name = 'ParameterNotFound';
        throw e;
      },
    },
  };
  return { handlers: runner.makeHandlers(clients), calls };
}

const event = (RequestType: string, extra: Record<string, unknown> = {}) => ({
  RequestType,
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Catalog-dev/x',
  ResourceProperties: properties,
  ...extra,
});

describe('onEvent', () => {
  test('Create and Update start the task in the private subnets, without a public IP', async () => {
    for (const type of ['Create', 'Update']) {
      const { handlers, calls } = fakes();
      const out = await handlers.onEvent(event(type, { PhysicalResourceId: properties.Name }));
      expect(out).toEqual({ PhysicalResourceId: properties.Name, Data: { TaskArn: taskArn } });
      expect(calls.runTask[0]).toMatchObject({
        cluster: properties.Cluster,
        taskDefinition: properties.TaskDefinition,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' },
        },
      });
    }
  });

  test('an Update during a rollback does not run the old image', async () => {
    const { handlers, calls } = fakes({ stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    const out = await handlers.onEvent(event('Update', { PhysicalResourceId: properties.Name }));
    expect(calls.runTask).toHaveLength(0);
    expect(out.Data.TaskArn).toBe('');
    await expect(fakes().handlers.isComplete({ ...event('Update'), Data: out.Data })).resolves.toEqual({ IsComplete: true });
  });

  test('ECS refusing to start the task fails the deployment at once, with its reason and the hint', async () => {
    const { handlers } = fakes({ runTask: { tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no ENI' }] } });
    await expect(handlers.onEvent(event('Create'))).rejects.toThrow(/did not start the task: RESOURCE:ENI \(no ENI\)\. HINT-TEXT/);
  });

  test('Delete runs nothing and removes the parameters the task published', async () => {
    const { handlers, calls } = fakes();
    const out = await handlers.onEvent(event('Delete', { PhysicalResourceId: properties.Name }));
    expect(out).toEqual({ PhysicalResourceId: properties.Name });
    expect(calls.runTask).toHaveLength(0);
    expect(calls.deleteParameter).toEqual([{ Name: '/catalog-dev/pinecone-index-host' }]);
  });
});

describe('isComplete', () => {
  const stopped = (exitCode: number | undefined, extra: Record<string, unknown> = {}) => ({
    taskArn,
    lastStatus: 'STOPPED',
    containers: [{ name: 'deploy-prepare', exitCode }],
    ...extra,
  });
  const waiting = { ...event('Create'), Data: { TaskArn: taskArn } };

  test('keeps waiting while the task runs', async () => {
    const { handlers } = fakes({ task: { taskArn, lastStatus: 'RUNNING', containers: [] } });
    await expect(handlers.isComplete(waiting)).resolves.toEqual({ IsComplete: false });
  });

  test('exit code 0 completes the resource', async () => {
    const { handlers } = fakes({ task: stopped(0) });
    await expect(handlers.isComplete(waiting)).resolves.toMatchObject({ IsComplete: true });
  });

  test('a non-zero exit fails with the code, the hint and the last log lines', async () => {
    const { handlers, calls } = fakes({
      task: stopped(1),
      logLines: ['applying migrations', 'error: PINECONE_API_KEY rejected (401)'],
    });
    const failure = handlers.isComplete(waiting);
    await expect(failure).rejects.toThrow(/exited with code 1\. HINT-TEXT/);
    await expect(handlers.isComplete(waiting)).rejects.toThrow(/error: PINECONE_API_KEY rejected \(401\)/);
    expect(calls.getLogEvents[0]).toMatchObject({
      logGroupName: '/ecs/catalog-dev/deploy-prepare',
      logStreamName: 'deploy-prepare/deploy-prepare/0123abcd',
    });
  });

  test('a task that never ran its container fails with ECS\'s reason', async () => {
    const { handlers } = fakes({
      task: stopped(undefined, {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: unable to pull secrets',
      }),
    });
    await expect(handlers.isComplete(waiting)).rejects.toThrow(
      /stopped before its container ran \(TaskFailedToStart: ResourceInitializationError: unable to pull secrets\)/,
    );
  });

  test('long messages keep their start and their end within the response limit', () => {
    const long = 'start ' + 'x'.repeat(5000) + ' the last log line';
    const clipped = runner.clip(long);
    expect(clipped.length).toBeLessThanOrEqual(1500);
    expect(clipped.startsWith('start ')).toBe(true);
    expect(clipped.endsWith('the last log line')).toBe(true);
  });
});
