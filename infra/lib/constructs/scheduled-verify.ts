import {
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_events as events,
  aws_events_targets as targets,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CatalogTask, OneOffTaskProps } from './catalog-service';

/**
 * `image` is emu's: it carries the model (verify re-embeds a sample) and
 * catalogctl; `environment` and `secrets` are emu's vector store and
 * embedder settings.
 */
export interface ScheduledVerifyProps extends OneOffTaskProps {
  /** Logs in as catalog_emu: it reads products and the vectors, and repairs through the outbox. */
  readonly credentials: secretsmanager.ISecret;
  /** EventBridge schedule expression; undefined: the task definition only (run by hand). */
  readonly schedule?: string;
  readonly repair: boolean;
  readonly topic: sns.ITopic;
}

/**
 * `catalogctl verify` against the deployed stack: every product against the
 * index (missing, stale, orphaned vectors) and a sample of 100 re-embedded
 * (drift). With `repair`, it re-enqueues what differs through the outbox
 * (`--repair`; it never writes a vector itself). Runs on `schedule`
 * (default daily 03:30 UTC) and by hand (docs/deploy.md).
 *
 * verify exits 0 when clean, 2 when it found differences, 1 when it could
 * not run; a stopped verify task with any other exit code than 0 posts to
 * the alert topic, so a scheduled run that finds drift is seen.
 */
export class ScheduledVerify extends Construct {
  readonly task: CatalogTask;
  readonly rule?: events.Rule;

  constructor(scope: Construct, id: string, props: ScheduledVerifyProps) {
    super(scope, id);
    const args = ['verify', '--json', ...(props.repair ? ['--repair'] : [])];
    this.task = new CatalogTask(this, 'Def', {
      name: 'verify',
      binary: 'catalogctl',
      prefix: props.prefix,
      image: props.image,
      architecture: props.architecture,
      // Embedding the sample needs the model in memory; one vCPU is plenty for 100 texts.
      cpu: 1024,
      memoryMiB: 2048,
      database: props.database,
      credentials: props.credentials,
      environment: props.environment,
      secrets: props.secrets,
      args,
    });

    if (props.schedule) {
      this.rule = new events.Rule(this, 'Schedule', {
        ruleName: `${props.prefix}-verify`,
        description: `catalogctl ${args.join(' ')}`,
        schedule: events.Schedule.expression(props.schedule),
        targets: [
          new targets.EcsTask({
            cluster: props.cluster,
            taskDefinition: this.task.taskDefinition,
            launchType: ecs.LaunchType.FARGATE,
            subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [props.securityGroup],
            assignPublicIp: false,
          }),
        ],
      });
    }

    // Any verify run (scheduled or by hand) that does not exit 0.
    const family = this.task.taskDefinition.family;
    new events.Rule(this, 'Failed', {
      ruleName: `${props.prefix}-verify-failed`,
      description: 'catalogctl verify found differences (exit 2) or could not run (exit 1)',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [props.cluster.clusterArn],
          group: [`family:${family}`],
          lastStatus: ['STOPPED'],
          containers: { name: [this.task.container.containerName], exitCode: [{ 'anything-but': 0 }] },
        },
      },
      targets: [
        new targets.SnsTopic(props.topic, {
          message: events.RuleTargetInput.fromText(
            `${props.prefix}: catalogctl verify exited with ${events.EventField.fromPath('$.detail.containers[0].exitCode')} ` +
              '(2: index and products differ, 1: could not run). ' +
              `Report and log: CloudWatch Logs /ecs/${props.prefix}/verify, task ${events.EventField.fromPath('$.detail.taskArn')}.`,
          ),
        }),
      ],
    });
  }
}
