//! Pinecone's official OpenAPI specs (`crates/testkit/fixtures/pinecone/`,
//! compiled in) as request and response checkers: the index data plane
//! ([`Spec::data_plane`], for [`pinecone_double`](super::pinecone_double))
//! and the control plane ([`Spec::control_plane`], for
//! [`pinecone_control_double`](super::pinecone_control_double)). Both specs
//! are read the same way, by the same code.
//!
//! A small recursive checker instead of a JSON-Schema crate, because the
//! specs are OpenAPI 3.0 as Pinecone writes them, and reading them
//! faithfully takes a few decisions no generic validator makes:
//! * `minLength`/`maxLength` on arrays (`vectors`, `ids`, `vector`) are read
//!   as item counts: plainly their intent, and the documented limits;
//! * `required` under a non-object schema (`topK: {required: [top_k]}`) is
//!   ignored, as JSON Schema ignores it;
//! * request objects are *closed*: a property the schema does not declare
//!   is an error (the spec leaves `additionalProperties` unset), so that a
//!   misspelt optional field like `include_metadata` fails the test instead
//!   of being silently ignored. Free-form objects (`metadata`, `filter`)
//!   declare no properties and stay open;
//! * `x-enum` lists the allowed values like `enum`, and `oneOf` needs
//!   exactly one matching variant (which also picks the variant a
//!   `discriminator` names);
//! * an operation that declares a JSON request body needs one, even where
//!   the spec leaves `requestBody.required` unset (`create_index`).
//!
//! A keyword the checker does not implement panics, so the spec can never
//! make a check silently pass.

use axum::http::{HeaderMap, Method};
use serde_json::Value;

/// Keywords the checker implements or that only annotate.
const KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "enum",
    "x-enum",
    "oneOf",
    "nullable",
    "format",
    // `oneOf` already picks the variant the discriminator names.
    "discriminator",
    // Annotations.
    "description",
    "example",
    "title",
    "default",
    "deprecated",
];

pub struct Spec {
    doc: Value,
}

impl Spec {
    /// The index data plane (`db_data.oas.yaml`): upsert, query, delete,
    /// fetch, list, describe_index_stats.
    pub fn data_plane() -> Self {
        Self::parse(include_str!("../fixtures/pinecone/db_data.oas.yaml"))
    }

    /// The control plane (`db_control.oas.yaml`): create, describe,
    /// configure and delete indexes.
    pub fn control_plane() -> Self {
        Self::parse(include_str!("../fixtures/pinecone/db_control.oas.yaml"))
    }

    fn parse(text: &str) -> Self {
        let doc: Value = serde_norway::from_str(text).expect("parse the Pinecone spec");
        assert_eq!(doc["openapi"], "3.0.3", "the checker reads OpenAPI 3.0");
        Self { doc }
    }

    /// `info.version`, which is also the value `X-Pinecone-Api-Version` must have.
    pub fn version(&self) -> &str {
        self.doc["info"]["version"].as_str().expect("info.version")
    }

    /// The operation `method` on `path`, a path of the spec as written
    /// (`/query`, or a template like `/indexes/{index_name}`).
    pub fn operation(&self, method: &Method, path: &str) -> Option<&Value> {
        let op = self.doc["paths"]
            .get(path)?
            .get(method.as_str().to_ascii_lowercase())?;
        op.is_object().then_some(op)
    }

    /// Everything wrong with a request to `op`: security header, header and
    /// query parameters, and the JSON body against the request schema.
    pub fn check_request(
        &self,
        op: &Value,
        headers: &HeaderMap,
        query: &[(String, String)],
        body: &[u8],
    ) -> Vec<String> {
        let mut errors = Vec::new();
        self.check_security(headers, &mut errors);
        self.check_parameters(op, headers, query, &mut errors);
        match op.get("requestBody") {
            Some(request_body) => {
                let content_type = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !content_type.starts_with("application/json") {
                    errors.push(format!(
                        "content-type is {content_type:?}, not application/json"
                    ));
                }
                let schema = &request_body["content"]["application/json"]["schema"];
                match serde_json::from_slice::<Value>(body) {
                    Ok(json) => self.check(schema, &json, "body", &mut errors),
                    Err(e) => errors.push(format!("body is not JSON: {e}")),
                }
            }
            None if !body.is_empty() => errors.push("a body where the operation takes none".into()),
            None => {}
        }
        errors
    }

    /// Everything wrong with a response body the double is about to send.
    pub fn check_response(&self, op: &Value, status: u16, body: &Value) -> Vec<String> {
        let responses = &op["responses"];
        let class = format!("{}XX", status / 100);
        let Some(response) = responses
            .get(status.to_string())
            .or_else(|| responses.get(&class))
        else {
            return vec![format!("the operation has no {status} response")];
        };
        let mut errors = Vec::new();
        self.check(
            &response["content"]["application/json"]["schema"],
            body,
            "response",
            &mut errors,
        );
        errors
    }

    /// Check `value` against `schema` (following `$ref`s).
    pub fn validate(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(schema, value, "value", &mut errors);
        errors
    }

    pub fn schema(&self, name: &str) -> &Value {
        &self.doc["components"]["schemas"][name]
    }

    fn check_security(&self, headers: &HeaderMap, errors: &mut Vec<String>) {
        for requirement in self.doc["security"].as_array().into_iter().flatten() {
            for name in requirement.as_object().into_iter().flat_map(|o| o.keys()) {
                let scheme = &self.doc["components"]["securitySchemes"][name];
                assert_eq!(
                    scheme["in"], "header",
                    "only header API keys are implemented"
                );
                let header = scheme["name"].as_str().expect("scheme name");
                if headers.get(header).is_none_or(|v| v.is_empty()) {
                    errors.push(format!("missing the {header} header ({name})"));
                }
            }
        }
    }

    fn check_parameters(
        &self,
        op: &Value,
        headers: &HeaderMap,
        query: &[(String, String)],
        errors: &mut Vec<String>,
    ) {
        let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
        for param in &params {
            let name = param["name"].as_str().expect("parameter name");
            let required = param["required"] == true;
            match param["in"].as_str() {
                Some("header") => match headers.get(name).and_then(|v| v.to_str().ok()) {
                    None if required => errors.push(format!("missing the {name} header")),
                    Some(value)
                        if name.eq_ignore_ascii_case("X-Pinecone-Api-Version")
                            && value != self.version() =>
                    {
                        errors.push(format!(
                            "{name} is {value:?}, the spec is version {:?}",
                            self.version()
                        ));
                    }
                    _ => {}
                },
                Some("query") => {
                    let values: Vec<&str> = query
                        .iter()
                        .filter(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                        .collect();
                    if values.is_empty() && required {
                        errors.push(format!("missing the {name} query parameter"));
                    }
                    let schema = &param["schema"];
                    let is_array = schema["type"] == "array";
                    if !is_array && values.len() > 1 {
                        errors.push(format!(
                            "query parameter {name} given {} times",
                            values.len()
                        ));
                    }
                    let item_schema = if is_array { &schema["items"] } else { schema };
                    for value in values {
                        // A query string is text: an integer parameter
                        // (list's `limit`) is valid if the text is one.
                        let json = match value.parse::<i64>() {
                            Ok(n) if item_schema["type"] == "integer" => Value::from(n),
                            _ => Value::String(value.to_owned()),
                        };
                        self.check(item_schema, &json, &format!("query {name}"), errors);
                        // "Does not accept values containing spaces."
                        if name == "ids" && value.contains(' ') {
                            errors.push(format!("query ids value {value:?} contains a space"));
                        }
                    }
                }
                Some("path") => {}
                other => panic!("parameter location {other:?} is not implemented"),
            }
        }
        for (key, _) in query {
            if !params
                .iter()
                .any(|p| p["in"] == "query" && p["name"] == key.as_str())
            {
                errors.push(format!("unknown query parameter {key:?}"));
            }
        }
    }

    fn resolve(&self, reference: &str) -> &Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $refs are implemented: {reference}"));
        self.doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"))
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = schema
            .as_object()
            .unwrap_or_else(|| panic!("{at}: schema is not an object"));
        if let Some(reference) = schema.get("$ref") {
            // OpenAPI 3.0: siblings of $ref are ignored.
            let target = self.resolve(reference.as_str().expect("$ref is a string"));
            return self.check(target, value, at, errors);
        }
        for keyword in schema.keys() {
            assert!(
                KEYWORDS.contains(&keyword.as_str()) || keyword.starts_with("x-"),
                "{at}: the spec uses `{keyword}`, which this checker does not implement"
            );
        }
        if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
            let matching = variants
                .iter()
                .filter(|variant| {
                    let mut sub = Vec::new();
                    self.check(variant, value, at, &mut sub);
                    sub.is_empty()
                })
                .count();
            if matching != 1 {
                errors.push(format!("{at}: matches {matching} of the oneOf variants"));
            }
        }
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) && schema.contains_key("type") {
                errors.push(format!("{at}: null is not allowed"));
            }
            return;
        }
        if let Some(expected) = schema.get("type").and_then(Value::as_str) {
            let ok = match expected {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                other => panic!("{at}: type {other} is not implemented"),
            };
            if !ok {
                errors.push(format!("{at}: expected {expected}, got {value}"));
                return;
            }
        }
        for key in ["enum", "x-enum"] {
            if let Some(allowed) = schema.get(key).and_then(Value::as_array)
                && !allowed.contains(value)
            {
                errors.push(format!("{at}: {value} is not one of {allowed:?}"));
            }
        }
        match value {
            Value::Object(object) => self.check_object(schema, object, at, errors),
            Value::Array(items) => {
                check_length(schema, items.len(), "items", at, errors);
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            Value::String(text) => {
                check_length(schema, text.chars().count(), "characters", at, errors)
            }
            Value::Number(number) => check_number(schema, number, at, errors),
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn check_object(
        &self,
        schema: &serde_json::Map<String, Value>,
        object: &serde_json::Map<String, Value>,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().expect("required names are strings");
            if !object.contains_key(name) {
                errors.push(format!("{at}: missing required property {name:?}"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, item) in object {
            let item_at = format!("{at}.{key}");
            if let Some(property) = properties.and_then(|p| p.get(key)) {
                self.check(property, item, &item_at, errors);
                continue;
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    errors.push(format!("{at}: property {key:?} is not allowed"))
                }
                Some(Value::Bool(true)) => {}
                Some(additional) => self.check(additional, item, &item_at, errors),
                // Closed unless it declares nothing (a free-form object).
                None if properties.is_some() => {
                    errors.push(format!("{at}: unknown property {key:?}"));
                }
                None => {}
            }
        }
    }
}

fn check_length(
    schema: &serde_json::Map<String, Value>,
    len: usize,
    unit: &str,
    at: &str,
    errors: &mut Vec<String>,
) {
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && (len as u64) < min
    {
        errors.push(format!("{at}: {len} {unit}, fewer than {min}"));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && (len as u64) > max
    {
        errors.push(format!("{at}: {len} {unit}, more than {max}"));
    }
}

fn check_number(
    schema: &serde_json::Map<String, Value>,
    number: &serde_json::Number,
    at: &str,
    errors: &mut Vec<String>,
) {
    let value = number.as_f64().unwrap_or(f64::NAN);
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && value < min
    {
        errors.push(format!("{at}: {value} is below the minimum {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && value > max
    {
        errors.push(format!("{at}: {value} is above the maximum {max}"));
    }
    let in_range = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => i32::try_from(number.as_i64().unwrap_or(i64::MAX)).is_ok(),
        Some("float") => value.abs() <= f64::from(f32::MAX),
        _ => true,
    };
    if !in_range {
        errors.push(format!("{at}: {value} does not fit its format"));
    }
}
