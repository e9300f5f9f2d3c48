//! Postgres: connection pools and the schema migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::settings::DatabaseUrl;

/// The migrations in `migrations/`, embedded in every binary that needs them
/// so a deployment applies exactly the schema it was built with.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

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

/// Whether a failed statement may succeed if tried again: connection
/// trouble and transient server states are retryable; errors the same
/// statement would hit again (bad data, missing table or extension,
/// constraint violations) are not.
pub fn is_retryable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // SQLSTATE classes: 08 connection exception, 40 transaction
            // rollback (serialization failure, deadlock), 53 insufficient
            // resources, 57 operator intervention (shutdown, cancel,
            // "cannot connect now"), 58 system error.
            ["08", "40", "53", "57", "58"]
                .iter()
                .any(|class| code.starts_with(class))
        }),
        _ => false,
    }
}

fn app_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "catalog-sync".into())
}
