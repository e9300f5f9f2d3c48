//! emu's Prometheus metrics, one function per metric.

use metrics::{counter, describe_counter, describe_histogram, histogram};

pub fn describe() {
    describe_histogram!("emu_batch_size", "Messages per flushed batch");
    describe_histogram!("emu_embed_seconds", "Time to embed one batch");
    describe_histogram!(
        "emu_write_seconds",
        "Time to write one batch to the vector store"
    );
    describe_histogram!(
        "emu_lag_seconds",
        "End-to-end lag: vector written minus the change's commit time"
    );
    describe_counter!(
        "emu_messages_total",
        "Messages by outcome (indexed, deleted, superseded, poison)"
    );
    describe_counter!("emu_errors_total", "Errors by kind");
}

pub fn batch_size(n: usize) {
    histogram!("emu_batch_size").record(n as f64);
}

pub fn embed_seconds(s: f64) {
    histogram!("emu_embed_seconds").record(s);
}

pub fn write_seconds(s: f64) {
    histogram!("emu_write_seconds").record(s);
}

pub fn lag_seconds(s: f64) {
    histogram!("emu_lag_seconds").record(s);
}

pub fn messages(outcome: &'static str, n: usize) {
    counter!("emu_messages_total", "outcome" => outcome).increment(n as u64);
}

pub fn error(kind: &'static str) {
    counter!("emu_errors_total", "kind" => kind).increment(1);
}
