import * as path from 'path';
import {
  Aws,
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
  custom_resources as cr,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { skipCheckov } from '../checkov';
import { CatalogTask, OneOffTaskProps } from './catalog-service';

export interface DeployPrepareProps extends OneOffTaskProps {
  /** The RDS master secret: only this task gets it. */
  readonly masterCredentials: secretsmanager.ISecret;
  /** Everything the task needs before it can run (database, its ingress rule, NAT routes). */
  readonly runsAfter: IConstruct[];
  /** Appended to a failure message: what to check first. */
  readonly failureHint: string;
  /** SSM parameters the task writes, deleted with the stack. */
  readonly cleanupParameters?: string[];
  readonly timeout: Duration;
}

/**
 * `catalogctl deploy-prepare`, run once per deployment, before any service
 * starts or is replaced: it applies the migrations as the RDS master user,
 * sets the passwords of the services' roles and lets them log in, and (with
 * Pinecone) ensures the index and publishes its host.
 *
 * Mechanism: a custom resource (Provider with onEvent + isComplete,
 * lambda/run-task) runs the task and waits until it stops; the resource
 * succeeds only if the container exits 0, else the deployment fails with the
 * exit code and the last log lines. Its properties carry the task
 * definition's ARN, which changes with every image (all images share one
 * Docker build context, so any code or migration change is a new revision)
 * and with any change to its settings or secrets: every such deploy runs it
 * again. Each service depends on the resource (`runBefore`), so CloudFormation
 * starts or replaces no service until it succeeded, and a failure rolls the
 * deployment back with the services untouched. During a rollback the
 * handler does not run the old image (see lambda/run-task).
 *
 * Why not an init container (`dependsOn: SUCCESS`) in each service: it would
 * run the migrations in every task start (each replica, each emu scale-out,
 * each restart) and every service task would need the master secret, which
 * is what the per-service roles exist to avoid.
 */
export class DeployPrepare extends Construct {
  readonly task: CatalogTask;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DeployPrepareProps) {
    super(scope, id);
    const name = `${props.prefix}-deploy-prepare`;
    this.task = new CatalogTask(this, 'Def', {
      name: 'deploy-prepare',
      binary: 'catalogctl',
      prefix: props.prefix,
      image: props.image,
      architecture: props.architecture,
      cpu: 256,
      memoryMiB: 512,
      database: props.database,
      credentials: props.masterCredentials,
      environment: { RUST_LOG: 'info', ...props.environment },
      secrets: props.secrets,
      args: ['deploy-prepare'],
    });
    const taskDefinition = this.task.taskDefinition;
    const containerName = this.task.container.containerName;

    const code = lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'lambda', 'run-task'));
    const fn = (fnId: string, handler: string) =>
      new lambda.Function(this, fnId, {
        runtime: lambda.Runtime.NODEJS_22_X,
        code,
        handler,
        timeout: Duration.minutes(1),
        memorySize: 256,
        description: `${name}: ${handler} (deployment only)`,
        logGroup: new logs.LogGroup(this, `${fnId}Logs`, {
          retention: logs.RetentionDays.ONE_WEEK,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      });
    const onEvent = fn('Start', 'index.onEvent');
    const isComplete = fn('Wait', 'index.isComplete');

    const stack = Stack.of(this);
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RunDeployPrepare',
        actions: ['ecs:RunTask'],
        resources: [taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
      }),
    );
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PassTaskRoles',
        actions: ['iam:PassRole'],
        resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
      }),
    );
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DetectRollback',
        actions: ['cloudformation:DescribeStacks'],
        resources: [Aws.STACK_ID],
      }),
    );
    if (props.cleanupParameters?.length) {
      onEvent.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'CleanUpPublishedParameters',
          actions: ['ssm:DeleteParameter'],
          resources: props.cleanupParameters.map((p) =>
            stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: p.replace(/^\//, '') }),
          ),
        }),
      );
    }
    isComplete.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WatchDeployPrepare',
        actions: ['ecs:DescribeTasks'],
        resources: [
          stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` }),
        ],
      }),
    );
    isComplete.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadDeployPrepareLog',
        actions: ['logs:GetLogEvents'],
        resources: [this.task.logGroup.logGroupArn],
      }),
    );

    const frameworkLogs = new logs.LogGroup(this, 'ProviderLogs', {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Step Functions delivers its logs as "vended logs"; under this prefix
    // they need no CloudWatch Logs resource policy (which is size-limited).
    const waiterLogs = new logs.LogGroup(this, 'WaiterLogs', {
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: props.timeout,
      logGroup: frameworkLogs,
      waiterStateMachineLogOptions: { destination: waiterLogs },
    });
    skipCheckov(
      provider,
      'CKV_AWS_173',
      'the provider framework\'s environment holds function and state machine ARNs, no secrets',
    );

    const privateSubnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    this.resource = new CustomResource(this, 'Run', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DeployPrepare',
      properties: {
        Name: name,
        Cluster: props.cluster.clusterArn,
        TaskDefinition: taskDefinition.taskDefinitionArn,
        ContainerName: containerName,
        Subnets: privateSubnets.subnetIds,
        SecurityGroups: [props.securityGroup.securityGroupId],
        LogGroup: this.task.logGroup.logGroupName,
        LogStreamPrefix: this.task.logStreamPrefix,
        Hint: props.failureHint,
        CleanupParameters: props.cleanupParameters ?? [],
      },
    });
    this.resource.node.addDependency(privateSubnets.internetConnectivityEstablished, ...props.runsAfter);
  }

  /** Makes each construct (the services) wait for this deployment's deploy-prepare. */
  runBefore(...dependents: IConstruct[]): void {
    for (const d of dependents) d.node.addDependency(this.resource);
  }
}
