//! Splitting an upsert into requests Pinecone accepts: at most 1000 vectors
//! and at most 2 MB of JSON each.
//!
//! Why bytes matter more than the count: a 384-dimensional vector of real
//! embedding values is ~4 KB of JSON, so about 450 fit in 2 MB; the
//! 1000-vector cap binds only for vectors with short numbers.

/// Vectors per upsert request (Pinecone's limit).
pub(super) const MAX_UPSERT_VECTORS: usize = 1_000;
/// Bytes of JSON per upsert request: the decimal reading of Pinecone's
/// 2 MB, which is also below 2 MiB.
pub(super) const MAX_UPSERT_BYTES: usize = 2_000_000;

/// Greedily pack already-serialised vectors (`Vector` objects) into
/// `UpsertRequest` bodies of at most `max_vectors` vectors and `max_bytes`
/// bytes, in order. Built by hand from the parts so that the size is exact
/// and each vector is serialised once, however it is split or retried.
/// Returns `Err(index)` for a vector that cannot fit even alone.
pub(super) fn upsert_bodies(
    vectors: &[Vec<u8>],
    namespace: Option<&str>,
    max_vectors: usize,
    max_bytes: usize,
) -> Result<Vec<Vec<u8>>, usize> {
    const HEAD: &[u8] = b"{\"vectors\":[";
    // `]`, then the namespace if any, then `}`.
    let tail = match namespace {
        Some(ns) => format!("],\"namespace\":{}}}", serde_json::Value::from(ns)),
        None => "]}".to_owned(),
    };
    let envelope = HEAD.len() + tail.len();
    let mut bodies = Vec::new();
    let mut body: Vec<u8> = Vec::new();
    let mut count = 0;
    for (index, vector) in vectors.iter().enumerate() {
        if envelope + vector.len() > max_bytes {
            return Err(index);
        }
        let separator = usize::from(count > 0);
        let full =
            count == max_vectors || envelope + body.len() + separator + vector.len() > max_bytes;
        if count > 0 && full {
            bodies.push(finish(std::mem::take(&mut body), &tail));
            count = 0;
        }
        if count > 0 {
            body.push(b',');
        }
        body.extend_from_slice(vector);
        count += 1;
    }
    if count > 0 {
        bodies.push(finish(body, &tail));
    }
    Ok(bodies)
}

fn finish(vectors: Vec<u8>, tail: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(vectors.len() + 32);
    out.extend_from_slice(b"{\"vectors\":[");
    out.extend_from_slice(&vectors);
    out.extend_from_slice(tail.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn splits_by_count_and_by_bytes_into_valid_json() {
        let vectors: Vec<Vec<u8>> = (0..25)
            .map(|i| format!("{{\"id\":\"{i}\",\"values\":[1.0]}}").into_bytes())
            .collect();
        let bodies = upsert_bodies(&vectors, Some("ns\""), 10, 1_000_000).unwrap();
        let counts: Vec<usize> = bodies
            .iter()
            .map(|b| {
                let json: serde_json::Value = serde_json::from_slice(b).unwrap();
                assert_eq!(json["namespace"], "ns\"");
                json["vectors"].as_array().unwrap().len()
            })
            .collect();
        assert_eq!(counts, [10, 10, 5]);

        let bodies = upsert_bodies(&vectors, None, 1_000, 100).unwrap();
        assert!(bodies.len() > 1);
        let mut total = 0;
        for body in &bodies {
            assert!(body.len() <= 100, "{}", body.len());
            let json: serde_json::Value = serde_json::from_slice(body).unwrap();
            total += json["vectors"].as_array().unwrap().len();
        }
        assert_eq!(total, 25);
        assert_eq!(upsert_bodies(&vectors, None, 1_000, 20), Err(0));
    }
}
