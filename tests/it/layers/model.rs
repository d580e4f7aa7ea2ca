//! An independent model of overlay semantics, fed by GNU `tar -tv` listings of the very
//! bytes the engine reads. It shares no code with `regscope::layers`: a HashMap and prefix
//! scans instead of a BTreeMap replay, tar's own parser instead of the `tar` crate.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::Command;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub kind: char, // '-', 'd', 'l', 'h'
    pub size: u64,
    pub path: String,
    pub link: Option<String>,
}

/// `tar -tvf` of an uncompressed tar, parsed.
pub fn tar_tv(tar_bytes: &[u8]) -> Vec<Listed> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(tar_bytes).unwrap();
    let out = Command::new("tar")
        .args(["--numeric-owner", "-tvf"])
        .arg(f.path())
        .output()
        .expect("run tar");
    assert!(
        out.status.success(),
        "tar -tv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            // perms owner size date time name...
            let mut rest = line;
            let mut fields = Vec::new();
            for _ in 0..5 {
                let t = rest.trim_start();
                let end = t.find(' ').unwrap();
                fields.push(&t[..end]);
                rest = &t[end..];
            }
            let name = rest.trim_start();
            let kind = fields[0].chars().next().unwrap();
            let (path, link) = match kind {
                'l' => {
                    let (p, l) = name.split_once(" -> ").unwrap();
                    (p, Some(l.to_string()))
                }
                'h' => {
                    let (p, l) = name.split_once(" link to ").unwrap();
                    (
                        p,
                        Some(l.trim_end_matches('/').trim_start_matches("./").to_string()),
                    )
                }
                _ => (name, None),
            };
            Listed {
                kind,
                size: fields[2].parse().unwrap(),
                path: path
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string(),
                link,
            }
        })
        .collect()
}

#[derive(Debug, Default)]
pub struct Expected {
    /// path -> (kind, size, layer) of the final filesystem
    pub fs: HashMap<String, (char, u64, usize)>,
    /// (path, size, layer) hidden file versions, sorted
    pub wasted: Vec<(String, u64, usize)>,
    pub total: u64,
}

pub fn expect(listings: &[Vec<Listed>]) -> Expected {
    let mut fs: HashMap<String, (char, u64, usize, Option<String>)> = HashMap::new();
    let mut dead: Vec<(String, u64, usize)> = Vec::new();
    let mut total = 0;
    let kill = |fs: &mut HashMap<String, (char, u64, usize, Option<String>)>,
                dead: &mut Vec<(String, u64, usize)>,
                pred: &dyn Fn(&str) -> bool| {
        let keys: Vec<String> = fs.keys().filter(|k| pred(k)).cloned().collect();
        for k in keys {
            let (kind, size, layer, _) = fs.remove(&k).unwrap();
            if kind == '-' && size > 0 {
                dead.push((k, size, layer));
            }
        }
    };
    for (i, listing) in listings.iter().enumerate() {
        for e in listing {
            let (dir, name) = match e.path.rsplit_once('/') {
                Some((d, n)) => (d.to_string(), n),
                None => (String::new(), e.path.as_str()),
            };
            if name == ".wh..wh..opq" {
                let prefix = format!("{dir}/");
                kill(&mut fs, &mut dead, &|k| k.starts_with(&prefix));
            } else if let Some(hidden) = name.strip_prefix(".wh.") {
                let target = if dir.is_empty() {
                    hidden.to_string()
                } else {
                    format!("{dir}/{hidden}")
                };
                let prefix = format!("{target}/");
                kill(&mut fs, &mut dead, &|k| {
                    k == target || k.starts_with(&prefix)
                });
            }
        }
        for e in listing {
            if e.path.rsplit('/').next().unwrap().starts_with(".wh.") {
                continue;
            }
            if e.kind == '-' {
                total += e.size;
            }
            // A hard link names the file version its target holds now (tar extracts it
            // as a second name of that inode), whichever layer carried the bytes.
            let link = match (e.kind, &e.link) {
                ('h', Some(t)) => fs.get(t).and_then(|(k, _, l, own)| match k {
                    '-' => Some(format!("{l}:{t}")),
                    'h' => own.clone(),
                    _ => None,
                }),
                _ => e.link.clone(),
            };
            let old = fs.insert(e.path.clone(), (e.kind, e.size, i, link));
            if let Some((kind, size, layer, _)) = old {
                if kind == '-' && size > 0 {
                    dead.push((e.path.clone(), size, layer));
                }
            }
        }
    }
    let linked: HashSet<String> = fs
        .values()
        .filter(|v| v.0 == 'h')
        .filter_map(|v| v.3.clone())
        .collect();
    let mut wasted: Vec<(String, u64, usize)> = dead
        .into_iter()
        .filter(|(p, _, l)| !linked.contains(&format!("{l}:{p}")))
        .collect();
    wasted.sort();
    Expected {
        fs: fs.into_iter().map(|(k, v)| (k, (v.0, v.1, v.2))).collect(),
        wasted,
        total,
    }
}

/// Visible content bytes under `dir` ("" for the root), from the model's final filesystem.
pub fn dir_size(e: &Expected, dir: &str) -> u64 {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    e.fs.iter()
        .filter(|(k, v)| k.starts_with(&prefix) && v.0 == '-')
        .map(|(_, v)| v.1)
        .sum()
}
