//! Fused element-wise ops over whole rows.

use super::math::gelu;

multiversion! {
    /// `y = gelu(y + bias)` for every row of `y`.
    pub(crate) fn bias_gelu(y: &mut [f32], bias: &[f32]) {
        for row in y.chunks_exact_mut(bias.len()) {
            for (v, &b) in row.iter_mut().zip(bias) {
                *v = gelu(*v + b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_support::{both_levels, data, naive_erf};

    fn naive_gelu(x: f64) -> f64 {
        0.5 * x * (1.0 + naive_erf(x / std::f64::consts::SQRT_2))
    }

    #[test]
    fn gelu_matches_erf_definition() {
        both_levels(|| {
            let mut y = data(3 * 64, 1, 6.0);
            let bias = data(64, 2, 0.5);
            let want: Vec<f32> = y
                .chunks(64)
                .flat_map(|r| {
                    r.iter()
                        .zip(&bias)
                        .map(|(&v, &b)| naive_gelu((v + b) as f64) as f32)
                })
                .collect();
            bias_gelu(&mut y, &bias);
            for (g, w) in y.iter().zip(&want) {
                assert!((g - w).abs() < 2e-6, "gelu: got {g}, want {w}");
            }
        });
    }
}
