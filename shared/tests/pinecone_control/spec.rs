//! Pinecone's official control-plane spec (`db_control.oas.yaml`, next to
//! this file) as a request and response checker.
//!
//! The same reading as the data plane's checker
//! (`vector_store_pinecone/spec.rs`): objects that declare properties are
//! *closed* (an undeclared field is an error, so a misspelt one fails the
//! test), `x-enum` lists the allowed values, and `oneOf` needs exactly one
//! match. A keyword the checker does not implement panics, so the spec can
//! never make a check silently pass.

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
    // `oneOf` already picks the variant the discriminator names.
    "discriminator",
    // Annotations.
    "nullable",
    "format",
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
    pub fn load() -> Self {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/pinecone_control/db_control.oas.yaml"
        );
        let text = std::fs::read_to_string(path).expect("read the Pinecone control-plane spec");
        let doc: Value = serde_norway::from_str(&text).expect("parse the Pinecone spec");
        assert_eq!(doc["openapi"], "3.0.3", "the checker reads OpenAPI 3.0");
        Self { doc }
    }

    /// `info.version`, which is also the value `X-Pinecone-Api-Version` must have.
    pub fn version(&self) -> &str {
        self.doc["info"]["version"].as_str().expect("info.version")
    }

    /// The operation `method` on a path template (`/indexes/{index_name}`).
    pub fn operation(&self, method: &Method, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.as_str().to_ascii_lowercase()];
        assert!(op.is_object(), "the spec has no {method} {template}");
        op
    }

    /// Everything wrong with a request: the API key header, the version
    /// header, and the JSON body against the request schema.
    pub fn check_request(&self, op: &Value, headers: &HeaderMap, body: &[u8]) -> Vec<String> {
        let mut errors = Vec::new();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let scheme = &self.doc["components"]["securitySchemes"]["ApiKeyAuth"];
        let key_header = scheme["name"].as_str().expect("the API key header");
        if header(key_header).is_none_or(str::is_empty) {
            errors.push(format!("missing the {key_header} header"));
        }
        for param in op["parameters"].as_array().into_iter().flatten() {
            let name = param["name"].as_str().expect("parameter name");
            if param["in"] != "header" {
                continue;
            }
            match header(name) {
                None if param["required"] == true => {
                    errors.push(format!("missing the {name} header"));
                }
                Some(value) if name == "X-Pinecone-Api-Version" && value != self.version() => {
                    errors.push(format!(
                        "{name} is {value:?}, the spec is version {:?}",
                        self.version()
                    ));
                }
                _ => {}
            }
        }
        match op.get("requestBody") {
            Some(request_body) => {
                if !header("content-type").is_some_and(|v| v.starts_with("application/json")) {
                    errors.push("content-type is not application/json".into());
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

    /// Everything wrong with a response the double is about to send.
    pub fn check_response(&self, op: &Value, status: u16, body: &Value) -> Vec<String> {
        let response = &op["responses"][status.to_string()];
        if !response.is_object() {
            return vec![format!("the operation has no {status} response")];
        }
        let mut errors = Vec::new();
        self.check(
            &response["content"]["application/json"]["schema"],
            body,
            "response",
            &mut errors,
        );
        errors
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
                self.resolve(&self.doc["components"]["schemas"][name])
            }
            None => schema,
        }
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = self.resolve(schema);
        let Some(keywords) = schema.as_object() else {
            panic!("{at}: the schema is not an object");
        };
        if let Some(unknown) = keywords.keys().find(|k| !KEYWORDS.contains(&k.as_str())) {
            panic!("{at}: the checker does not implement the keyword {unknown}");
        }
        if let Some(variants) = schema["oneOf"].as_array() {
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
        let type_ok = match schema["type"].as_str() {
            None => true,
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            Some(other) => panic!("{at}: unknown type {other}"),
        };
        if !type_ok {
            errors.push(format!("{at}: {value} is not of type {}", schema["type"]));
            return;
        }
        for key in ["enum", "x-enum"] {
            if let Some(allowed) = schema[key].as_array()
                && !allowed.contains(value)
            {
                errors.push(format!("{at}: {value} is not one of {}", schema[key]));
            }
        }
        if let Some(text) = value.as_str() {
            let len = text.chars().count() as u64;
            if schema["minLength"].as_u64().is_some_and(|min| len < min) {
                errors.push(format!("{at}: shorter than {}", schema["minLength"]));
            }
            if schema["maxLength"].as_u64().is_some_and(|max| len > max) {
                errors.push(format!("{at}: longer than {}", schema["maxLength"]));
            }
        }
        if let Some(number) = value.as_f64() {
            if schema["minimum"].as_f64().is_some_and(|min| number < min) {
                errors.push(format!("{at}: below {}", schema["minimum"]));
            }
            if schema["maximum"].as_f64().is_some_and(|max| number > max) {
                errors.push(format!("{at}: above {}", schema["maximum"]));
            }
        }
        if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
            for (i, item) in values.iter().enumerate() {
                self.check(items, item, &format!("{at}[{i}]"), errors);
            }
        }
        let Some(object) = value.as_object() else {
            return;
        };
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().expect("a required name");
            if !object.contains_key(name) {
                errors.push(format!("{at}: missing the required field {name}"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, field) in object {
            let at = format!("{at}.{name}");
            match (
                properties.and_then(|p| p.get(name)),
                &schema["additionalProperties"],
            ) {
                (Some(property), _) => self.check(property, field, &at, errors),
                (None, Value::Bool(false)) => errors.push(format!("{at}: not allowed")),
                (None, Value::Object(_)) => {
                    self.check(&schema["additionalProperties"], field, &at, errors);
                }
                // Closed unless it declares nothing (a free-form object).
                (None, _) if properties.is_some() => {
                    errors.push(format!("{at}: not a field of this object"));
                }
                (None, _) => {}
            }
        }
    }
}
