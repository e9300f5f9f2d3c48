import { aws_ecs as ecs, aws_iam as iam, aws_secretsmanager as secretsmanager, aws_ssm as ssm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CatalogConfig } from '../config';

/** The settings one container needs for the vector store. */
export interface VectorStoreSettings {
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ecs.Secret>;
}

export interface VectorStoreWiringProps {
  readonly config: CatalogConfig;
  readonly prefix: string;
}

/**
 * Where the vectors live, as environment and secrets for each container.
 *
 * pgvector (default): VECTOR_STORE=pgvector, nothing else; the vectors share
 * the products database.
 *
 * Pinecone: `catalogctl deploy-prepare` creates the serverless index unless
 * it exists (PINECONE_INDEX_NAME, 384 dimensions, cosine, PINECONE_CLOUD /
 * PINECONE_REGION), waits until it is ready, and writes its host to the SSM
 * parameter PINECONE_INDEX_HOST_PARAMETER. The services and the scheduled
 * verify read that parameter as the ECS secret PINECONE_INDEX_HOST, which ECS
 * resolves at every task start; the services are created only after
 * deploy-prepare succeeded (DeployPrepare), so the parameter exists by then.
 *
 * The API key lives in a Secrets Manager secret that the operator creates
 * before the first deploy (`pineconeApiKeySecretName`); the stack only reads
 * it. A secret owned by the stack could not hold the key in time: the first
 * deploy would run deploy-prepare against an empty secret, fail, and roll the
 * whole stack back, secret included.
 */
export class VectorStoreWiring extends Construct {
  readonly usesPinecone: boolean;
  /** Pinecone: the operator's API key secret (imported by name). */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /** Pinecone: the SSM parameter deploy-prepare writes the index host to. */
  readonly indexHostParameter?: ssm.IStringParameter;
  readonly indexHostParameterName?: string;
  private readonly config: CatalogConfig;

  constructor(scope: Construct, id: string, props: VectorStoreWiringProps) {
    super(scope, id);
    this.config = props.config;
    this.usesPinecone = props.config.vectorStore === 'pinecone';
    if (this.usesPinecone) {
      this.apiKeySecret = secretsmanager.Secret.fromSecretNameV2(
        this,
        'PineconeApiKey',
        props.config.pineconeApiKeySecretName,
      );
      this.indexHostParameterName = `/${props.prefix}/pinecone-index-host`;
      this.indexHostParameter = ssm.StringParameter.fromStringParameterName(
        this,
        'PineconeIndexHost',
        this.indexHostParameterName,
      );
    }
  }

  /** emu, the frontend and the scheduled verify: the store to read and write. */
  forServices(): VectorStoreSettings {
    if (!this.usesPinecone) return { environment: { VECTOR_STORE: 'pgvector' }, secrets: {} };
    return {
      environment: { VECTOR_STORE: 'pinecone' },
      secrets: {
        PINECONE_API_KEY: ecs.Secret.fromSecretsManager(this.apiKeySecret!),
        PINECONE_INDEX_HOST: ecs.Secret.fromSsmParameter(this.indexHostParameter!),
      },
    };
  }

  /** `catalogctl deploy-prepare`: the index to ensure and where to publish its host. */
  forDeployPrepare(): VectorStoreSettings {
    if (!this.usesPinecone) return { environment: { VECTOR_STORE: 'pgvector' }, secrets: {} };
    const c = this.config;
    return {
      environment: {
        VECTOR_STORE: 'pinecone',
        PINECONE_CONTROL_URL: 'https://api.pinecone.io',
        PINECONE_INDEX_NAME: c.pineconeIndexName,
        PINECONE_CLOUD: c.pineconeCloud,
        PINECONE_REGION: c.pineconeRegion,
        PINECONE_INDEX_HOST_PARAMETER: this.indexHostParameterName!,
      },
      secrets: { PINECONE_API_KEY: ecs.Secret.fromSecretsManager(this.apiKeySecret!) },
    };
  }

  /** Lets deploy-prepare's task role write the index host (and nothing else in SSM). */
  grantPublishHost(role: iam.IGrantable): void {
    if (!this.indexHostParameter) return;
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishPineconeIndexHost',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [this.indexHostParameter.parameterArn],
      }),
    );
  }
}
