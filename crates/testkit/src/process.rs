//! The services as real processes: what tests, the benchmark and the chaos
//! suite need to SIGKILL a service mid-batch, restart it, watch its memory
//! and time its start-up. Each runs the binary the same cargo profile built
//! (`target/<profile>/<name>`, see [`Service::binary_path`]).

use std::fs::File;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// Which binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Pelican,
    Emu,
    Frontend,
}

impl Service {
    pub fn binary_name(self) -> &'static str {
        match self {
            Self::Pelican => "pelican",
            Self::Emu => "emu",
            Self::Frontend => "frontend",
        }
    }

    /// The variable that says where the service serves `/readyz`.
    pub fn http_addr_var(self) -> &'static str {
        match self {
            Self::Pelican => "PELICAN_HTTP_ADDR",
            Self::Emu => "EMU_HTTP_ADDR",
            Self::Frontend => "FRONTEND_ADDR",
        }
    }

    /// The service binary of the cargo profile that built the running
    /// executable: tests run from `target/<profile>/deps/`, the bench and
    /// chaos binaries from `target/<profile>/`, and the services sit in
    /// `target/<profile>/`. So `make test` (profile `ci`) starts what it
    /// built, and `make bench` (release) measures what ships.
    pub fn binary_path(self) -> PathBuf {
        let exe = std::env::current_exe().unwrap_or_default();
        let mut dir = exe.parent().map(PathBuf::from).unwrap_or_default();
        if dir.file_name().is_some_and(|name| name == "deps") {
            dir.pop();
        }
        dir.join(self.binary_name())
    }
}

/// The settings every service of one test stack shares: its database (as
/// `database_url`, which may name another login than the test's owner
/// role), its queues and topic, the emulator's region and endpoint, the
/// model (absolute, since services run in a temp directory), pgvector, and
/// quiet logs. Add or override a service's own variables after these.
pub fn stack_env(database_url: &str, queues: &crate::TestQueues) -> Vec<(String, String)> {
    let aws = crate::aws_settings();
    let mut env: Vec<(String, String)> = [
        ("DATABASE_URL", database_url.to_owned()),
        ("AWS_REGION", aws.aws_region),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("SQS_QUEUE_URL", queues.provisioned.queue_url.clone()),
        ("SQS_DLQ_URL", queues.provisioned.dlq_url.clone()),
        ("SNS_TOPIC_ARN", queues.provisioned.topic_arn.clone()),
        ("VECTOR_STORE", "pgvector".to_owned()),
        ("MODEL_DIR", crate::model_dir().display().to_string()),
        ("EMBED_THREADS", "1".to_owned()),
        ("LOG_FORMAT", "pretty".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
        ("PELICAN_POLL_INTERVAL_MS", "200".to_owned()),
        ("EMU_WAIT_TIME_S", "1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(endpoint) = aws.aws_endpoint_url {
        env.push(("AWS_ENDPOINT_URL".to_owned(), endpoint.0));
    }
    env
}

/// A free port on the loopback interface. (Another process could take it
/// before the service binds it; on a test machine that race is negligible.)
pub fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address")
}

/// One running service process. Killed when dropped, so a failing test
/// leaves nothing behind.
pub struct ServiceProcess {
    service: Service,
    child: Child,
    pid: u32,
    http_addr: SocketAddr,
    log_path: PathBuf,
    started: Instant,
    // Keeps the log directory alive as long as the process.
    _log_dir: std::sync::Arc<tempfile::TempDir>,
}

impl ServiceProcess {
    /// Start `service` with exactly `env` (plus PATH/HOME and a free HTTP
    /// address, unless `env` sets one), in a temp directory so that no
    /// `.env` is read. Its stdout and stderr go to a log file
    /// ([`Self::log_tail`]).
    pub async fn spawn(service: Service, env: Vec<(String, String)>) -> std::io::Result<Self> {
        let binary = service.binary_path();
        if !binary.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} not found: build the services with the same profile first (`make test` builds them all)",
                    binary.display()
                ),
            ));
        }
        let log_dir = std::sync::Arc::new(tempfile::tempdir()?);
        let log_path = log_dir
            .path()
            .join(format!("{}.log", service.binary_name()));
        let log = File::create(&log_path)?;
        let addr_var = service.http_addr_var();
        let http_addr = match env.iter().find(|(k, _)| k == addr_var) {
            Some((_, v)) => v.parse().map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{addr_var}: {e}"))
            })?,
            None => free_addr(),
        };
        let mut command = Command::new(&binary);
        command
            .env_clear()
            .envs(
                ["PATH", "HOME"]
                    .iter()
                    .filter_map(|k| std::env::var(k).ok().map(|v| (*k, v))),
            )
            .envs(env)
            .env(addr_var, http_addr.to_string())
            .current_dir(log_dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        let started = Instant::now();
        let child = command.spawn()?;
        let pid = child.id().unwrap_or_default();
        Ok(Self {
            service,
            child,
            pid,
            http_addr,
            log_path,
            started,
            _log_dir: log_dir,
        })
    }

    pub fn service(&self) -> Service {
        self.service
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// `http://<http_addr>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// Poll `/readyz` until it answers 200; the time from spawn to ready.
    /// Fails early, with the log, if the process exits.
    pub async fn wait_ready(&mut self, timeout: Duration) -> Result<Duration, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let url = format!("{}/readyz", self.base_url());
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited with {status} before it was ready:\n{}",
                    self.service.binary_name(),
                    self.log_tail(40)
                ));
            }
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(self.started.elapsed());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "{} not ready after {timeout:?}:\n{}",
                    self.service.binary_name(),
                    self.log_tail(40)
                ));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Peak resident memory so far (`VmHWM`), while the process lives.
    pub fn peak_rss_bytes(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmHWM:").map(|kib| kib * 1024)
    }

    /// Current resident memory (`VmRSS`).
    pub fn rss_bytes(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmRSS:").map(|kib| kib * 1024)
    }

    /// A crash: no shutdown handler runs, nothing is drained.
    pub async fn sigkill(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// SIGTERM, then wait up to `timeout` for a clean exit (SIGKILL after).
    pub async fn terminate(&mut self, timeout: Duration) -> std::io::Result<ExitStatus> {
        let pid = libc::pid_t::try_from(self.pid).unwrap_or(libc::pid_t::MAX);
        if matches!(self.child.try_wait(), Ok(None)) {
            // SAFETY: kill(2) on the pid of a child we have not reaped yet,
            // so the pid cannot have been reused by another process.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => status,
            Err(_) => {
                self.child.start_kill()?;
                self.child.wait().await
            }
        }
    }

    /// The last `lines` lines the process logged.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// A metric of the service's `/metrics`, summed over its samples
    /// ([`crate::metric`]).
    pub async fn metric(&self, name: &str) -> Option<f64> {
        crate::metric(&self.base_url(), name, "").await
    }
}

fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
