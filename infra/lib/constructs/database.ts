import { Duration, RemovalPolicy, aws_ec2 as ec2, aws_logs as logs, aws_rds as rds } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly instanceType: string;
  readonly allocatedStorageGb: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  /** DB instance identifier; also names its log group. */
  readonly identifier: string;
}

export const DB_NAME = 'catalog';
export const DB_USER = 'catalog';

/**
 * PostgreSQL 16 (pgvector is available on RDS; the migrations create the
 * extension as the master user) in the isolated subnets: not publicly
 * accessible, storage encrypted, credentials generated into Secrets Manager.
 * Its security group admits nobody; services are allowed in by `allowFrom`.
 *
 * The master credentials go to `catalogctl deploy-prepare` only (DeployPrepare);
 * the services log in as their own roles (ServiceDbCredentials).
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'Sg', {
      vpc: props.vpc,
      description: 'Postgres: reachable only from the catalog services',
      allowAllOutbound: false,
    });

    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_13 });
    const parameterGroup = new rds.ParameterGroup(this, 'Params', {
      engine,
      description: 'catalog sync',
      parameters: {
        // Every connection must be encrypted: the services connect with
        // sslmode=require (see databaseUrlWrapper).
        'rds.force_ssl': '1',
        'log_min_duration_statement': '1000',
      },
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      parameterGroup,
      instanceType: new ec2.InstanceType(props.instanceType),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.allocatedStorageGb * 4,
      multiAz: props.multiAz,
      databaseName: DB_NAME,
      // Only URL-safe characters, so the password goes into DATABASE_URL
      // without percent-encoding (see databaseUrlWrapper).
      credentials: rds.Credentials.fromGeneratedSecret(DB_USER, {
        excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,^',
      }),
      backupRetention: Duration.days(props.backupRetentionDays),
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      cloudwatchLogsExports: ['postgresql'],
      // Allowed alongside the password; lets operators connect with IAM tokens.
      iamAuthentication: true,
      instanceIdentifier: props.identifier,
    });
    // The exported Postgres log goes to this group; created here (7-day
    // retention) rather than by RDS (never expires) or by CDK's log-retention
    // Lambda (one more function to run and secure).
    const logGroup = new logs.LogGroup(this, 'PostgresLog', {
      logGroupName: `/aws/rds/instance/${props.identifier}/postgresql`,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.instance.node.addDependency(logGroup);
  }

  allowFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(5432), description);
  }
}
