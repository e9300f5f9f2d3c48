'use strict';
/*
 * Custom resource handlers (aws-cdk-lib custom_resources.Provider, onEvent +
 * isComplete) that run one ECS task during a deployment and succeed only when
 * its essential container exits 0. lib/constructs/deploy-prepare.ts uses them
 * for `catalogctl deploy-prepare`: migrations, role passwords, Pinecone index.
 *
 * Resource properties (all strings unless noted):
 *   Name             stable physical id of the resource
 *   Cluster          cluster ARN or name
 *   TaskDefinition   task definition ARN (a new revision = an Update = a new run)
 *   ContainerName    the container whose exit code decides
 *   Subnets, SecurityGroups   string lists, awsvpc configuration
 *   LogGroup, LogStreamPrefix where the container logs (awslogs driver)
 *   Hint             appended to every failure message
 *   CleanupParameters string list: SSM parameters the task writes, deleted
 *                    with the stack
 *
 * Plain JavaScript on the Lambda runtime's bundled AWS SDK v3: no build step,
 * no dependencies. `makeHandlers(clients)` takes the clients so the tests in
 * test/run-task.test.ts drive it with fakes.
 */

const LOG_TAIL_LINES = 20;
const MAX_MESSAGE_CHARS = 1500; // the whole CloudFormation response must stay under 4 KiB

function log(message, fields) {
  console.log(JSON.stringify({ message, ...fields }));
}

function makeHandlers(clients) {
  const { ecs, logs, cloudformation, ssm } = clients;

  /** CloudFormation sends an Update with the old properties while it rolls an
   *  update back. Re-running the old image's deploy-prepare then would meet
   *  migrations it does not know (sqlx refuses) and block the rollback; the
   *  schema stays as the new release left it, and the migrations must keep
   *  the previous release working (expand, then contract in a later release). */
  async function isRollingBack(stackId) {
    const out = await cloudformation.describeStacks({ StackName: stackId });
    const status = (out.Stacks && out.Stacks[0] && out.Stacks[0].StackStatus) || '';
    return status.endsWith('ROLLBACK_IN_PROGRESS');
  }

  async function onEvent(event) {
    const p = event.ResourceProperties;
    const physicalId = p.Name;
    if (event.RequestType === 'Delete') {
      for (const name of p.CleanupParameters || []) {
        try {
          await ssm.deleteParameter({ Name: name });
          log('deleted parameter', { name });
        } catch (e) {
          if (e.name !== 'ParameterNotFound') throw e;
        }
      }
      return { PhysicalResourceId: event.PhysicalResourceId || physicalId };
    }
    if (event.RequestType === 'Update' && (await isRollingBack(event.StackId))) {
      log('stack is rolling back: not running the task', { taskDefinition: p.TaskDefinition });
      return { PhysicalResourceId: physicalId, Data: { TaskArn: '', Skipped: 'rollback' } };
    }
    const out = await ecs.runTask({
      cluster: p.Cluster,
      taskDefinition: p.TaskDefinition,
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'cloudformation',
      propagateTags: 'TASK_DEFINITION',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: p.Subnets,
          securityGroups: p.SecurityGroups,
          assignPublicIp: 'DISABLED',
        },
      },
    });
    const task = out.tasks && out.tasks[0];
    if (!task) {
      const why = (out.failures || []).map((f) => `${f.reason || '?'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
      throw new Error(clip(`${p.Name}: ECS did not start the task: ${why || 'no reason given'}. ${p.Hint || ''}`));
    }
    log('task started', { taskArn: task.taskArn });
    return { PhysicalResourceId: physicalId, Data: { TaskArn: task.taskArn } };
  }

  async function isComplete(event) {
    const p = event.ResourceProperties;
    const taskArn = event.Data && event.Data.TaskArn;
    if (event.RequestType === 'Delete' || !taskArn) return { IsComplete: true };
    const out = await ecs.describeTasks({ cluster: p.Cluster, tasks: [taskArn] });
    const task = out.tasks && out.tasks[0];
    if (!task) {
      throw new Error(clip(`${p.Name}: task ${taskArn} not found: ${JSON.stringify(out.failures || [])}`));
    }
    if (task.lastStatus !== 'STOPPED') {
      log('waiting', { taskArn, lastStatus: task.lastStatus });
      return { IsComplete: false };
    }
    const container = (task.containers || []).find((c) => c.name === p.ContainerName);
    const exitCode = container ? container.exitCode : undefined;
    if (exitCode === 0) {
      log('task succeeded', { taskArn });
      return { IsComplete: true, Data: { ExitCode: '0' } };
    }
    const taskId = taskArn.split('/').pop();
    const stream = `${p.LogStreamPrefix}/${p.ContainerName}/${taskId}`;
    const tail = await logTail(p.LogGroup, stream);
    const how =
      exitCode === undefined || exitCode === null
        ? `stopped before its container ran (${task.stopCode || 'no stop code'}: ${task.stoppedReason || 'no reason'}` +
          `${container && container.reason ? `; ${container.reason}` : ''})`
        : `exited with code ${exitCode}`;
    const message =
      `${p.Name} ${how}. ${p.Hint || ''}\n` +
      `Log ${p.LogGroup} ${stream}${tail ? `, last lines:\n${tail}` : ' (empty)'}`;
    throw new Error(clip(message));
  }

  async function logTail(group, stream) {
    try {
      const out = await logs.getLogEvents({
        logGroupName: group,
        logStreamName: stream,
        limit: LOG_TAIL_LINES,
        startFromHead: false,
      });
      return (out.events || []).map((e) => e.message.trimEnd()).join('\n');
    } catch (e) {
      return `(could not read the log: ${e.name || e.message})`;
    }
  }

  return { onEvent, isComplete };
}

/** Keeps the end of a long message (where the log tail's last lines are). */
function clip(message) {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  const head = message.slice(0, 400);
  return `${head}\n…\n${message.slice(message.length - (MAX_MESSAGE_CHARS - head.length - 3))}`;
}

let handlers;
function live() {
  if (!handlers) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { ECS } = require('@aws-sdk/client-ecs');
    const { CloudWatchLogs } = require('@aws-sdk/client-cloudwatch-logs');
    const { CloudFormation } = require('@aws-sdk/client-cloudformation');
    const { SSM } = require('@aws-sdk/client-ssm');
    handlers = makeHandlers({
      ecs: new ECS({}),
      logs: new CloudWatchLogs({}),
      cloudformation: new CloudFormation({}),
      ssm: new SSM({}),
    });
  }
  return handlers;
}

module.exports = {
  makeHandlers,
  clip,
  onEvent: (event) => live().onEvent(event),
  isComplete: (event) => live().isComplete(event),
};
