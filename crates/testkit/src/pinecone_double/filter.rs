//! Pinecone's metadata filter language, as the double evaluates it.

use serde_json::{Map, Value, json};

/// Pinecone's metadata filter language: fields with `$eq $ne $gt $gte $lt
/// $lte $in $nin $exists` (a bare value is `$eq`), combined with `$and`
/// and `$or`. An unknown operator or a malformed operand is an error (the
/// service's 400), checked even against empty metadata.
pub(super) fn matches(filter: &Value, metadata: &Map<String, Value>) -> Result<bool, String> {
    let filter = filter.as_object().ok_or("a filter must be an object")?;
    let mut all = true;
    for (key, condition) in filter {
        let ok = match key.as_str() {
            "$and" | "$or" => {
                let parts = condition
                    .as_array()
                    .ok_or(format!("{key} takes an array"))?;
                let results = parts
                    .iter()
                    .map(|p| matches(p, metadata))
                    .collect::<Result<Vec<_>, _>>()?;
                if key == "$and" {
                    results.iter().all(|r| *r)
                } else {
                    results.iter().any(|r| *r)
                }
            }
            op if op.starts_with('$') => return Err(format!("unknown top-level operator {op}")),
            field => field_matches(field, condition, metadata.get(field))?,
        };
        all &= ok;
    }
    Ok(all)
}

fn field_matches(field: &str, condition: &Value, value: Option<&Value>) -> Result<bool, String> {
    let Some(operators) = condition.as_object() else {
        return field_matches(field, &json!({ "$eq": condition }), value);
    };
    let mut all = true;
    for (op, operand) in operators {
        let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
        let number = || {
            operand
                .as_f64()
                .ok_or(format!("{field}: {op} takes a number"))
        };
        let ok = match op.as_str() {
            "$eq" | "$ne" if !scalar(operand) => {
                return Err(format!("{field}: {op} takes a scalar"));
            }
            "$eq" => value.is_some_and(|v| same(v, operand)),
            "$ne" => !value.is_some_and(|v| same(v, operand)),
            "$gt" => {
                let bound = number()?;
                value.and_then(Value::as_f64).is_some_and(|v| v > bound)
            }
            "$gte" => {
                let bound = number()?;
                value.and_then(Value::as_f64).is_some_and(|v| v >= bound)
            }
            "$lt" => {
                let bound = number()?;
                value.and_then(Value::as_f64).is_some_and(|v| v < bound)
            }
            "$lte" => {
                let bound = number()?;
                value.and_then(Value::as_f64).is_some_and(|v| v <= bound)
            }
            "$in" | "$nin" => {
                let set = operand
                    .as_array()
                    .ok_or(format!("{field}: {op} takes an array"))?;
                let found = value.is_some_and(|v| set.iter().any(|s| same(v, s)));
                if op == "$in" { found } else { !found }
            }
            "$exists" => {
                operand
                    .as_bool()
                    .ok_or(format!("{field}: $exists takes a bool"))?
                    == value.is_some()
            }
            other => return Err(format!("{field}: unknown operator {other}")),
        };
        all &= ok;
    }
    Ok(all)
}

/// Pinecone compares numbers as floats (`3` equals `3.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}
