//! Scalar building blocks, written to vectorise when applied lane by lane
//! inside the multiversioned kernels.

use super::LANES;

/// e^x, relative error ≈ 2e-7 (Cephes' expf polynomial). Inputs below −87
/// give ≈ 1e-38 instead of 0, which is harmless for softmax and GELU.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    // Adding 1.5·2²³ rounds to the nearest integer in the low mantissa bits:
    // a vectorisable round() and float→int conversion in one.
    const MAGIC: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 88.0);
    let t = x * std::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // 2^n built directly in the exponent field; n ∈ [−126, 127] after the clamp.
    let n_int = t.to_bits().wrapping_sub(MAGIC.to_bits()) as i32;
    let pow2n = f32::from_bits((n_int + 127).wrapping_shl(23) as u32);
    y * pow2n
}

/// erf(x) to within a few ulp, as a rational function on [−4, 4] (outside
/// it erf is ±1 in f32): Eigen's `generic_fast_erf_float`. No exp, one
/// division: about half the work of the textbook exp-based formulas, and
/// GELU evaluates it on every FFN activation.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_600_1e-3;
    p = x2 * p + -1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329e-3;
    q = x2 * q + -1.426_473_9e-2;
    x * p / q
}

/// The exact (erf) GELU that BERT's `hidden_act: "gelu"` means.
#[inline(always)]
pub(crate) fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// Sum with one accumulator per lane, so it vectorises without reordering
/// the float additions LLVM is not allowed to reorder itself.
#[inline(always)]
pub(super) fn sum(v: &[f32]) -> f32 {
    let (chunks, rest) = v.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

#[inline(always)]
pub(super) fn max(v: &[f32]) -> f32 {
    let (chunks, rest) = v.as_chunks::<LANES>();
    let mut acc = [f32::NEG_INFINITY; LANES];
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a = if x > *a { x } else { *a };
        }
    }
    acc.iter()
        .chain(rest)
        .fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m })
}

/// a·b + c. Inside the multiversioned kernels this is one FMA instruction;
/// only an x86 CPU without FMA (pre-2013) pays for a libm call.
#[inline(always)]
pub(super) fn fma(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_support::naive_erf;

    #[test]
    fn erf_matches_series() {
        for i in -600..=600 {
            let x = i as f32 / 100.0;
            let (got, want) = (erf(x), naive_erf(x as f64));
            assert!(
                (got as f64 - want).abs() < 5e-7,
                "erf({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn exp_matches_std() {
        for i in -2000..=2000 {
            let x = i as f32 * 0.04;
            let (got, want) = (exp(x), x.exp());
            assert!(
                (got - want).abs() <= 4e-7 * want,
                "exp({x}) = {got}, want {want}"
            );
        }
        assert!(exp(-1000.0) < 1e-37);
        assert!(exp(f32::NEG_INFINITY) < 1e-37);
    }
}
