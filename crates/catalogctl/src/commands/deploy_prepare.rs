//! `catalogctl deploy-prepare`: schema, service logins and the index, once
//! per deploy, before any service of the release starts (see
//! [`catalogctl::deploy`]). Each step is idempotent, so a re-run (a retried
//! deploy, a rollback that runs it again) is harmless; the first failure
//! stops the deploy with a one-line reason.

use anyhow::Context;
use catalogctl::deploy::{self, SERVICE_ROLES};
use sync_core::db;
use sync_core::settings::{AwsSettings, DatabaseSettings, Secret, SecretParser};
use vector_store::VectorStoreKind;

use super::pinecone::{PineconeIndexArgs, ensure_index};

#[derive(clap::Args, Debug)]
pub struct DeployPrepareArgs {
    /// The owner's (RDS master's) connection: it applies the migrations and
    /// sets the services' passwords.
    #[command(flatten)]
    db: DatabaseSettings,
    #[command(flatten)]
    aws: AwsSettings,
    /// Which vector store the services use; `pinecone` also sets up the
    /// index.
    #[arg(
        long,
        env = "VECTOR_STORE",
        value_name = "VECTOR_STORE",
        value_enum,
        default_value = "pgvector"
    )]
    vector_store: VectorStoreKind,
    /// Password of the role catalog_pelican (secret); unset = unchanged.
    #[arg(
        long,
        env = "PELICAN_DB_PASSWORD",
        value_name = "PELICAN_DB_PASSWORD",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    pelican_db_password: Option<Secret>,
    /// Password of the role catalog_emu (secret); unset = unchanged.
    #[arg(
        long,
        env = "EMU_DB_PASSWORD",
        value_name = "EMU_DB_PASSWORD",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    emu_db_password: Option<Secret>,
    /// Password of the role catalog_frontend (secret); unset = unchanged.
    #[arg(
        long,
        env = "FRONTEND_DB_PASSWORD",
        value_name = "FRONTEND_DB_PASSWORD",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    frontend_db_password: Option<Secret>,
    #[command(flatten)]
    pinecone: PineconeIndexArgs,
    /// SSM parameter the index host is written to, for the services'
    /// PINECONE_INDEX_HOST (the AWS stack's); unset = not published.
    #[arg(
        long,
        env = "PINECONE_INDEX_HOST_PARAMETER",
        value_name = "PINECONE_INDEX_HOST_PARAMETER"
    )]
    index_host_parameter: Option<String>,
}

pub async fn run(args: DeployPrepareArgs) -> anyhow::Result<()> {
    let pool = db::connect(&args.db.database_url, 2)
        .await
        .context("connecting to DATABASE_URL")?;
    db::migrate(&pool).await.context(
        "applying migrations (a database migrated by a newer release refuses an older one)",
    )?;
    eprintln!("migrations applied");

    let passwords = [
        &args.pelican_db_password,
        &args.emu_db_password,
        &args.frontend_db_password,
    ];
    for ((role, variable), password) in SERVICE_ROLES.into_iter().zip(passwords) {
        if let Some(password) = password {
            deploy::set_role_password(&pool, role, password)
                .await
                .with_context(|| variable)?;
            eprintln!("{role} may log in");
        }
    }

    if args.vector_store == VectorStoreKind::Pinecone {
        let host = ensure_index(args.pinecone).await?;
        if let Some(parameter) = &args.index_host_parameter {
            let config = sync_core::queue::sdk_config(&args.aws).await;
            deploy::publish_index_host(&aws_sdk_ssm::Client::new(&config), parameter, &host.0)
                .await?;
            eprintln!("index host {host} published in {parameter}");
        }
    }
    eprintln!("ready to deploy");
    Ok(())
}
