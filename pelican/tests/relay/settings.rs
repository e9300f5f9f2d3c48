use std::process::Command;

use crate::helpers::{TestStack, start_process};

/// Run the pelican binary with exactly these variables (no `.env`: the
/// working directory is a temp dir) and return (exit code, stderr).
fn run_with(env: &[(&str, &str)]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_pelican"))
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_missing_variable_exits_non_zero_naming_it() {
    let (code, stderr) = run_with(&[("SQS_QUEUE_URL", "http://127.0.0.1:1/q.fifo")]);
    assert_ne!(code, 0);
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");

    let (code, stderr) = run_with(&[("DATABASE_URL", "postgres://u@127.0.0.1:1/db")]);
    assert_ne!(code, 0);
    assert!(stderr.contains("SQS_QUEUE_URL"), "{stderr}");
}

#[test]
fn a_malformed_variable_exits_non_zero_naming_it() {
    let base = [
        ("DATABASE_URL", "postgres://u@127.0.0.1:1/db"),
        ("SQS_QUEUE_URL", "http://127.0.0.1:1/q.fifo"),
    ];
    for (name, value) in [
        ("DATABASE_URL", "mysql://nope"),
        ("PELICAN_POLL_INTERVAL_MS", "soon"),
        ("PELICAN_CLAIM_BATCH", "0"),
        ("PELICAN_HTTP_ADDR", "localhost"),
        ("AWS_ENDPOINT_URL", "ftp://x"),
        ("LOG_FORMAT", "xml"),
    ] {
        let mut env: Vec<_> = base.iter().copied().filter(|(k, _)| *k != name).collect();
        env.push((name, value));
        let (code, stderr) = run_with(&env);
        assert_ne!(code, 0, "{name}={value} accepted");
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(
            !stderr.contains("nope") || name != "DATABASE_URL",
            "secret echoed: {stderr}"
        );
    }
}

#[tokio::test]
async fn sigterm_exits_cleanly() {
    let stack = TestStack::new().await;
    let mut pelican = start_process(&stack.settings()).await;
    let started = std::time::Instant::now();
    let status = pelican
        .terminate(std::time::Duration::from_secs(10))
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
