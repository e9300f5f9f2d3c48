//! AWS clients for the job queue and the alert topic, built from settings;
//! the readiness probe every service reports as `sqs`; and (feature
//! `provision`) creating the queue pair and topic.
//!
//! Locally `AWS_ENDPOINT_URL` points both at the emulator; on AWS it is unset
//! and the SDK's default credential chain (the ECS task role) applies.

use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::settings::AwsSettings;

pub async fn sdk_config(settings: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(settings.aws_region.clone()));
    if let Some(endpoint) = &settings.aws_endpoint_url {
        loader = loader.endpoint_url(endpoint.0.clone());
    }
    loader.load().await
}

pub fn sqs_client(config: &SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

/// One line for an AWS SDK error (SQS, SNS, S3 and SSM share the error type):
/// the service's error code and message when the service answered (the full
/// chain would also print the raw HTTP response, which has no place in a log
/// line, a readiness report or an alert), otherwise the chain of causes (a
/// connection error, a timeout).
pub fn describe_sdk_error<E, R>(e: &aws_sdk_sqs::error::SdkError<E, R>) -> String
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.as_service_error() {
        Some(service) => format!(
            "{}: {}",
            service.code().unwrap_or("service error"),
            service.message().unwrap_or("no message")
        ),
        None => aws_sdk_sqs::error::DisplayErrorContext(e).to_string(),
    }
}

/// Readiness probe: the queue exists and this process may read its
/// attributes (what every service's `/readyz` reports as `sqs`).
pub async fn probe(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<(), String> {
    sqs.get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::FifoQueue)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| describe_sdk_error(&e))
}

#[cfg(feature = "provision")]
pub use self::provision::{ProvisionError, Provisioned, QueueNames, provision};

#[cfg(feature = "provision")]
mod provision;

/// The last path segment of a queue URL is the queue name.
pub fn queue_name_from_url(url: &str) -> Option<&str> {
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
}

/// The last `:` segment of a topic ARN is the topic name.
pub fn topic_name_from_arn(arn: &str) -> Option<&str> {
    arn.rsplit(':').next().filter(|s| !s.is_empty())
}
