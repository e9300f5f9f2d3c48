//! The job queue as emu uses it: long-poll receive, acknowledge (delete)
//! after the vector store has the effect, extend or release visibility, and
//! move poison to the dead-letter queue.

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageSystemAttributeName as Attr,
};

/// One received SQS message.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    pub group_id: Option<String>,
    pub receive_count: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("SQS {operation}: {message}")]
pub struct QueueError {
    pub operation: &'static str,
    pub message: String,
}

fn error<E, R>(
    operation: &'static str,
) -> impl FnOnce(aws_sdk_sqs::error::SdkError<E, R>) -> QueueError
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    move |e| QueueError {
        operation,
        message: sync_core::queue::describe_sdk_error(&e),
    }
}

#[derive(Debug, Clone)]
pub struct JobQueue {
    pub client: aws_sdk_sqs::Client,
    pub queue_url: String,
    pub dlq_url: String,
    pub visibility_timeout_s: i32,
}

impl JobQueue {
    pub async fn receive(&self, wait_time_s: i32) -> Result<Vec<Delivery>, QueueError> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_time_s)
            .visibility_timeout(self.visibility_timeout_s)
            .message_system_attribute_names(Attr::ApproximateReceiveCount)
            .message_system_attribute_names(Attr::MessageGroupId)
            .send()
            .await
            .map_err(error("ReceiveMessage"))?;
        Ok(output
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let attributes = m.attributes.unwrap_or_default();
                Delivery {
                    message_id: m.message_id.unwrap_or_default(),
                    receipt_handle: m.receipt_handle.unwrap_or_default(),
                    body: m.body.unwrap_or_default(),
                    group_id: attributes.get(&Attr::MessageGroupId).cloned(),
                    receive_count: attributes
                        .get(&Attr::ApproximateReceiveCount)
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(1),
                }
            })
            .collect())
    }

    /// Acknowledge: the vector store holds the effect of these messages.
    /// Returns how many SQS could not delete (they will be redelivered and
    /// re-applied idempotently).
    pub async fn delete(&self, deliveries: &[&Delivery]) -> Result<usize, QueueError> {
        let mut failed = 0;
        for chunk in deliveries.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(&d.receipt_handle)
                        .build()
                        .ok()
                })
                .collect();
            let output = self
                .client
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(error("DeleteMessageBatch"))?;
            failed += output.failed.len();
        }
        Ok(failed)
    }

    /// Set the visibility of these messages: the full timeout to keep a slow
    /// batch ours, 0 to hand it back at once (shutdown).
    pub async fn set_visibility(
        &self,
        deliveries: &[&Delivery],
        seconds: i32,
    ) -> Result<(), QueueError> {
        for chunk in deliveries.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    ChangeMessageVisibilityBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(&d.receipt_handle)
                        .visibility_timeout(seconds)
                        .build()
                        .ok()
                })
                .collect();
            self.client
                .change_message_visibility_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(error("ChangeMessageVisibilityBatch"))?;
        }
        Ok(())
    }

    /// Move a message that can never succeed to the DLQ now, instead of
    /// letting it be received `maxReceiveCount` times: in a FIFO queue it
    /// would block every later change of its product meanwhile. The copy's
    /// deduplication id is the original message id, so a crash between the
    /// two steps cannot put it in the DLQ twice.
    pub async fn dead_letter(&self, delivery: &Delivery) -> Result<(), QueueError> {
        // An empty body can't be sent to SQS; keep a visible marker instead.
        let body = if delivery.body.is_empty() {
            "(empty body)"
        } else {
            delivery.body.as_str()
        };
        self.client
            .send_message()
            .queue_url(&self.dlq_url)
            .message_body(body)
            .message_group_id(delivery.group_id.as_deref().unwrap_or("poison"))
            .message_deduplication_id(&delivery.message_id)
            .send()
            .await
            .map_err(error("SendMessage to the DLQ"))?;
        self.delete(&[delivery]).await.map(|_| ())
    }

    pub async fn probe(&self) -> Result<(), QueueError> {
        sync_core::queue::probe(&self.client, &self.queue_url)
            .await
            .map_err(|message| QueueError {
                operation: "GetQueueAttributes",
                message,
            })
    }
}
