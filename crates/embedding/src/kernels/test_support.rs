//! Helpers shared by the kernels' unit tests.

use std::cell::Cell;

thread_local! {
    /// Lets a test run the kernels as compiled for the baseline ISA.
    pub(super) static FORCE_BASELINE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` once with the best SIMD level and once with the baseline.
pub(super) fn both_levels(f: impl Fn()) {
    f();
    FORCE_BASELINE.with(|b| b.set(true));
    f();
    FORCE_BASELINE.with(|b| b.set(false));
}

/// Deterministic pseudo-random numbers in [−scale, scale).
pub(super) fn data(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
        })
        .collect()
}

pub(super) fn assert_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "at {i}: got {g}, want {w}"
        );
    }
}

/// erf by its Taylor series, in f64; converges for the |z| ≤ 5 used.
pub(super) fn naive_erf(z: f64) -> f64 {
    if z.abs() > 5.0 {
        return z.signum();
    }
    let mut term = z;
    let mut total = z;
    for n in 1..200 {
        term *= -z * z / n as f64;
        total += term / (2 * n + 1) as f64;
    }
    total * 2.0 / std::f64::consts::PI.sqrt()
}
