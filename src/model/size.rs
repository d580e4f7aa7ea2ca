//! Byte counts that cannot lie: a declared size is bounded, and every total saturates, so
//! a hostile `u64::MAX` layer reads as "too large" rather than wrapping to a few bytes
//! (and dragging every image that shares the blob down with it).

/// The largest size a descriptor may declare: 2^53, the largest integer every JSON
/// reader holds exactly (the OCI image spec asks for that interoperability). Nothing real
/// comes near it (8 PiB).
pub const MAX_DECLARED_SIZE: u64 = 1 << 53;

/// A declared `size` (descriptor, inventory blob): a non-negative integer no larger than
/// [`MAX_DECLARED_SIZE`]. Larger values cannot be exact in JSON, and one near `u64::MAX`
/// exists only to make totals overflow.
pub fn declared_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = <u64 as serde::Deserialize>::deserialize(d)?;
    if n > MAX_DECLARED_SIZE {
        return Err(serde::de::Error::custom(format!(
            "size {n} is above 2^53 (the largest size JSON carries exactly)"
        )));
    }
    Ok(n)
}

/// The sum of `sizes`, stopping at `u64::MAX` instead of wrapping.
pub fn saturating_sum<I: IntoIterator<Item = u64>>(sizes: I) -> u64 {
    sizes.into_iter().fold(0, u64::saturating_add)
}

/// `a + b` of optional sizes: unknown if either is, saturating.
pub fn add_known(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a?.saturating_add(b?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_saturate_and_unknown_stays_unknown() {
        assert_eq!(saturating_sum([u64::MAX, 235]), u64::MAX);
        assert_eq!(saturating_sum([1, 2, 3]), 6);
        assert_eq!(saturating_sum(std::iter::empty()), 0);
        assert_eq!(add_known(Some(u64::MAX), Some(1)), Some(u64::MAX));
        assert_eq!(add_known(None, Some(1)), None);
    }
}
