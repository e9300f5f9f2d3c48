//! The index behind the double: vectors in memory by namespace, and the
//! read and write operations Pinecone answers from them.

use std::collections::{BTreeMap, HashMap};

use super::filter::matches;
use serde_json::{Map, Value, json};
use sync_core::DIMENSION;

/// Vectors by id (in bytewise order, as list returns them), by namespace.
pub(super) type Namespaces = HashMap<String, BTreeMap<String, Stored>>;

#[derive(Debug, Clone)]
pub(super) struct Stored {
    values: Vec<f64>,
    pub(super) metadata: Map<String, Value>,
}

fn namespace_of(json: &Value) -> String {
    json["namespace"].as_str().unwrap_or("").to_owned()
}

pub(super) fn upsert(namespaces: &mut Namespaces, json: &Value) -> Result<Value, String> {
    let namespace = namespaces.entry(namespace_of(json)).or_default();
    let vectors = json["vectors"].as_array().ok_or("no vectors")?;
    for vector in vectors {
        let stored = Stored {
            values: vector["values"]
                .as_array()
                .ok_or("no values")?
                .iter()
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
                .collect(),
            metadata: vector["metadata"].as_object().cloned().unwrap_or_default(),
        };
        namespace.insert(vector["id"].as_str().ok_or("no id")?.to_owned(), stored);
    }
    Ok(json!({ "upsertedCount": vectors.len() }))
}

pub(super) fn delete(namespaces: &mut Namespaces, json: &Value) -> Result<Value, String> {
    if let Some(namespace) = namespaces.get_mut(&namespace_of(json)) {
        for id in json["ids"].as_array().into_iter().flatten() {
            namespace.remove(id.as_str().unwrap_or(""));
        }
    }
    Ok(json!({}))
}

pub(super) fn query_vectors(namespaces: &Namespaces, json: &Value) -> Result<Value, String> {
    let namespace = namespace_of(json);
    let query: Vec<f64> = json["vector"]
        .as_array()
        .ok_or("no vector")?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let top_k = usize::try_from(json["topK"].as_u64().ok_or("no topK")?).unwrap();
    let filter = json.get("filter");
    let mut scored = Vec::new();
    for (id, stored) in namespaces.get(&namespace).into_iter().flatten() {
        if let Some(filter) = filter
            && !matches(filter, &stored.metadata)?
        {
            continue;
        }
        scored.push((cosine(&query, &stored.values), id, stored));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let matches: Vec<Value> = scored
        .into_iter()
        .take(top_k)
        .map(|(score, id, stored)| {
            let mut m = json!({ "id": id, "score": score });
            if json["includeMetadata"] == true {
                m["metadata"] = Value::Object(stored.metadata.clone());
            }
            if json["includeValues"] == true {
                m["values"] = json!(stored.values);
            }
            m
        })
        .collect();
    Ok(json!({ "matches": matches, "namespace": namespace, "usage": { "readUnits": 1 } }))
}

pub(super) fn fetch(namespaces: &Namespaces, query: &[(String, String)]) -> Result<Value, String> {
    let namespace = query
        .iter()
        .find(|(k, _)| k == "namespace")
        .map_or("", |(_, v)| v.as_str())
        .to_owned();
    let mut vectors = Map::new();
    let stored = namespaces.get(&namespace);
    for (_, id) in query.iter().filter(|(k, _)| k == "ids") {
        if let Some(vector) = stored.and_then(|ns| ns.get(id)) {
            vectors.insert(
                id.clone(),
                json!({ "id": id, "values": vector.values, "metadata": vector.metadata }),
            );
        }
    }
    Ok(json!({ "vectors": vectors, "namespace": namespace, "usage": { "readUnits": 1 } }))
}

/// Ids in bytewise order ("C" collation, as the spec says), `limit` per
/// page (default 100); the token is the last id of the page, so a listing
/// stays correct while vectors come and go.
pub(super) fn list(namespaces: &Namespaces, query: &[(String, String)]) -> Result<Value, String> {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let namespace = param("namespace").unwrap_or("").to_owned();
    let prefix = param("prefix").unwrap_or("");
    let limit = match param("limit") {
        None => 100,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| *l > 0)
            .ok_or(format!("limit {l:?} is not a positive integer"))?,
    };
    let after = param("paginationToken").map(|t| {
        t.strip_prefix("after:")
            .map(str::to_owned)
            .ok_or(format!("unknown paginationToken {t:?}"))
    });
    let after = after.transpose()?;
    let ids: Vec<&String> = namespaces
        .get(&namespace)
        .into_iter()
        .flat_map(|ns| ns.keys())
        .filter(|id| id.starts_with(prefix))
        .filter(|id| after.as_ref().is_none_or(|a| id.as_str() > a.as_str()))
        .take(limit + 1)
        .collect();
    let more = ids.len() > limit;
    let page: Vec<Value> = ids
        .iter()
        .take(limit)
        .map(|id| json!({ "id": id }))
        .collect();
    let mut body = json!({ "vectors": page, "namespace": namespace, "usage": { "readUnits": 1 } });
    if more {
        body["pagination"] = json!({ "next": format!("after:{}", ids[limit - 1]) });
    }
    Ok(body)
}

pub(super) fn stats(index: &Namespaces) -> Result<Value, String> {
    let mut namespaces = Map::new();
    let mut total = 0;
    for (name, vectors) in index {
        // Like Pinecone, an emptied namespace is not listed.
        if !vectors.is_empty() {
            namespaces.insert(name.clone(), json!({ "vectorCount": vectors.len() }));
            total += vectors.len();
        }
    }
    Ok(json!({
        "namespaces": namespaces,
        "dimension": DIMENSION,
        "indexFullness": 0.0,
        "totalVectorCount": total,
        "metric": "cosine",
        "vectorType": "dense",
    }))
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}
