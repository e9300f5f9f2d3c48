//! Which number format the dense layers run in on this CPU.
//!
//! The default is chosen by measurement, per CPU family: bf16 where our
//! bf16 kernel (AVX-512 BF16, `vdpbf16ps`) is both faster than f32 and
//! faithful — on AMD Zen 4 it runs at 1.7–2.8× our f32 and every golden
//! text keeps a cosine of at least 0.9999 to sentence-transformers' FP32
//! vectors, and `make eval` does not move. Intel CPUs with AMX also
//! report AVX-512 BF16, but there that kernel measured slower than our f32
//! (116 against 199 texts/s on a Sapphire Rapids class Xeon), so they stay
//! on f32 until a kernel uses their AMX tiles. Everywhere else: f32.

use clap::ValueEnum;

use crate::Precision;
use crate::bf16::PackedBf16;

/// `EMBED_PRECISION`: what an operator asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum PrecisionChoice {
    /// bf16 where it measured faster and as accurate, f32 elsewhere.
    #[default]
    Auto,
    /// Always f32 (bit-for-bit closest to sentence-transformers).
    F32,
    /// bf16 wherever the CPU has AVX-512 BF16 (f32 elsewhere).
    Bf16,
}

impl PrecisionChoice {
    /// The precision this choice means on the CPU we run on.
    pub fn resolve(self) -> Precision {
        match self {
            Self::F32 => Precision::F32,
            Self::Bf16 => Precision::Bf16,
            Self::Auto if PackedBf16::supported() && !has_amx() => Precision::Bf16,
            Self::Auto => Precision::F32,
        }
    }
}

/// Whether the CPU has AMX tiles (CPUID leaf 7, EDX bit 24: AMX-TILE).
fn has_amx() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        // Leaf 7 is only meaningful when the highest leaf (leaf 0's EAX)
        // reaches it.
        if std::arch::x86_64::__cpuid(0).eax < 7 {
            return false;
        }
        let leaf7 = std::arch::x86_64::__cpuid_count(7, 0);
        leaf7.edx & (1 << 24) != 0
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// One line for logs and benchmark reports: the precision and the kernel
/// that runs it.
pub fn describe(precision: Precision) -> &'static str {
    match precision {
        Precision::Bf16 => "bf16 (AVX-512 BF16 vdpbf16ps, f32 sums)",
        Precision::F32 => "f32 (gemm, the widest SIMD this CPU has)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_choices_are_kept_and_auto_follows_the_cpu() {
        assert_eq!(PrecisionChoice::F32.resolve(), Precision::F32);
        assert_eq!(PrecisionChoice::Bf16.resolve(), Precision::Bf16);
        let auto = PrecisionChoice::Auto.resolve();
        if !PackedBf16::supported() || has_amx() {
            assert_eq!(auto, Precision::F32);
        } else {
            assert_eq!(auto, Precision::Bf16);
        }
    }
}
