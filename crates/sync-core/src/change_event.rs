//! The change event: one message per committed change of a product.
//!
//! pelican builds it from an outbox row and sends it to SQS; emu decodes and
//! validates it. This type *is* the schema: the JSON shape is documented in
//! `docs/change-event.md` and a test there keeps the two in step.
//!
//! Why a schema version in every message: messages outlive deployments (a
//! queue may hold events written by the previous pelican), so emu must be able
//! to recognise a format it does not understand and dead-letter it with a
//! reason instead of guessing.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The only schema version this code writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Caps applied by the outbox trigger (in characters) so that a message
/// always fits SQS limits: the largest possible event is ~36 KB of JSON even
/// with 4-byte UTF-8 characters, far below the 256 KiB SQS message limit.
/// The embedder truncates at 256 tokens (roughly 1 000 characters) anyway,
/// so nothing that affects the vector is lost; `truncated` says when a cap hit.
pub const MAX_SKU_CHARS: usize = 100;
pub const MAX_NAME_CHARS: usize = 500;
pub const MAX_CATEGORY_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 8_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// Insert or meaningful update: (re)embed and write the vector.
    Upsert,
    /// The row is gone: remove its vector.
    Delete,
}

/// The product fields emu needs to compose the embedded text and metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductDocument {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    /// Decimal as a JSON string ("12.99"): exact, unlike a float.
    #[serde(with = "rust_decimal::serde::str_option", default)]
    pub price: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeEvent {
    pub schema_version: u32,
    /// Unique per outbox event; also the SQS FIFO deduplication id.
    pub event_id: Uuid,
    pub op: Operation,
    /// The product key (`products.id`); also the SQS FIFO message group.
    pub product_id: i64,
    /// The row version after this change (a delete carries the deleted
    /// row's version + 1), strictly increasing per product.
    pub version: i64,
    /// When the change was committed to the outbox (for lag metrics).
    pub occurred_at: DateTime<Utc>,
    /// Present for `upsert`, absent for `delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductDocument>,
    /// True when the trigger cut a text field to its cap.
    #[serde(default)]
    pub truncated: bool,
}

/// Why a message can never be processed. Sent with the SNS notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEvent {
    #[error("body is empty")]
    Empty,
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    #[error("unsupported schema version {0} (this build reads {SCHEMA_VERSION})")]
    UnknownSchemaVersion(String),
    #[error("body does not match change event schema v{SCHEMA_VERSION}: {0}")]
    Schema(String),
    #[error("invalid field {field}: {reason}")]
    InvalidField {
        field: &'static str,
        reason: &'static str,
    },
}

impl ChangeEvent {
    /// The SQS message group: all events of one product, in order.
    pub fn message_group_id(&self) -> String {
        self.product_id.to_string()
    }

    /// The SQS deduplication id: a resend of the same outbox event after a
    /// crash between "SQS accepted" and "outbox row deleted" is dropped by SQS.
    pub fn deduplication_id(&self) -> String {
        self.event_id.to_string()
    }

    /// Serialise for an SQS message body.
    ///
    /// SQS rejects a few code points that are valid in Postgres text and that
    /// serde_json leaves unescaped (U+FFFE, U+FFFF). They can only occur
    /// inside JSON strings, so escaping them keeps the JSON identical in
    /// meaning while making the body acceptable to SQS.
    pub fn to_message_body(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|_| unreachable!("plain data"));
        if !json.contains(['\u{FFFE}', '\u{FFFF}']) {
            return json;
        }
        json.replace('\u{FFFE}', "\\ufffe")
            .replace('\u{FFFF}', "\\uffff")
    }

    /// Decode and validate an SQS message body. An error means the message
    /// can never succeed, whatever the retry: it is poison.
    pub fn decode(body: &str) -> Result<Self, InvalidEvent> {
        if body.trim().is_empty() {
            return Err(InvalidEvent::Empty);
        }
        let value: serde_json::Value =
            serde_json::from_str(body).map_err(|e| InvalidEvent::NotJson(e.to_string()))?;
        match value.get("schema_version") {
            Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
            Some(v) => return Err(InvalidEvent::UnknownSchemaVersion(v.to_string())),
            None => return Err(InvalidEvent::UnknownSchemaVersion("missing".into())),
        }
        let event: ChangeEvent =
            serde_json::from_value(value).map_err(|e| InvalidEvent::Schema(e.to_string()))?;
        event.validate()?;
        Ok(event)
    }

    fn validate(&self) -> Result<(), InvalidEvent> {
        let invalid = |field, reason| Err(InvalidEvent::InvalidField { field, reason });
        if self.product_id <= 0 {
            return invalid("product_id", "must be positive");
        }
        if self.version <= 0 {
            return invalid("version", "must be positive");
        }
        match (self.op, &self.product) {
            (Operation::Upsert, None) => invalid("product", "required for upsert"),
            (Operation::Delete, Some(_)) => invalid("product", "must be absent for delete"),
            (Operation::Upsert, Some(p)) => {
                if p.sku.trim().is_empty() {
                    return invalid("product.sku", "must not be empty");
                }
                if p.sku.chars().count() > MAX_SKU_CHARS {
                    return invalid("product.sku", "longer than the cap");
                }
                if p.name.chars().count() > MAX_NAME_CHARS {
                    return invalid("product.name", "longer than the cap");
                }
                if p.description.chars().count() > MAX_DESCRIPTION_CHARS {
                    return invalid("product.description", "longer than the cap");
                }
                if p.category
                    .as_ref()
                    .is_some_and(|c| c.chars().count() > MAX_CATEGORY_CHARS)
                {
                    return invalid("product.category", "longer than the cap");
                }
                if p.price.is_some_and(|price| price.is_sign_negative()) {
                    return invalid("product.price", "must not be negative");
                }
                Ok(())
            }
            (Operation::Delete, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn upsert() -> ChangeEvent {
        ChangeEvent {
            schema_version: SCHEMA_VERSION,
            event_id: Uuid::nil(),
            op: Operation::Upsert,
            product_id: 7,
            version: 3,
            occurred_at: DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
                .unwrap()
                .with_timezone(&Utc),
            product: Some(ProductDocument {
                sku: "KIT-0001".into(),
                name: "Chef's knife".into(),
                description: "Forged steel.".into(),
                category: Some("Kitchen".into()),
                price: Some(Decimal::new(4999, 2)),
            }),
            truncated: false,
        }
    }

    #[test]
    fn round_trips_through_the_documented_shape() {
        let body = upsert().to_message_body();
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["op"], "upsert");
        assert_eq!(json["product"]["price"], "49.99");
        assert_eq!(ChangeEvent::decode(&body).unwrap(), upsert());
    }

    #[test]
    fn the_documented_example_decodes() {
        let doc = include_str!("../../../docs/change-event.md");
        let start = doc.find("```json").unwrap() + "```json".len();
        let end = start + doc[start..].find("```").unwrap();
        let event = ChangeEvent::decode(&doc[start..end]).unwrap();
        assert_eq!(event.op, Operation::Upsert);
    }

    #[test]
    fn escapes_code_points_sqs_rejects() {
        let mut event = upsert();
        event.product.as_mut().unwrap().name = "odd \u{FFFE}\u{FFFF} name".into();
        let body = event.to_message_body();
        assert!(!body.contains('\u{FFFE}') && !body.contains('\u{FFFF}'));
        assert_eq!(ChangeEvent::decode(&body).unwrap(), event);
    }

    #[test]
    fn delete_has_no_product() {
        let mut event = upsert();
        event.op = Operation::Delete;
        event.product = None;
        let body = event.to_message_body();
        assert!(!body.contains("\"product\""));
        assert_eq!(ChangeEvent::decode(&body).unwrap(), event);
    }

    #[test]
    fn rejects_poison_with_a_reason() {
        let good = serde_json::to_value(upsert()).unwrap();
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = good.clone();
            f(&mut v);
            ChangeEvent::decode(&v.to_string()).unwrap_err()
        };
        assert_eq!(ChangeEvent::decode("").unwrap_err(), InvalidEvent::Empty);
        assert!(matches!(
            ChangeEvent::decode("{not json").unwrap_err(),
            InvalidEvent::NotJson(_)
        ));
        assert!(matches!(
            with(&|v| v["schema_version"] = 2.into()),
            InvalidEvent::UnknownSchemaVersion(_)
        ));
        assert!(matches!(
            with(&|v| {
                v.as_object_mut().unwrap().remove("product_id");
            }),
            InvalidEvent::Schema(_)
        ));
        assert!(matches!(
            with(&|v| v["version"] = "three".into()),
            InvalidEvent::Schema(_)
        ));
        assert!(matches!(
            with(&|v| v["op"] = "merge".into()),
            InvalidEvent::Schema(_)
        ));
        assert!(matches!(
            with(&|v| v["version"] = (-1).into()),
            InvalidEvent::InvalidField {
                field: "version",
                ..
            }
        ));
        assert!(matches!(
            with(&|v| v["product"]["description"] = "x".repeat(2_000_000).into()),
            InvalidEvent::InvalidField {
                field: "product.description",
                ..
            }
        ));
        assert!(matches!(
            with(&|v| {
                v.as_object_mut().unwrap().remove("product");
            }),
            InvalidEvent::InvalidField {
                field: "product",
                ..
            }
        ));
    }
}
