//! A product edit, checked: from the HTML form (every field, as text) or
//! from a `PATCH` body (any subset of fields; `null` clears the category
//! or the price). The limits are the caps of the change event, so an edit
//! is never silently truncated on its way to the index.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

pub use sync_core::change_event::{MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS};

/// The columns an edit may change; `None` = leave as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    /// `Some(None)` clears the category.
    pub category: Option<Option<String>>,
    /// `Some(None)` clears the price.
    pub price: Option<Option<Decimal>>,
}

/// One refused field, shown next to it (HTML) or listed in the problem body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// `name`, `description`, `category`, `price`, or `body` (the edit as
    /// a whole).
    pub field: &'static str,
    pub message: String,
}

/// The HTML edit form: every field, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    pub csrf_token: String,
    /// The version the form was rendered from: saving over a newer
    /// version (someone else's edit) is refused instead of lost.
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub price: String,
}

impl EditForm {
    pub fn validate(&self) -> Result<ProductEdit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let edit = ProductEdit {
            name: Some(
                name(&self.name)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default(),
            ),
            description: Some(
                description(&self.description)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default(),
            ),
            category: Some(
                category(&self.category)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default(),
            ),
            price: Some(
                price_text(&self.price)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default(),
            ),
        };
        if errors.is_empty() {
            Ok(edit)
        } else {
            Err(errors)
        }
    }

    /// The version the form was rendered from, if it carries a valid one.
    pub fn expected_version(&self) -> Option<i64> {
        self.version.trim().parse().ok()
    }
}

/// `PATCH /api/products/{sku}` body. Unknown fields are refused, so a typo
/// (`"descripton"`) is an error rather than an edit that does nothing.
/// (The `#[schema]` limits are the `MAX_*_CHARS` above; a test compares.)
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"price": "17.50", "version": 3})))]
pub struct ProductPatch {
    /// Trimmed; not empty.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 500)]
    name: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, max_length = 8000)]
    description: Option<Value>,
    /// `null` (or an empty string) clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 100)]
    category: Option<Value>,
    /// A string (`"19.99"`) or a number; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = patch_price_schema)]
    price: Option<Value>,
    /// If given, the edit applies only if the row is still at this version.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A price in a PATCH body: a decimal string, a number, or null.
fn patch_price_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Null,
        ]))
        .description(Some(
            "A decimal string (\"19.99\", \"$19.99\") or a number, at most two decimal places \
             and not negative; null clears the price.",
        ))
        .examples(["19.99"])
        .build()
}

/// Distinguishes "absent" (`None`) from "null" (`Some(Value::Null)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl ProductPatch {
    pub fn validate(&self) -> Result<ProductEdit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut edit = ProductEdit::default();
        if let Some(v) = &self.name {
            match v.as_str() {
                Some(s) => edit.name = name(s).map_err(|e| errors.push(e)).ok(),
                None => errors.push(error("name", "must be a string")),
            }
        }
        if let Some(v) = &self.description {
            match v.as_str() {
                Some(s) => edit.description = description(s).map_err(|e| errors.push(e)).ok(),
                None => errors.push(error("description", "must be a string")),
            }
        }
        if let Some(v) = &self.category {
            match v {
                Value::Null => edit.category = Some(None),
                Value::String(s) => edit.category = category(s).map_err(|e| errors.push(e)).ok(),
                _ => errors.push(error("category", "must be a string or null")),
            }
        }
        if let Some(v) = &self.price {
            match v {
                Value::Null => edit.price = Some(None),
                Value::String(s) => edit.price = price_text(s).map_err(|e| errors.push(e)).ok(),
                Value::Number(n) => {
                    edit.price = price_text(&n.to_string()).map_err(|e| errors.push(e)).ok();
                }
                _ => errors.push(error("price", "must be a decimal string, a number or null")),
            }
        }
        if errors.is_empty() && edit == ProductEdit::default() {
            errors.push(error(
                "body",
                "no field to change: give at least one of name, description, category, price",
            ));
        }
        if errors.is_empty() {
            Ok(edit)
        } else {
            Err(errors)
        }
    }
}

fn error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// Postgres text cannot hold NUL; no product field has a use for it.
fn no_nul(field: &'static str, raw: &str) -> Result<(), FieldError> {
    if raw.contains('\0') {
        return Err(error(field, "must not contain a NUL character"));
    }
    Ok(())
}

fn name(raw: &str) -> Result<String, FieldError> {
    no_nul("name", raw)?;
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(error("name", "must not be empty"));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(error(
            "name",
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn description(raw: &str) -> Result<String, FieldError> {
    no_nul("description", raw)?;
    // Browsers send form text with CRLF line ends; store one form.
    let text = raw.replace("\r\n", "\n").trim().to_owned();
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(error(
            "description",
            format!("at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(text)
}

fn category(raw: &str) -> Result<Option<String>, FieldError> {
    no_nul("category", raw)?;
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_CATEGORY_CHARS {
        return Err(error(
            "category",
            format!("at most {MAX_CATEGORY_CHARS} characters"),
        ));
    }
    Ok(Some(trimmed.to_owned()).filter(|c| !c.is_empty()))
}

/// The largest price `numeric(12, 2)` holds.
fn max_price() -> Decimal {
    Decimal::new(999_999_999_999, 2)
}

fn price_text(raw: &str) -> Result<Option<Decimal>, FieldError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let digits = trimmed
        .strip_prefix('$')
        .unwrap_or(trimmed)
        .replace(',', "");
    // Plain decimal notation only: "1e3" is more likely a typo than 1000.
    let price = Decimal::from_str(&digits)
        .ok()
        .filter(|_| is_plain_decimal(&digits))
        .ok_or_else(|| error("price", "must be a number such as 19.99"))?;
    if price.is_sign_negative() && !price.is_zero() {
        return Err(error("price", "may not be negative"));
    }
    if price.normalize().scale() > 2 {
        return Err(error("price", "at most two decimal places"));
    }
    if price > max_price() {
        return Err(error("price", format!("at most {}", max_price())));
    }
    Ok(Some(price.abs()))
}

/// Digits with at most one decimal point and an optional leading sign.
pub fn is_plain_decimal(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    unsigned.chars().all(|c| c.is_ascii_digit() || c == '.')
        && unsigned.matches('.').count() <= 1
        && unsigned.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn form(name: &str, price: &str) -> EditForm {
        EditForm {
            name: name.into(),
            description: "line one\r\nline two ".into(),
            category: "  ".into(),
            price: price.into(),
            ..EditForm::default()
        }
    }

    #[test]
    fn forms_set_every_field() {
        let edit = form(" Socks ", "$1,234.50").validate().unwrap();
        assert_eq!(edit.name.as_deref(), Some("Socks"));
        assert_eq!(edit.description.as_deref(), Some("line one\nline two"));
        assert_eq!(edit.category, Some(None));
        assert_eq!(edit.price, Some(Some(Decimal::new(123_450, 2))));
        let errors = form("", "1.005").validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "price"]);
        for bad in ["abc", "-1", "1e3", "100000000000"] {
            assert!(form("x", bad).validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn patches_change_only_what_they_name() {
        let patch: ProductPatch =
            serde_json::from_str(r#"{"description": "new", "price": null}"#).unwrap();
        let edit = patch.validate().unwrap();
        assert_eq!(edit.description.as_deref(), Some("new"));
        assert_eq!(edit.price, Some(None));
        assert_eq!((edit.name, edit.category), (None, None));
        let patch: ProductPatch = serde_json::from_str(r#"{"price": 12.5}"#).unwrap();
        assert_eq!(
            patch.validate().unwrap().price,
            Some(Some(Decimal::new(125, 1)))
        );
        for bad in [
            r#"{}"#,
            r#"{"name": 5}"#,
            r#"{"price": "free"}"#,
            r#"{"name": ""}"#,
            r#"{"category": []}"#,
            r#"{"name": "a\u0000b"}"#,
        ] {
            let patch: ProductPatch = serde_json::from_str(bad).unwrap();
            assert!(patch.validate().is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<ProductPatch>(r#"{"descripton": "x"}"#).is_err());
    }
}
