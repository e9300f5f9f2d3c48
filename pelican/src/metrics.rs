//! pelican's Prometheus metrics: one function per metric so names and
//! labels are spelled in one place.

use metrics::{counter, describe_counter, describe_gauge, gauge};

pub fn describe() {
    describe_gauge!(
        "pelican_outbox_backlog",
        "Outbox events not yet accepted by SQS"
    );
    describe_gauge!(
        "pelican_outbox_oldest_age_seconds",
        "Age of the oldest outbox event not yet accepted by SQS"
    );
    describe_counter!("pelican_events_sent_total", "Events SQS accepted");
    describe_counter!(
        "pelican_send_errors_total",
        "Send failures by kind (request, entry, rejected)"
    );
    describe_counter!(
        "pelican_events_parked_total",
        "Events SQS refused for good, parked in outbox_parked"
    );
    describe_gauge!(
        "pelican_is_leader",
        "1 while this replica is the active relay"
    );
}

pub fn events_sent(n: usize) {
    counter!("pelican_events_sent_total").increment(n as u64);
}

pub fn send_error(kind: &'static str) {
    counter!("pelican_send_errors_total", "kind" => kind).increment(1);
}

pub fn events_parked(n: usize) {
    counter!("pelican_events_parked_total").increment(n as u64);
}

pub fn leader(is_leader: bool) {
    gauge!("pelican_is_leader").set(if is_leader { 1.0 } else { 0.0 });
}

pub fn outbox(backlog: i64, oldest_age_s: f64) {
    gauge!("pelican_outbox_backlog").set(backlog as f64);
    gauge!("pelican_outbox_oldest_age_seconds").set(oldest_age_s);
}
