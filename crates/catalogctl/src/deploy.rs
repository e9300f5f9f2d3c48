//! `catalogctl deploy-prepare`: what must be true before a release's
//! services start, done once per deploy by a one-off task (the AWS stack
//! runs it, and waits for it, before any service is started or replaced).
//!
//! 1. The schema: migrations applied (idempotent; sqlx takes an advisory
//!    lock, so a concurrent run waits).
//! 2. The services' database roles (`migrations/…_service_roles.sql`) get
//!    their passwords, each from its own secret, so that every service logs
//!    in as a role with only its own privileges and only this task holds
//!    the owner's credentials.
//! 3. With Pinecone: the index exists with the right shape and is ready,
//!    and its host is published where the services read it (an SSM
//!    parameter on AWS).

use sqlx::PgPool;
use sync_core::settings::Secret;

/// The login roles of the services, and the variable holding each one's
/// password.
pub const SERVICE_ROLES: [(&str, &str); 3] = [
    ("catalog_pelican", "PELICAN_DB_PASSWORD"),
    ("catalog_emu", "EMU_DB_PASSWORD"),
    ("catalog_frontend", "FRONTEND_DB_PASSWORD"),
];

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(
        "the role {0} does not exist: the migrations that create it have not run on this database"
    )]
    MissingRole(&'static str),
    #[error("setting the password of {role}: {source}")]
    Database {
        role: &'static str,
        source: sqlx::Error,
    },
    #[error("publishing the index host in the SSM parameter {parameter}: {message}")]
    Ssm { parameter: String, message: String },
}

/// Let `role` log in with `password`. `ALTER ROLE` takes no bind
/// parameters, so the statement is built by Postgres itself
/// (`format('%I … %L')` quotes both safely); the password never appears in
/// a log line or an error.
pub async fn set_role_password(
    pool: &PgPool,
    role: &'static str,
    password: &Secret,
) -> Result<(), DeployError> {
    let database = |source| DeployError::Database { role, source };
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)")
            .bind(role)
            .fetch_one(pool)
            .await
            .map_err(database)?;
    if !exists {
        return Err(DeployError::MissingRole(role));
    }
    let statement: String =
        sqlx::query_scalar("SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', $1, $2)")
            .bind(role)
            .bind(password.expose())
            .fetch_one(pool)
            .await
            .map_err(database)?;
    sqlx::raw_sql(&statement)
        .execute(pool)
        .await
        .map_err(database)?;
    Ok(())
}

/// Write the index host to an SSM parameter (overwriting it), where the
/// services read it as `PINECONE_INDEX_HOST`.
pub async fn publish_index_host(
    ssm: &aws_sdk_ssm::Client,
    parameter: &str,
    host: &str,
) -> Result<(), DeployError> {
    ssm.put_parameter()
        .name(parameter)
        .value(host)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .overwrite(true)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| DeployError::Ssm {
            parameter: parameter.to_owned(),
            message: sync_core::queue::describe_sdk_error(&e),
        })
}
