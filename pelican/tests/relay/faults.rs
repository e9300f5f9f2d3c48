use std::collections::HashSet;
use std::time::Duration;

use sync_core::settings::DatabaseSettings;
use testkit::{TcpProxy, eventually, url_socket_addr, url_with_addr};

use crate::helpers::{TestStack, aws_with_endpoint, insert_products, spawn_pelican, start_process};

#[tokio::test]
async fn changes_made_while_pelican_is_down_and_a_sigkill_mid_drain_lose_nothing() {
    let stack = TestStack::new().await;
    // pelican is not running yet: these changes wait in the outbox.
    insert_products(&stack.db.pool, 2, 10_000).await;
    let expected: HashSet<uuid::Uuid> = sqlx::query_scalar("SELECT event_id FROM outbox")
        .fetch_all(&stack.db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(expected.len(), 10_000);

    let mut first = start_process(&stack.settings()).await;
    let mid_drain = eventually(Duration::from_secs(60), || async {
        let left = stack.outbox_len().await;
        left < 9_000 && left > 0
    })
    .await;
    assert!(mid_drain, "pelican did not start draining");
    first.sigkill().await;
    let left_at_kill = stack.outbox_len().await;
    assert!(left_at_kill > 0, "the kill came too late to test anything");

    let _second = start_process(&stack.settings()).await;
    stack.wait_outbox_empty(Duration::from_secs(120)).await;

    let messages = stack.receive(10_000).await;
    let received: Vec<_> = messages.iter().map(|(_, e)| e.event_id).collect();
    let unique: HashSet<_> = received.iter().copied().collect();
    let missing = expected.difference(&unique).count();
    let unexpected = unique.difference(&expected).count();
    assert_eq!(
        (missing, unexpected),
        (0, 0),
        "every event delivered, nothing else"
    );
    assert_eq!(
        received.len(),
        unique.len(),
        "resends after the kill were removed by FIFO deduplication"
    );
}

#[tokio::test]
async fn recovers_alone_when_postgres_goes_away() {
    let stack = TestStack::new().await;
    let url = stack.db.url.expose().to_owned();
    let proxy = TcpProxy::start(url_socket_addr(&url)).await;
    let mut settings = stack.settings();
    settings.database = DatabaseSettings {
        database_url: url_with_addr(&url, proxy.addr).parse().unwrap(),
    };
    let (addr, shutdown, _task) = spawn_pelican(settings).await;
    insert_products(&stack.db.pool, 3, 100).await;
    stack.wait_outbox_empty(Duration::from_secs(30)).await;

    // Postgres "restarts": connections cut, refused for a while. Changes
    // keep committing (directly, not through the proxy) during the outage.
    proxy.set_down(true);
    let readyz = format!("http://{addr}/readyz");
    let not_ready = eventually(Duration::from_secs(15), || async {
        reqwest::get(&readyz).await.is_ok_and(|r| r.status() == 503)
    })
    .await;
    assert!(not_ready, "readyz should report the lost database");
    insert_products(&stack.db.pool, 4, 200).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        stack.outbox_len().await,
        200,
        "nothing can be relayed during the outage"
    );
    proxy.set_down(false);

    stack.wait_outbox_empty(Duration::from_secs(60)).await;
    let messages = stack.receive(300).await;
    assert_eq!(messages.len(), 300);
    let ready = eventually(Duration::from_secs(15), || async {
        reqwest::get(&readyz).await.is_ok_and(|r| r.status() == 200)
    })
    .await;
    assert!(ready, "readyz should recover");
    shutdown.trigger();
}

#[tokio::test]
async fn recovers_alone_when_sqs_is_unreachable_for_ten_seconds() {
    let stack = TestStack::new().await;
    let endpoint = testkit::aws_settings().aws_endpoint_url.unwrap().0;
    let proxy = TcpProxy::start(url_socket_addr(&endpoint)).await;
    let mut settings = stack.settings();
    settings.aws = aws_with_endpoint(url_with_addr(&endpoint, proxy.addr));
    let (_addr, shutdown, _task) = spawn_pelican(settings).await;

    insert_products(&stack.db.pool, 5, 100).await;
    stack.wait_outbox_empty(Duration::from_secs(30)).await;

    proxy.set_down(true);
    insert_products(&stack.db.pool, 6, 500).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        stack.outbox_len().await,
        500,
        "kept, not dropped, while SQS is down"
    );
    proxy.set_down(false);

    stack.wait_outbox_empty(Duration::from_secs(60)).await;
    let messages = stack.receive(600).await;
    let unique: HashSet<_> = messages.iter().map(|(_, e)| e.event_id).collect();
    assert_eq!((messages.len(), unique.len()), (600, 600));
    shutdown.trigger();
}
