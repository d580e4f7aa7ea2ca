//! A reader between the decompressor and the tar parser that follows the archive's block
//! structure and refuses extension records (PAX `x`/`g`, GNU long name `L` and long link
//! `K`) larger than [`MAX_EXTENSION`] before the parser reads them. The tar crate reads
//! such a record whole into memory, so a 1 MB gzip layer holding a 1 GiB PAX record would
//! otherwise allocate 1 GiB. Bytes pass through unchanged; only headers are looked at.

use std::io::{self, Read};

/// The largest extension record accepted per entry. Real ones are a few hundred bytes
/// (a long path, some xattrs); 1 MiB leaves room for large xattrs.
pub const MAX_EXTENSION: u64 = 1 << 20;

const BLOCK: u64 = 512;

pub struct TarGuard<R> {
    inner: R,
    /// Bytes passed through so far.
    pos: u64,
    /// Where the next header (or GNU sparse extension block) starts.
    next: u64,
    block: Box<[u8; 512]>,
    fill: usize,
    /// The data of a PAX `x` record being collected, to learn a `size` override.
    pax: Option<(u64, Vec<u8>)>,
    /// The `size` a preceding PAX record set for the next entry.
    pax_size: Option<u64>,
    /// The next block is a GNU sparse extension block, then data of this size.
    sparse_data: Option<u64>,
    /// End of archive (or a header the parser will refuse itself): stop looking.
    done: bool,
}

impl<R: Read> TarGuard<R> {
    pub fn new(inner: R) -> Self {
        TarGuard {
            inner,
            pos: 0,
            next: 0,
            block: Box::new([0; 512]),
            fill: 0,
            pax: None,
            pax_size: None,
            sparse_data: None,
            done: false,
        }
    }

    /// Looks at `buf`, the bytes just read starting at `self.pos`.
    fn observe(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut at = 0usize;
        while at < buf.len() && !self.done {
            let abs = self.pos + at as u64;
            if let Some((end, data)) = &mut self.pax {
                // Inside a PAX record's data: collect it (bounded by MAX_EXTENSION).
                if abs < *end {
                    let take = ((*end - abs) as usize).min(buf.len() - at);
                    data.extend_from_slice(&buf[at..at + take]);
                    at += take;
                    continue;
                }
                self.pax_size = pax_size(data);
                self.pax = None;
            }
            if abs < self.next {
                at += ((self.next - abs) as usize).min(buf.len() - at);
                continue;
            }
            let take = (BLOCK as usize - self.fill).min(buf.len() - at);
            self.block[self.fill..self.fill + take].copy_from_slice(&buf[at..at + take]);
            self.fill += take;
            at += take;
            if self.fill == BLOCK as usize {
                self.fill = 0;
                let header_end = abs + take as u64;
                self.on_block(header_end)?;
            }
        }
        Ok(())
    }

    /// A whole header (or sparse extension) block ending at `end` has been read.
    fn on_block(&mut self, end: u64) -> io::Result<()> {
        let b = &*self.block;
        if let Some(size) = self.sparse_data {
            // GNU sparse extension: 21 entries of 24 bytes, then the "more follow" flag.
            if b[504] == 0 {
                self.sparse_data = None;
                self.next = end.saturating_add(round_up(size));
            } else {
                self.next = end;
            }
            return Ok(());
        }
        if b.iter().all(|&x| x == 0) || !checksum_ok(b) {
            // The end of the archive, or garbage the parser will refuse with its own error.
            self.done = true;
            return Ok(());
        }
        let kind = b[156];
        let Some(mut size) = numeric(&b[124..136]) else {
            self.done = true;
            return Ok(());
        };
        let extension = matches!(kind, b'x' | b'g' | b'L' | b'K');
        if extension {
            if size > MAX_EXTENSION {
                let what = match kind {
                    b'x' => "PAX extended header",
                    b'g' => "PAX global header",
                    b'L' => "GNU long name",
                    _ => "GNU long link name",
                };
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "tar header: a {what} record of {size} bytes exceeds the limit of {MAX_EXTENSION} bytes per entry"
                    ),
                ));
            }
            if kind == b'x' {
                self.pax = Some((end + size, Vec::with_capacity(size as usize)));
            }
        } else if let Some(s) = self.pax_size.take() {
            // As the parser does: a PAX `size` overrides the header's for the next entry.
            size = s;
        }
        // GNU sparse with more map entries than the header holds: extension blocks follow.
        if kind == b'S' && b[482] != 0 {
            self.sparse_data = Some(size);
            self.next = end;
            return Ok(());
        }
        self.next = end.saturating_add(round_up(size));
        Ok(())
    }
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.done {
            self.observe(&buf[..n])?;
        }
        self.pos += n as u64;
        Ok(n)
    }
}

fn round_up(size: u64) -> u64 {
    size.saturating_add(BLOCK - 1) & !(BLOCK - 1)
}

fn checksum_ok(b: &[u8; 512]) -> bool {
    let sum: u32 = b[..148]
        .iter()
        .chain(&b[156..])
        .map(|&x| x as u32)
        .sum::<u32>()
        + 8 * 32;
    numeric(&b[148..156]).is_some_and(|c| c == sum as u64)
}

/// A tar number field: octal text (NUL/space padded) or GNU base-256 (high bit set).
fn numeric(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        if field[0] & 0x40 != 0 {
            return None; // negative
        }
        let mut v: u64 = (field[0] & 0x3f) as u64;
        for &x in &field[1..] {
            v = v.checked_mul(256)?.checked_add(x as u64)?;
        }
        return Some(v);
    }
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// The `size` record of PAX data (`LEN size=N\n` records), as the parser reads it.
fn pax_size(data: &[u8]) -> Option<u64> {
    let mut rest = data;
    let mut found = None;
    while !rest.is_empty() {
        let space = rest.iter().position(|&c| c == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
        if len <= space || len > rest.len() {
            return found;
        }
        let record = &rest[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(v) = record.strip_prefix(b"size=") {
            found = std::str::from_utf8(v).ok().and_then(|v| v.parse().ok());
        }
        rest = &rest[len..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).unwrap();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(0o644);
        h.set_cksum();
        h
    }

    /// Every entry of `bytes` read through the guard, as (path, size).
    fn entries(bytes: &[u8]) -> io::Result<Vec<(String, u64)>> {
        let mut a = tar::Archive::new(TarGuard::new(bytes));
        let mut out = Vec::new();
        for e in a.entries()? {
            let e = e?;
            out.push((
                String::from_utf8_lossy(&e.path_bytes()).into_owned(),
                e.size(),
            ));
        }
        Ok(out)
    }

    #[test]
    fn ordinary_archives_with_long_names_pax_and_sizes_pass_unchanged() {
        let mut b = tar::Builder::new(Vec::new());
        let long = format!("dir/{}", "n".repeat(300));
        let mut h = tar::Header::new_gnu();
        h.set_size(5);
        h.set_mode(0o644);
        b.append_data(&mut h, &long, &b"hello"[..]).unwrap();
        let pax = b"18 path=pax/named\n10 size=3\n";
        b.append(
            &header("PaxHeader", tar::EntryType::XHeader, pax.len() as u64),
            &pax[..],
        )
        .unwrap();
        let mut h = header("ignored", tar::EntryType::Regular, 3);
        b.append(&h, &b"abc"[..]).unwrap();
        h = header("after", tar::EntryType::Regular, 700);
        b.append(&h, &[7u8; 700][..]).unwrap();
        let bytes = b.into_inner().unwrap();
        let got = entries(&bytes).unwrap();
        assert_eq!(
            got,
            vec![(long, 5), ("pax/named".into(), 3), ("after".into(), 700)]
        );
        // The guard passes every byte through.
        let mut all = Vec::new();
        TarGuard::new(&bytes[..]).read_to_end(&mut all).unwrap();
        assert_eq!(all, bytes);
    }

    #[test]
    fn an_oversized_extension_record_is_refused_before_it_is_read() {
        for (kind, what) in [
            (tar::EntryType::XHeader, "PAX extended header"),
            (tar::EntryType::XGlobalHeader, "PAX global header"),
            (tar::EntryType::GNULongName, "GNU long name"),
            (tar::EntryType::GNULongLink, "GNU long link name"),
        ] {
            // The header claims 1 GiB; only its first 4 KiB follow. Without the guard
            // the parser would try to read (and allocate) all of it.
            let mut bytes = header("././@LongLink", kind, 1 << 30).as_bytes().to_vec();
            bytes.extend(std::iter::repeat_n(b'a', 4096));
            let e = entries(&bytes).unwrap_err();
            assert!(e.to_string().contains(what), "{e}");
            assert!(
                e.to_string().contains("exceeds the limit of 1048576"),
                "{e}"
            );
        }
        // Exactly at the limit is fine.
        let mut b = tar::Builder::new(Vec::new());
        let mut h = header("././@LongLink", tar::EntryType::GNULongName, MAX_EXTENSION);
        h.set_cksum();
        let mut name = vec![b'x'; MAX_EXTENSION as usize - 1];
        name.push(0);
        b.append(&h, &name[..]).unwrap();
        b.append(&header("short", tar::EntryType::Regular, 1), &b"z"[..])
            .unwrap();
        let got = entries(&b.into_inner().unwrap()).unwrap();
        assert_eq!(got[0].0.len(), MAX_EXTENSION as usize - 1);
    }

    #[test]
    fn numbers_and_pax_records_parse_as_tar_writes_them() {
        assert_eq!(numeric(b"00000001750\0"), Some(1000));
        assert_eq!(numeric(b"           \0"), Some(0));
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[11] = 1;
        big[10] = 2;
        assert_eq!(numeric(&big), Some(513));
        assert_eq!(pax_size(b"12 size=700\n20 path=a/b/c/d/e/f\n"), Some(700));
        assert_eq!(pax_size(b"9 path=a\n"), None);
    }
}
