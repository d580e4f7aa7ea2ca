//! Files the user names (policies, plans, inventories, `--in-use` lists, config, scan
//! reports), read with a cap on the bytes actually read. The length a file reports is no
//! bound: `/dev/zero` and a FIFO report 0 and never end.

use std::io::Read;
use std::path::Path;

/// Policies, plans, `--in-use` lists, config files, reports: text a person or a tool
/// writes, never near this.
pub const TEXT_LIMIT: u64 = 64 * 1024 * 1024;
/// An inventory lists every image of a registry: about 1 KiB each.
pub const INVENTORY_LIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// Why a capped read failed: the file could not be read, or held more than the cap.
#[derive(Debug)]
pub enum CappedError {
    Io(std::io::Error),
    TooLarge(u64),
}

impl std::fmt::Display for CappedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CappedError::Io(e) => e.fmt(f),
            CappedError::TooLarge(limit) => {
                write!(f, "more than {limit} bytes (reading stopped there)")
            }
        }
    }
}

/// Reads `path` whole, failing once more than `limit` bytes have been read.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, CappedError> {
    let f = std::fs::File::open(path).map_err(CappedError::Io)?;
    let mut bytes = Vec::new();
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(CappedError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(CappedError::TooLarge(limit));
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text_capped(path: &Path, limit: u64) -> Result<String, CappedError> {
    let bytes = read_capped(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        CappedError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_files_stop_at_the_cap() {
        let e = read_capped(Path::new("/dev/zero"), 4096).unwrap_err();
        assert!(matches!(e, CappedError::TooLarge(4096)), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), b"hello");
        assert!(read_capped(&p, 4).is_err());
        assert_eq!(read_text_capped(&p, 5).unwrap(), "hello");
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(read_text_capped(&p, 5)
            .unwrap_err()
            .to_string()
            .contains("UTF-8"));
    }
}
