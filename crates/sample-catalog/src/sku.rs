//! SKUs: category code, index and a check byte.

/// `KIT-000123-7F`: category code, zero-padded index (unique per index, so
/// SKUs are unique), and two hex digits of FNV-1a over the rest so a typo'd
/// SKU is usually detectable.
pub(crate) fn sku(code: &str, index: u64) -> String {
    let base = format!("{code}-{index:06}");
    let mut hash: u32 = 0x811C_9DC5;
    for byte in base.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    let check = (hash ^ (hash >> 8) ^ (hash >> 16) ^ (hash >> 24)) & 0xFF;
    format!("{base}-{check:02X}")
}
