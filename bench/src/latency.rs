//! Latency percentiles with HDR histograms: constant memory whatever the
//! number of samples, 3 significant digits from 1 µs to 10 minutes.

use std::time::Duration;

use hdrhistogram::Histogram;

#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

impl Latencies {
    pub fn new() -> Self {
        // 10 minutes in µs; 3 significant digits. Values above are clamped.
        let histogram = Histogram::new_with_bounds(1, 600_000_000, 3)
            .unwrap_or_else(|e| unreachable!("constant histogram bounds are valid: {e}"));
        Self { histogram }
    }

    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.histogram.saturating_record(micros.max(1));
    }

    pub fn merge(&mut self, other: &Latencies) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.histogram.add(&other.histogram);
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// The `q` quantile (0.5 = median) in milliseconds; None without samples.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        (!self.histogram.is_empty()).then(|| self.histogram.value_at_quantile(q) as f64 / 1_000.0)
    }

    pub fn max_ms(&self) -> Option<f64> {
        (!self.histogram.is_empty()).then(|| self.histogram.max() as f64 / 1_000.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_known_samples() {
        let mut l = Latencies::new();
        assert_eq!(l.quantile_ms(0.5), None);
        for ms in 1..=100 {
            l.record(Duration::from_millis(ms));
        }
        let p50 = l.quantile_ms(0.5).unwrap();
        let p99 = l.quantile_ms(0.99).unwrap();
        assert!((49.9..=50.1).contains(&p50), "{p50}");
        assert!((98.9..=99.1).contains(&p99), "{p99}");
        let mut other = Latencies::new();
        other.record(Duration::from_secs(1));
        l.merge(&other);
        assert_eq!(l.count(), 101);
        assert!((999.0..=1001.0).contains(&l.max_ms().unwrap()));
    }
}
