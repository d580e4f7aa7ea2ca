//! Synthetic inventory for tests, snapshots and benchmarks: deterministic images with
//! realistic tags, sizes and dates, and a fixed clock.

use crate::model::{Digest, Image, ImageKind, Platform};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// The clock every snapshot uses.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// Image `n` of `repository`: a stable digest, sizes, and a creation date `n` days before
/// the fixed clock.
pub fn image(repository: &str, n: u64, tags: &[&str]) -> Image {
    let digest = Digest::sha256_of(format!("{repository}/{n}").as_bytes());
    let mut i = Image::new(
        repository,
        digest,
        crate::registry::media::OCI_MANIFEST,
        ImageKind::Image,
    );
    i.tags = tags.iter().map(|t| t.to_string()).collect();
    i.size_bytes = Some(20_000_000 + (n * 7_919_123) % 180_000_000);
    i.unique_bytes = Some((n * 1_299_709) % 40_000_000);
    i.platforms = vec![Platform::new("linux", "amd64", None)];
    i.created_at = Some(fixed_now() - Duration::days(n as i64) - Duration::hours(3));
    i
}

/// `count` images like a busy CI repository: semver tags on most, `latest` on the newest,
/// untagged leftovers, a few multi-arch indexes.
pub fn fleet_images(repository: &str, count: u64) -> Vec<Image> {
    (0..count)
        .map(|n| {
            let tag = format!("v1.{}.{}", n / 100, n % 100);
            let sha = format!("sha-{:07x}", (n * 2_654_435_761) & 0xfff_ffff);
            let mut i = match n % 7 {
                0 if n == 0 => image(repository, n, &["latest", &tag, &sha]),
                3 => image(repository, n, &[]),
                _ => image(repository, n, &[&tag, &sha]),
            };
            if n % 11 == 5 {
                i.kind = ImageKind::Index;
                i.media_type = crate::registry::media::OCI_INDEX.into();
                i.platforms
                    .push(Platform::new("linux", "arm64", Some("v8")));
            }
            i
        })
        .collect()
}
