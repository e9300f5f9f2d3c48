//! Creating the FIFO job queue, its dead-letter queue and the alert topic
//! (idempotent): `catalogctl setup-aws` for the local stack, and the tests'
//! fresh queues. On AWS the CDK stack creates the same resources.

use super::describe_sdk_error;

/// Names of the queue pair and the topic to create.
#[derive(Debug, Clone)]
pub struct QueueNames {
    /// The FIFO job queue (name ends in `.fifo`).
    pub jobs: String,
    /// Its FIFO dead-letter queue.
    pub dead_letters: String,
    pub topic: String,
    /// Receives before SQS moves a message to the DLQ.
    pub max_receive_count: u32,
    /// How long a received message stays invisible to other consumers.
    pub visibility_timeout_s: u32,
}

#[derive(Debug, Clone)]
pub struct Provisioned {
    pub queue_url: String,
    pub dlq_url: String,
    pub topic_arn: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("SQS: {0}")]
    Sqs(String),
    #[error("SNS: {0}")]
    Sns(String),
}

/// Create (or find, idempotently) the FIFO job queue with its DLQ and redrive
/// policy, and the alert topic. Used by `catalogctl setup-aws` for the local
/// stack and by the tests; on AWS the CDK stack creates the same resources.
pub async fn provision(
    sqs: &aws_sdk_sqs::Client,
    sns: &aws_sdk_sns::Client,
    names: &QueueNames,
) -> Result<Provisioned, ProvisionError> {
    use aws_sdk_sqs::types::QueueAttributeName as A;

    let dlq_url = sqs
        .create_queue()
        .queue_name(&names.dead_letters)
        .attributes(A::FifoQueue, "true")
        // Keep dead letters for the maximum, 14 days, for inspection.
        .attributes(A::MessageRetentionPeriod, "1209600")
        .send()
        .await
        .map_err(sqs_error)?
        .queue_url
        .unwrap_or_default();
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(A::QueueArn)
        .send()
        .await
        .map_err(sqs_error)?
        .attributes
        .and_then(|a| a.get(&A::QueueArn).cloned())
        .ok_or_else(|| ProvisionError::Sqs("DLQ has no ARN".into()))?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": names.max_receive_count,
    });
    let queue_url = sqs
        .create_queue()
        .queue_name(&names.jobs)
        .attributes(A::FifoQueue, "true")
        // Deduplication by explicit id (the outbox event id), not by body.
        .attributes(A::ContentBasedDeduplication, "false")
        .attributes(A::VisibilityTimeout, names.visibility_timeout_s.to_string())
        .attributes(A::RedrivePolicy, redrive.to_string())
        .send()
        .await
        .map_err(sqs_error)?
        .queue_url
        .unwrap_or_default();
    let topic_arn = sns
        .create_topic()
        .name(&names.topic)
        .send()
        .await
        .map_err(|e| ProvisionError::Sns(describe_sdk_error(&e)))?
        .topic_arn
        .unwrap_or_default();
    Ok(Provisioned {
        queue_url,
        dlq_url,
        topic_arn,
    })
}

fn sqs_error<E, R>(e: aws_sdk_sqs::error::SdkError<E, R>) -> ProvisionError
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    ProvisionError::Sqs(describe_sdk_error(&e))
}
