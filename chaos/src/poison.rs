//! Ten kinds of bad message, sent straight into the job queue, and what
//! became of them: the DLQ and the alert topic (observed through a queue
//! subscribed to it).
//!
//! Two kinds may not reach a queue as such:
//! * an empty body — AWS refuses `MessageBody` of length 0 at `SendMessage`
//!   (the emulator accepts it); where refused, one space is sent instead;
//! * a 2 MB body — over the emulator's (and AWS's) 1 MiB message limit,
//!   refused at `SendMessage`; a 1 000 000-byte event (accepted by SQS,
//!   far over emu's caps) is sent instead.
//!
//! The duplicate of a processed message is valid: it must be applied
//! harmlessly (an older version changes nothing) and never dead-lettered.

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::json;
use sqlx::PgPool;

use crate::cluster::Cluster;

/// One injected message.
pub struct Injected {
    pub kind: &'static str,
    pub body: String,
    pub message_id: String,
    /// Poison must end in the DLQ with one notification; the duplicate not.
    pub poison: bool,
}

/// The alert inbox: an SQS queue subscribed to the topic.
pub async fn subscribe_inbox(cluster: &Cluster) -> anyhow::Result<String> {
    let sqs = &cluster.queues.sqs;
    let inbox = sqs
        .create_queue()
        .queue_name(format!("chaos-alerts-{}", uuid::Uuid::new_v4().simple()))
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&inbox)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .unwrap_or_default();
    cluster
        .queues
        .sns
        .subscribe()
        .topic_arn(&cluster.queues.provisioned.topic_arn)
        .protocol("sqs")
        .endpoint(arn)
        .send()
        .await?;
    Ok(inbox)
}

fn event(op: &str, product_id: serde_json::Value, version: i64) -> serde_json::Value {
    json!({
        "schema_version": 1,
        "event_id": uuid::Uuid::new_v4().to_string(),
        "op": op,
        "product_id": product_id,
        "version": version,
        "occurred_at": "2026-11-23T10:00:00Z",
    })
}

fn product(description: &str) -> serde_json::Value {
    json!({"sku": "POISON-1", "name": "Poison", "description": description,
           "category": null, "price": null})
}

/// Send the ten kinds; returns what went in, plus notes on what SQS refused.
pub async fn inject(
    cluster: &Cluster,
    pool: &PgPool,
) -> anyhow::Result<(Vec<Injected>, Vec<String>)> {
    let sqs = &cluster.queues.sqs;
    let url = &cluster.queues.provisioned.queue_url;
    let mut notes = Vec::new();
    let send = |body: String| async move {
        sqs.send_message()
            .queue_url(url)
            .message_body(body)
            .message_group_id(format!("poison-{}", uuid::Uuid::new_v4().simple()))
            .message_deduplication_id(uuid::Uuid::new_v4().simple().to_string())
            .send()
            .await
    };
    // The duplicate: an already processed product's first event again
    // (version 1, the text it was loaded with), under a new dedup id.
    let (id, sku, name, category): (i64, String, String, Option<String>) = sqlx::query_as(
        "SELECT id, sku, name, category FROM products WHERE version > 1 ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await?;
    let mut duplicate = event("upsert", id.into(), 1);
    duplicate["product"] = json!({"sku": sku, "name": name, "description": "An older text.",
                                  "category": category, "price": null});

    let mut wrong_types = event("delete", "seven".into(), 2);
    wrong_types["version"] = "two".into();
    let mut missing_key = event("delete", 1.into(), 2);
    missing_key.as_object_mut().map(|o| o.remove("product_id"));
    let mut unknown_version = event("delete", 1.into(), 2);
    unknown_version["schema_version"] = 99.into();
    let mut oversized = event("upsert", 1.into(), 2);
    oversized["product"] = product(&"y".repeat(1_000_000 - 300));
    let mut invalid_utf8 = event("upsert", 1.into(), 2);
    invalid_utf8["product"] = product("PLACEHOLDER");
    let mut unknown_op = event("merge", 1.into(), 2);
    unknown_op["product"] = product("x");

    // A 2 MB body: over the 1 MiB limit of SQS and of the emulator, so
    // SendMessage itself must refuse it.
    match send("z".repeat(2_000_000)).await {
        Err(e) => notes.push(format!(
            "2 MB body: refused by SendMessage ({})",
            short(&sync_core::queue::describe_sdk_error(&e))
        )),
        Ok(_) => anyhow::bail!("SQS accepted a 2 MB body; the suite assumes it refuses it"),
    }
    // An empty body: AWS refuses it (MessageBody has a minimum length of 1);
    // the emulator accepts it. Whichever answers, the nearest thing that
    // can be queued goes in.
    let empty = match send(String::new()).await {
        Ok(sent) => {
            notes.push("empty body: accepted by this SQS (AWS would refuse it)".into());
            Some(sent.message_id.unwrap_or_default())
        }
        Err(e) => {
            notes.push(format!(
                "empty body: refused by SendMessage ({}); one space sent instead",
                short(&sync_core::queue::describe_sdk_error(&e))
            ));
            None
        }
    };
    let mut kinds: Vec<(&'static str, String, bool)> = vec![
        ("bad JSON", "{\"schema_version\": 1, not json".into(), true),
        ("unknown schema version", unknown_version.to_string(), true),
        ("missing key", missing_key.to_string(), true),
        ("wrong types", wrong_types.to_string(), true),
        (
            "oversized body (1 000 000 bytes)",
            oversized.to_string(),
            true,
        ),
        // A lone surrogate: the JSON text of a string no UTF-8 can hold.
        (
            "invalid UTF-8 in text",
            invalid_utf8
                .to_string()
                .replace("PLACEHOLDER", "bad \\udc80 text"),
            true,
        ),
        ("unknown operation", unknown_op.to_string(), true),
        (
            "negative version",
            event("delete", 1.into(), -3).to_string(),
            true,
        ),
        (
            "duplicate of a processed message",
            duplicate.to_string(),
            false,
        ),
    ];
    let mut injected = Vec::new();
    match empty {
        Some(message_id) => injected.push(Injected {
            kind: "empty body",
            body: String::new(),
            message_id,
            poison: true,
        }),
        None => kinds.insert(4, ("empty body (one space)", " ".into(), true)),
    }
    for (kind, body, poison) in kinds {
        let sent = send(body.clone()).await?;
        injected.push(Injected {
            kind,
            body,
            message_id: sent.message_id.unwrap_or_default(),
            poison,
        });
    }
    Ok((injected, notes))
}

fn short(text: &str) -> String {
    text.chars().take(160).collect()
}
