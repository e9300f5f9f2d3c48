//! The non-matmul work of the forward pass (fused element-wise ops,
//! LayerNorm, attention over one packed batch, pooling) and the matmul
//! wrapper, one kind of op per file:
//!
//! * `math` — scalar building blocks (exp, erf, GELU, lane-wise sum and
//!   max, FMA) written to vectorise when applied lane by lane.
//! * `matmul` — the f32 matmul over the `gemm` crate.
//! * `elementwise` — fused bias + GELU.
//! * `layer_norm` — token embeddings + LayerNorm, and the fused bias +
//!   residual + LayerNorm.
//! * `attention` — multi-head self-attention over packed sequences,
//!   softmax included.
//! * `pooling` — mean pooling and L2 normalisation.
//!
//! This file holds what they share: the lane width, run-time SIMD level
//! detection and the `multiversion!` macro.
//!
//! Everything here is plain Rust written so that LLVM vectorises it: fixed
//! 16-lane chunks, one accumulator per lane, no horizontal work in the inner
//! loops. We must not build with `target-cpu=native` (the hosts we deploy to
//! vary), so each kernel is compiled three times — AVX-512, AVX2+FMA and the
//! baseline — and the best one the running CPU supports is picked at run
//! time. Without that these loops would run as SSE2, and candle's experience
//! on this model says the non-matmul ops then eat a large share of the time.

use std::sync::OnceLock;

/// Vector width the kernels are written for: one AVX-512 register of f32.
pub(crate) const LANES: usize = 16;

// The kernels are multiversioned for x86-64 only; elsewhere (aarch64) the
// one build is the baseline (NEON) and none of this is consulted.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SimdLevel {
    /// x86-64-v4: AVX-512 F/BW/DQ/VL.
    V4,
    /// x86-64-v3: AVX2 + FMA.
    V3,
    /// Whatever the target baseline is (SSE2 on x86-64, NEON on aarch64).
    Baseline,
}

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) fn simd_level() -> SimdLevel {
    #[cfg(test)]
    if test_support::FORCE_BASELINE.with(|f| f.get()) {
        return SimdLevel::Baseline;
    }
    static LEVEL: OnceLock<SimdLevel> = OnceLock::new();
    *LEVEL.get_or_init(detect)
}

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn detect() -> SimdLevel {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
        {
            return SimdLevel::V4;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return SimdLevel::V3;
        }
    }
    SimdLevel::Baseline
}

/// Defines `fn $name(args)` that runs `$body` compiled for the best SIMD
/// level of the running CPU. The body is inlined into a copy per level, so
/// it and every `#[inline(always)]` helper it calls are vectorised for that
/// level.
macro_rules! multiversion {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                fn v4($($arg: $ty),*) { body($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                fn v3($($arg: $ty),*) { body($($arg),*) }
                match $crate::kernels::simd_level() {
                    // SAFETY: simd_level() found these features on this CPU.
                    $crate::kernels::SimdLevel::V4 => return unsafe { v4($($arg),*) },
                    // SAFETY: as above.
                    $crate::kernels::SimdLevel::V3 => return unsafe { v3($($arg),*) },
                    $crate::kernels::SimdLevel::Baseline => {}
                }
            }
            body($($arg),*)
        }
    };
}

// The macro above must come before the modules that use it.
mod attention;
mod elementwise;
mod layer_norm;
mod math;
mod matmul;
mod pooling;
#[cfg(test)]
mod test_support;

pub(crate) use attention::{AttentionScratch, attention};
pub(crate) use elementwise::bias_gelu;
pub(crate) use layer_norm::{EmbeddingTables, bias_residual_layer_norm, embed_tokens};
pub(crate) use matmul::matmul;
pub(crate) use pooling::mean_pool_normalize;
