import { aws_ecs as ecs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The services that log in to Postgres as a role of their own. */
export const DB_SERVICES = ['pelican', 'emu', 'frontend'] as const;
export type DbService = (typeof DB_SERVICES)[number];

/** The Postgres role of a service, created NOLOGIN by the migrations. */
export function dbRoleName(service: DbService): string {
  return `catalog_${service}`;
}

/** The variable that hands a service's generated password to `catalogctl deploy-prepare`. */
export function deployPreparePasswordVariable(service: DbService): string {
  return `${service.toUpperCase()}_DB_PASSWORD`;
}

export interface ServiceDbCredentialsProps {
  readonly prefix: string;
}

/**
 * One generated secret per service role (JSON `username` = `catalog_<svc>`,
 * `password`). The migrations create the roles NOLOGIN with only the grants
 * each service needs; `catalogctl deploy-prepare`, the only holder of the RDS
 * master secret, sets each role's password from these secrets and allows it
 * to log in. A service gets its own secret as DB_USER / DB_PASSWORD and never
 * sees the master credentials.
 *
 * Passwords are letters and digits only, so they go into DATABASE_URL
 * without percent-encoding (databaseUrlWrapper), like the master password.
 */
export class ServiceDbCredentials extends Construct {
  private readonly secrets: Record<DbService, secretsmanager.Secret>;

  constructor(scope: Construct, id: string, props: ServiceDbCredentialsProps) {
    super(scope, id);
    const make = (service: DbService) =>
      new secretsmanager.Secret(this, service, {
        secretName: `${props.prefix}/db/${service}`,
        description: `Postgres login of ${service} (role ${dbRoleName(service)}); applied by catalogctl deploy-prepare`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: dbRoleName(service) }),
          generateStringKey: 'password',
          passwordLength: 40,
          excludePunctuation: true,
          includeSpace: false,
        },
      });
    this.secrets = { pelican: make('pelican'), emu: make('emu'), frontend: make('frontend') };
  }

  secret(service: DbService): secretsmanager.ISecret {
    return this.secrets[service];
  }

  /** The three `<SVC>_DB_PASSWORD` ECS secrets of `catalogctl deploy-prepare`. */
  passwordsForDeployPrepare(): Record<string, ecs.Secret> {
    return Object.fromEntries(
      DB_SERVICES.map((s) => [deployPreparePasswordVariable(s), ecs.Secret.fromSecretsManager(this.secrets[s], 'password')]),
    );
  }
}
