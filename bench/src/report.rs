//! The report: flat keys that scripts read, the goals they are held to, the
//! JSON file and the table (the same Markdown on stdout and in docs/performance.md).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

/// A goal: the measured value must be at least / at most this.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    AtLeast(f64),
    AtMost(f64),
}

impl Goal {
    pub fn met(self, value: f64) -> bool {
        match self {
            Goal::AtLeast(g) => value >= g,
            Goal::AtMost(g) => value <= g,
        }
    }

    fn describe(self) -> String {
        match self {
            Goal::AtLeast(g) => format!("≥ {g}"),
            Goal::AtMost(g) => format!("≤ {g}"),
        }
    }
}

/// One reported key: what it means and, for the headline keys, its goal.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    pub key: &'static str,
    pub label: &'static str,
    pub goal: Option<Goal>,
}

const fn m(key: &'static str, label: &'static str, goal: Option<Goal>) -> Metric {
    Metric { key, label, goal }
}

/// The headline keys, each with its goal where it has one (search figures:
/// pgvector store, `ROWS` products). Always present in the JSON (null, with
/// a reason, when a phase was skipped or failed).
pub const HEADLINE: &[Metric] = &[
    m(
        "embed_best_texts_per_s",
        "embedder alone, default precision on this CPU, texts/s",
        None,
    ),
    m(
        "pytorch_texts_per_s",
        "sentence-transformers (PyTorch CPU, FP32), texts/s",
        None,
    ),
    m(
        "pytorch_bf16_texts_per_s",
        "sentence-transformers (PyTorch CPU, bf16), texts/s",
        None,
    ),
    m(
        "embed_vs_pytorch_best",
        "embedder / PyTorch at its best precision",
        Some(Goal::AtLeast(1.2)),
    ),
    m(
        "sync_rows_per_s",
        "bulk sync (pelican + 1 emu + pgvector), rows/s",
        None,
    ),
    m(
        "sync_vs_embed",
        "bulk sync / embedder alone",
        Some(Goal::AtLeast(0.9)),
    ),
    m(
        "freshness_p50_ms",
        "freshness at 5 updates/s, p50 ms",
        Some(Goal::AtMost(100.0)),
    ),
    m(
        "freshness_p99_ms",
        "freshness at 5 updates/s, p99 ms",
        Some(Goal::AtMost(300.0)),
    ),
    m(
        "freshness_200_p99_ms",
        "freshness at 200 updates/s, p99 ms",
        Some(Goal::AtMost(1000.0)),
    ),
    m(
        "search_miss_p50_ms",
        "search, query-cache miss, 1 client, p50 ms",
        Some(Goal::AtMost(15.0)),
    ),
    m(
        "search_miss_p99_ms",
        "search, query-cache miss, 1 client, p99 ms",
        Some(Goal::AtMost(50.0)),
    ),
    m(
        "search_hit_p50_ms",
        "search, query-cache hit, 1 client, p50 ms",
        Some(Goal::AtMost(2.0)),
    ),
    m(
        "search_rps_16",
        "search, cache miss, 16 clients, requests/s",
        None,
    ),
    m(
        "rss_mb_pelican",
        "pelican peak RSS, MiB",
        Some(Goal::AtMost(50.0)),
    ),
    m("rss_mb_emu", "emu peak RSS, MiB", Some(Goal::AtMost(400.0))),
    m(
        "rss_mb_frontend",
        "frontend peak RSS, MiB",
        Some(Goal::AtMost(300.0)),
    ),
    m(
        "ready_s_emu",
        "emu start-up to ready, s",
        Some(Goal::AtMost(2.0)),
    ),
    m(
        "search_miss_c16_p50_ms",
        "search, query-cache miss, 16 clients, p50 ms",
        Some(Goal::AtMost(15.0)),
    ),
    m(
        "search_miss_c16_p99_ms",
        "search, query-cache miss, 16 clients, p99 ms",
        Some(Goal::AtMost(50.0)),
    ),
    m(
        "search_hit_c16_p50_ms",
        "search, query-cache hit, 16 clients, p50 ms",
        Some(Goal::AtMost(2.0)),
    ),
];

/// Further keys shown in the table (the JSON holds a few more).
pub const DETAILS: &[Metric] = &[
    m(
        "embed_query_p50_ms",
        "embedder, one short query, p50 ms",
        None,
    ),
    m(
        "embed_texts_per_s_f32",
        "embedder in f32, texts/s (sweep sample)",
        None,
    ),
    m(
        "embed_texts_per_s_bf16",
        "embedder in bf16, texts/s (sweep sample)",
        None,
    ),
    m(
        "embed_vs_pytorch",
        "embedder (default precision) / PyTorch FP32",
        None,
    ),
    m(
        "sync2_rows_per_s",
        "bulk sync with 2 emu instances, rows/s",
        None,
    ),
    m(
        "sync_relay_events_per_s",
        "bulk sync: pelican relay (outbox → SQS), events/s",
        None,
    ),
    m("sync_cpu_busy_pct", "bulk sync: machine CPU busy, %", None),
    m("freshness_p95_ms", "freshness at 5 updates/s, p95 ms", None),
    m(
        "freshness_200_p50_ms",
        "freshness at 200 updates/s, p50 ms",
        None,
    ),
    m(
        "freshness_200_p95_ms",
        "freshness at 200 updates/s, p95 ms",
        None,
    ),
    m(
        "search_hit_p99_ms",
        "search, cache hit, 1 client, p99 ms",
        None,
    ),
    m(
        "search_hit_rps_16",
        "search, cache hit, 16 clients, requests/s",
        None,
    ),
    m(
        "search_miss_c64_p99_ms",
        "search, cache miss, 64 clients, p99 ms",
        None,
    ),
    m(
        "search_miss_rps_64",
        "search, cache miss, 64 clients, requests/s",
        None,
    ),
    m("ready_s_pelican", "pelican start-up to ready, s", None),
    m("ready_s_frontend", "frontend start-up to ready, s", None),
];

/// Everything one run measured, plus what it ran on.
#[derive(Debug)]
pub struct Report {
    values: BTreeMap<String, Value>,
    null_reasons: BTreeMap<String, String>,
    context: Map<String, Value>,
}

impl Default for Report {
    fn default() -> Self {
        Self::new()
    }
}

impl Report {
    pub fn new() -> Self {
        let values = HEADLINE
            .iter()
            .map(|metric| (metric.key.to_owned(), Value::Null))
            .collect();
        Self {
            values,
            null_reasons: BTreeMap::new(),
            context: Map::new(),
        }
    }

    /// Record a measured value (rounded to 3 decimals: the noise of this
    /// machine is far larger).
    pub fn set(&mut self, key: &str, value: f64) {
        let value = if value.is_finite() {
            json!((value * 1_000.0).round() / 1_000.0)
        } else {
            Value::Null
        };
        self.values.insert(key.to_owned(), value);
        self.null_reasons.remove(key);
    }

    pub fn set_opt(&mut self, key: &str, value: Option<f64>, reason: &str) {
        match value {
            Some(v) => self.set(key, v),
            None => self.set_null(key, reason),
        }
    }

    /// No value for `key`. The reason is kept to its first line (the
    /// whole of a multi-line one, e.g. a service's log tail, goes to the log).
    pub fn set_null(&mut self, key: &str, reason: &str) {
        let mut short: String = reason
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(240)
            .collect();
        if short.len() < reason.trim_end().len() {
            tracing::warn!("{key}: {reason}");
            short.push_str(" (more in the log)");
        }
        self.values.insert(key.to_owned(), Value::Null);
        self.null_reasons.insert(key.to_owned(), short);
    }

    pub fn get(&self, key: &str) -> Option<f64> {
        self.values.get(key).and_then(Value::as_f64)
    }

    /// A phase failed or was skipped: each of its keys that has no value yet
    /// becomes null with `reason`.
    pub fn fail(&mut self, keys: &[&str], reason: &str) {
        for key in keys {
            if self.get(key).is_none() {
                self.set_null(key, reason);
            }
        }
    }

    /// Non-metric context: machine, commit, settings, timestamps.
    pub fn context(&mut self, key: &str, value: Value) {
        self.context.insert(key.to_owned(), value);
    }

    /// The JSON document: metric keys flat at the top level, then
    /// `null_reasons` and the context objects.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (key, value) in &self.values {
            out.insert(key.clone(), value.clone());
        }
        out.insert("null_reasons".into(), json!(self.null_reasons));
        for (key, value) in &self.context {
            out.insert(key.clone(), value.clone());
        }
        Value::Object(out)
    }
}

/// The results as Markdown: the headline keys with their goals, then the
/// details, then the machine and the commit. Used for stdout and docs/performance.md.
pub fn markdown(report: &Value) -> String {
    let mut out = String::new();
    let value = |key: &str| report.get(key).and_then(Value::as_f64);
    let reason = |key: &str| {
        report
            .pointer(&format!("/null_reasons/{key}"))
            .and_then(Value::as_str)
            .unwrap_or("not measured")
            .to_owned()
    };
    let _ = writeln!(out, "| measure | key | value | goal | |");
    let _ = writeln!(out, "|---|---|---:|---|---|");
    // Details a run did not produce (an older harness, a skipped phase's
    // extras) are left out; headline keys always show.
    let present = |metric: &&Metric| report.get(metric.key).is_some();
    for metric in HEADLINE.iter().chain(DETAILS.iter().filter(present)) {
        let (shown, verdict) = match (value(metric.key), metric.goal) {
            (Some(v), Some(goal)) => (
                format_number(v),
                if goal.met(v) { "met" } else { "**missed**" }.to_owned(),
            ),
            (Some(v), None) => (format_number(v), String::new()),
            (None, _) => ("—".to_owned(), reason(metric.key)),
        };
        let goal = metric.goal.map(Goal::describe).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | `{}` | {shown} | {goal} | {verdict} |",
            metric.label, metric.key
        );
    }
    let text = |pointer: &str| {
        report
            .pointer(pointer)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| "?".to_owned())
    };
    let _ = writeln!(
        out,
        "\nMachine: {}, {} cores, {} GiB RAM, {}; load average {} at the start, {} at the end. Commit `{}`; {} rows; run {}{}.",
        text("/machine/cpu_model"),
        text("/machine/cores"),
        text("/machine/memory_gib"),
        text("/machine/kernel"),
        text("/machine/loadavg_at_start"),
        text("/loadavg_at_end"),
        text("/commit"),
        text("/settings/rows"),
        text("/started_at"),
        if report.pointer("/settings/quick").and_then(Value::as_bool) == Some(true) {
            " (quick)"
        } else {
            ""
        },
    );
    out
}

/// 3 significant figures at most, without trailing zeros noise:
/// 1234.6 → "1235", 12.345 → "12.3", 0.1234 → "0.123".
fn format_number(v: f64) -> String {
    let magnitude = v.abs();
    let decimals = if magnitude >= 100.0 || magnitude == 0.0 {
        0
    } else if magnitude >= 10.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else {
        3
    };
    format!("{v:.decimals$}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_headline_key_is_present_and_null_until_measured() {
        let mut report = Report::new();
        report.set("embed_texts_per_s", 412.34567);
        report.fail(&["embed_texts_per_s", "pytorch_texts_per_s"], "skipped");
        let json = report.to_json();
        for metric in HEADLINE {
            assert!(json.get(metric.key).is_some(), "{} missing", metric.key);
        }
        assert_eq!(json["embed_texts_per_s"], json!(412.346));
        assert_eq!(json["pytorch_texts_per_s"], Value::Null);
        assert_eq!(json["null_reasons"]["pytorch_texts_per_s"], "skipped");
        assert!(json["null_reasons"].get("embed_texts_per_s").is_none());
    }

    #[test]
    fn table_shows_values_goals_and_reasons() {
        let mut report = Report::new();
        report.set("embed_vs_pytorch_best", 0.8);
        report.set("freshness_p50_ms", 42.0);
        report.set_null("search_miss_p50_ms", "frontend not available");
        let table = markdown(&report.to_json());
        assert!(
            table.contains(
                "| embedder / PyTorch at its best precision | `embed_vs_pytorch_best` | 0.800 | ≥ 1.2 | **missed** |"
            )
        );
        assert!(table.contains("| 42.0 | ≤ 100 | met |"));
        assert!(table.contains("| — | ≤ 15 | frontend not available |"));
    }

    #[test]
    fn numbers_keep_three_significant_figures() {
        assert_eq!(format_number(1234.6), "1235");
        assert_eq!(format_number(12.345), "12.3");
        assert_eq!(format_number(0.1234), "0.123");
        assert_eq!(format_number(2.0), "2.00");
    }
}
