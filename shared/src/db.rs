//! Postgres: connection pools and the schema migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::settings::DatabaseUrl;

/// The migrations in `migrations/`, embedded in every binary that needs them
/// so a deployment applies exactly the schema it was built with.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The channel the outbox trigger notifies. The notification carries no
/// payload: it only wakes pelican, which then reads the outbox table (the
/// source of truth), so a missed notification delays but never loses work.
pub const OUTBOX_CHANNEL: &str = "outbox_wakeup";

/// A pool with a bounded acquire time, so a dead database surfaces as an
/// error (and a not-ready service) instead of a hang.
pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url.expose())?.application_name(&app_name());
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
}

/// Apply pending migrations. Idempotent: sqlx records applied versions and
/// takes an advisory lock, so concurrent runs (two replicas starting) are safe.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

fn app_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "catalog-sync".into())
}
