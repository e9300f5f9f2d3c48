//! Prices with shop-like endings.

use crate::rng::Rng;
use rust_decimal::Decimal;

/// A price inside `[lo, hi)` dollars with shop-like endings: mostly .99,
/// some .49/.00/.95, a few arbitrary cents. Integer cents keep it exact.
pub(crate) fn price(rng: &mut Rng, (lo, hi): (u32, u32)) -> Decimal {
    let lo = u64::from(lo.max(1));
    let hi = u64::from(hi).max(lo + 1);
    let mut dollars = lo + rng.below((hi - lo) as usize) as u64;
    // Pricier items usually end in 9 ($149.99 rather than $146.99).
    if dollars >= 100 && rng.chance(60) {
        let nine = dollars - dollars % 10 + 9;
        if nine < hi {
            dollars = nine;
        } else if nine >= lo + 10 {
            dollars = nine - 10;
        }
    }
    let cents = match rng.below(100) {
        0..45 => 99,
        45..60 => 49,
        60..75 => 0,
        75..85 => 95,
        _ => rng.below(100) as u64,
    };
    let total = i64::try_from(dollars * 100 + cents).unwrap_or(i64::MAX);
    Decimal::new(total, 2)
}
