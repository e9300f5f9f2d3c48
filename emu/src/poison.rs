//! Guarantee 6, "poison never blocks": what makes a message poison, and
//! what happens to it.
//!
//! A message is poison when no retry can ever make it succeed: its body is
//! not a change event this build understands ([`ChangeEvent::decode`] says
//! why), or the embedder or the vector store refused its product's data for
//! good (the processor isolates such products by halving the batch). Poison
//! is moved to the dead-letter queue at once — in a FIFO queue it would
//! otherwise block every later change of its product until SQS gave up on
//! it — and reported on SNS with the reason, the message id and the start
//! of its body. Errors that say the *deployment* is wrong (bad API key,
//! missing table) are not poison: every message would get them, so they are
//! retried with `/readyz` red instead (see `processor`).

use serde::Serialize;
use sync_core::change_event::{ChangeEvent, InvalidEvent};
use sync_core::retry::shorten;
use tracing::Instrument;

use crate::job_queue::{Delivery, JobQueue};
use crate::metrics;

/// Why a message can never succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoisonReason {
    /// Not a valid change event (not JSON, unknown schema version, missing
    /// or mistyped fields, over the caps).
    #[error(transparent)]
    Undecodable(#[from] InvalidEvent),
    /// The embedder refused the product's text for good.
    #[error("the embedder refused the product: {0}")]
    EmbedderRefused(String),
    /// The vector store refused the product's vector or delete for good.
    #[error("the vector store refused the product: {0}")]
    StoreRefused(String),
}

/// A message's body decoded, or the reason it is poison.
pub fn decode(delivery: &Delivery) -> Result<ChangeEvent, PoisonReason> {
    Ok(ChangeEvent::decode(&delivery.body)?)
}

/// Where poison goes: the dead-letter queue, and a notification on the
/// alert topic.
#[derive(Debug, Clone)]
pub struct DeadLetters {
    pub queue: JobQueue,
    pub sns: aws_sdk_sns::Client,
    pub topic_arn: String,
}

/// What an operator needs to find and judge a dead-lettered message (the
/// SNS message body).
#[derive(Debug, Serialize)]
struct PoisonReport<'a> {
    reason: String,
    message_id: &'a str,
    receive_count: u32,
    queue_url: &'a str,
    dead_letter_queue_url: &'a str,
    /// The start of the body, for a first look without opening the DLQ.
    body_excerpt: String,
}

impl DeadLetters {
    /// Move `delivery` to the DLQ and say why on SNS. If SQS is unavailable
    /// the message stays where it is and comes back later (SQS's own
    /// redrive dead-letters it after maxReceiveCount at the latest).
    pub async fn send(&self, delivery: &Delivery, reason: &PoisonReason) {
        let span = tracing::warn_span!("poison", message_id = %delivery.message_id);
        async {
            tracing::warn!(%reason, receive_count = delivery.receive_count, "message can never succeed; moving it to the DLQ");
            metrics::messages("poison", 1);
            if let Err(e) = self.queue.dead_letter(delivery).await {
                metrics::error("dead_letter");
                tracing::error!(error = %e, "could not move the message to the DLQ; it will be redelivered");
                return;
            }
            let report = PoisonReport {
                reason: reason.to_string(),
                message_id: &delivery.message_id,
                receive_count: delivery.receive_count,
                queue_url: &self.queue.queue_url,
                dead_letter_queue_url: &self.queue.dlq_url,
                body_excerpt: shorten(&delivery.body, 300),
            };
            if let Err(e) = self.notify(&report).await {
                metrics::error("sns");
                tracing::error!(error = %e, "could not publish the poison notification");
            }
        }
        .instrument(span)
        .await;
    }

    async fn notify(&self, report: &PoisonReport<'_>) -> Result<(), String> {
        let message = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
        self.sns
            .publish()
            .topic_arn(&self.topic_arn)
            .subject("catalog sync: message moved to the dead-letter queue")
            .message(message)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sync_core::queue::describe_sdk_error(&e))
    }
}
