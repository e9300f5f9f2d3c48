//! The splitmix64 PRNG that drives every choice of the generator.

/// The splitmix64 finaliser: a cheap, well-mixed 64-bit bijection.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// splitmix64. Tiny state, integer-only arithmetic, so the stream is
/// identical on every platform and compiler version.
pub(crate) struct Rng(u64);

impl Rng {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// Mixing the index before combining keeps neighbouring indexes (and
    /// neighbouring seeds) from producing correlated streams.
    pub(crate) fn new(seed: u64, index: u64) -> Self {
        Self(mix(
            seed.wrapping_mul(Self::GAMMA) ^ mix(index.wrapping_add(Self::GAMMA))
        ))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(Self::GAMMA);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n == 0`), via the multiply-high trick: no
    /// modulo bias worth caring about and no division.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick_item<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }

    /// Picks a phrase; an empty pool yields "" so callers need no branching.
    pub(crate) fn pick(&mut self, items: &[&'static str]) -> &'static str {
        self.pick_item(items).copied().unwrap_or("")
    }

    /// Picks two different phrases when the pool allows it, so a description
    /// never repeats itself.
    pub(crate) fn pick_two(&mut self, items: &[&'static str]) -> (&'static str, &'static str) {
        let n = items.len();
        if n < 2 {
            let only = self.pick(items);
            return (only, only);
        }
        let a = self.below(n);
        let b = (a + 1 + self.below(n - 1)) % n;
        (
            items.get(a).copied().unwrap_or(""),
            items.get(b).copied().unwrap_or(""),
        )
    }
}
