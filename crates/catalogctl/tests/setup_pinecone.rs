//! `catalogctl setup-pinecone` as an operator runs it, against a local
//! double of Pinecone's control plane that checks every request against the
//! official OpenAPI spec (2025-10) (`testkit::pinecone_control_double`).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use testkit::pinecone_control_double::ControlDouble;

const API_KEY: &str = "pcsk_control_test_0123456789";
/// What the double puts in index hosts, like compose's `PINECONE_HOST`.
const HOST_NAME: &str = "pinecone";

/// `catalogctl setup-pinecone` with the settings compose gives it.
async fn catalogctl(double: &ControlDouble, expect_host: Option<&str>) -> std::process::Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalogctl"));
    command
        .arg("setup-pinecone")
        // Away from the repository's `.env`, which catalogctl would load.
        .current_dir(std::env::temp_dir())
        .env("PINECONE_CONTROL_URL", double.url())
        .env("PINECONE_API_KEY", API_KEY)
        .env("PINECONE_INDEX_NAME", "catalog-products")
        .env_remove("PINECONE_CLOUD")
        .env_remove("PINECONE_REGION")
        .env_remove("PINECONE_INDEX_HOST")
        .env_remove("PINECONE_TIMEOUT_MS")
        .env("RUST_LOG", "error")
        .kill_on_drop(true);
    if let Some(host) = expect_host {
        command.env("PINECONE_INDEX_HOST", host);
    }
    tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn catalogctl_prints_the_host_and_refuses_a_drifted_one() {
    let double = ControlDouble::start(API_KEY, HOST_NAME).await;

    let created = catalogctl(&double, Some("http://pinecone:5081")).await;
    assert!(created.status.success(), "{created:?}");
    assert_eq!(
        String::from_utf8_lossy(&created.stdout),
        "http://pinecone:5081\n"
    );

    let again = catalogctl(&double, None).await;
    assert!(again.status.success(), "{again:?}");
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "http://pinecone:5081\n"
    );

    let drifted = catalogctl(&double, Some("http://pinecone:5082")).await;
    assert_eq!(drifted.status.code(), Some(1), "{drifted:?}");
    assert!(drifted.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&drifted.stderr);
    assert!(
        stderr.contains("PINECONE_INDEX_HOST is http://pinecone:5082")
            && stderr.contains("at http://pinecone:5081"),
        "{stderr}"
    );
    assert!(!stderr.contains(API_KEY));
    assert_eq!(double.index_count(), 1);
    double.assert_clean();
}
