//! SNS notifications for messages that can never succeed.

use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Alerts {
    pub client: aws_sdk_sns::Client,
    pub topic_arn: String,
}

/// What an operator needs to find and judge a dead-lettered message.
#[derive(Debug, Serialize)]
pub struct PoisonReport<'a> {
    pub reason: &'a str,
    pub message_id: &'a str,
    pub receive_count: u32,
    pub queue_url: &'a str,
    pub dead_letter_queue_url: &'a str,
    /// The start of the body, for a first look without opening the DLQ.
    pub body_excerpt: String,
}

impl Alerts {
    pub async fn poison(&self, report: &PoisonReport<'_>) -> Result<(), String> {
        let message = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject("catalog sync: message moved to the dead-letter queue")
            .message(message)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| shared::queue::describe_sdk_error(&e))
    }
}

/// At most `max` characters of `body`, for the report.
pub fn excerpt(body: &str, max: usize) -> String {
    match body.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_owned(),
    }
}
