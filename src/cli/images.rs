//! `regscope images TARGET[/REPO-PREFIX]`: every manifest of every repository, with kind,
//! tags, platforms and honest sizes; `--json` prints the `regscope.inventory/v1` document.

use super::crawl::{crawl, report_errors};
use super::output::{list, print_stdout, relative, size, Table, EXIT_ERROR, UNKNOWN};
use crate::inventory::tags::fallback_subject;
use crate::model::{roles, Image, ImageKind, Role, ScanStatus, ScanSummary, StorageClass};
use clap::Args;
use std::collections::HashMap;

#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// HOST[:PORT][/REPO-PREFIX], ecr://REGION, or oci:PATH
    pub target: String,
    /// Print the regscope.inventory/v1 JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also list referrers fallback-tag indexes (bookkeeping manifests tagged sha256-<hex>).
    #[arg(long)]
    pub all: bool,
    /// Show request counts, retries, 429s and rate limits on stderr.
    #[arg(long, short)]
    pub verbose: bool,
}

pub async fn run(args: ImagesArgs) -> i32 {
    let outcome = match crawl(&args.target, args.verbose).await {
        Ok(o) => o,
        Err(code) => return code,
    };
    if args.json {
        match serde_json::to_string_pretty(&outcome.inventory) {
            Ok(s) => print_stdout(&(s + "\n")),
            Err(e) => {
                eprintln!("regscope: cannot write JSON: {e}");
                return EXIT_ERROR;
            }
        }
    } else {
        print_stdout(&table(&outcome.inventory.images, args.all));
    }
    report_errors(&outcome)
}

/// A fallback-tag index: the manifest behind a `sha256-<hex>` referrers tag.
fn is_bookkeeping(i: &Image) -> bool {
    i.kind == ImageKind::Artifact
        && !i.tags.is_empty()
        && i.tags.iter().all(|t| fallback_subject(t).is_some())
}

/// The table: images newest first within a repository, each with what hangs from it
/// (an index's platforms, referrers) indented below it. What counts as an image is the
/// engine's one definition (`model::Role`): the footer says how many of each.
pub fn table(images: &[Image], all: bool) -> String {
    let now = chrono::Utc::now();
    let roles = roles(images);
    let mut below: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in roles.iter().enumerate() {
        if let Some(up) = r.up() {
            below.entry(up as usize).or_default().push(i);
        }
    }
    let mut top: Vec<usize> = (0..images.len())
        .filter(|&i| roles[i].is_top_level())
        .collect();
    // Newest first within a repository; unknown dates last.
    top.sort_by(|&a, &b| {
        let (a, b) = (&images[a], &images[b]);
        a.repository
            .cmp(&b.repository)
            .then_with(|| b.created_at.cmp(&a.created_at))
            .then_with(|| a.digest.cmp(&b.digest))
    });
    // (record, depth below its top-level row), depth first.
    let mut rows: Vec<(&Image, usize)> = Vec::new();
    let mut hidden = 0usize;
    for t in top {
        let mut stack = vec![(t, 0usize)];
        while let Some((i, depth)) = stack.pop() {
            if !all && is_bookkeeping(&images[i]) {
                hidden += 1;
            } else {
                rows.push((&images[i], depth));
            }
            if let Some(kids) = below.get(&i) {
                stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
            }
        }
    }
    let counted = roles.iter().filter(|r| r.is_image()).count();
    let platforms = roles
        .iter()
        .filter(|r| matches!(r, Role::Child { .. }))
        .count();
    let referrers = roles
        .iter()
        .filter(|r| matches!(r, Role::Referrer { .. }))
        .count();
    // Registries with their own API know push and pull times, scans and storage class.
    let cloud = rows.iter().any(|(i, _)| {
        i.pushed_at.is_some()
            || i.last_pulled_at.is_some()
            || i.scan.is_some()
            || i.storage_class.is_some()
    });
    let mut headers = vec![
        "REPOSITORY",
        "TAGS",
        "DIGEST",
        "KIND",
        "PLATFORMS",
        "SIZE",
        "UNIQUE",
        "CREATED",
    ];
    if cloud {
        headers.extend(["PUSHED", "PULLED", "SCAN", "STORAGE"]);
    }
    let mut t = Table::new(&headers).right_align(&[5, 6]);
    for (i, depth) in rows {
        let platforms: Vec<String> = i.platforms.iter().map(|p| p.to_string()).collect();
        let kind = match (&i.subject, i.kind) {
            (Some(s), k) if k != ImageKind::Image && k != ImageKind::Index => {
                format!("{} of {}", k.as_str(), s.short())
            }
            (_, k) => k.as_str().to_string(),
        };
        let tags = if i.tags.is_empty() {
            "<untagged>".to_string()
        } else {
            list(&i.tags, 3)
        };
        let mut cells = vec![
            i.repository.clone(),
            match depth {
                0 => tags,
                // Under its index or subject: a platform by its platform, a referrer by kind.
                d => {
                    let what = match (i.kind, i.platforms.first()) {
                        (ImageKind::Image, Some(p)) => p.to_string(),
                        // The same names as the TUI: an SBOM is "SBOM", an unknown
                        // artifact its type.
                        (ImageKind::Artifact, _) => match &i.artifact_type {
                            Some(t) => match crate::model::referrer_label(Some(t)) {
                                "artifact" => t.clone(),
                                known => known.to_string(),
                            },
                            None => "artifact".to_string(),
                        },
                        (k, _) => k.as_str().to_string(),
                    };
                    let tags = if i.tags.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", list(&i.tags, 3))
                    };
                    format!("{}↳ {what}{tags}", "  ".repeat(d - 1))
                }
            },
            i.digest.short().to_string(),
            kind,
            list(&platforms, 3),
            size(i.size_bytes),
            size(i.unique_bytes),
            relative(i.created_at, now),
        ];
        if cloud {
            cells.extend([
                relative(i.pushed_at, now),
                relative(i.last_pulled_at, now),
                scan_cell(i.scan.as_ref()),
                match i.storage_class {
                    Some(StorageClass::Standard) => "standard".into(),
                    Some(StorageClass::Archive) => "archive".into(),
                    None => UNKNOWN.into(),
                },
            ]);
        }
        t.row(cells);
    }
    let mut out = if t.is_empty() {
        "no images\n".to_string()
    } else {
        t.render()
    };
    if !images.is_empty() {
        out.push_str(&format!(
            "{} ({} of an index, {}: shown under what they belong to)\n",
            crate::text::count(counted, "image"),
            crate::text::count(platforms, "platform manifest"),
            crate::text::count(referrers, "referrer")
        ));
    }
    if hidden > 0 {
        out.push_str(&format!(
            "({hidden} {} hidden; --all shows {})\n",
            crate::text::plural(
                hidden,
                "referrers fallback-tag index",
                "referrers fallback-tag indexes"
            ),
            crate::text::plural(hidden, "it", "them")
        ));
    }
    out
}

/// A scan rollup in a few characters: unknown is not "clean", and "clean" is only said
/// of a completed scan with no findings.
fn scan_cell(scan: Option<&ScanSummary>) -> String {
    let Some(s) = scan else {
        return UNKNOWN.into();
    };
    match s.status {
        ScanStatus::NotScanned => "not scanned".into(),
        ScanStatus::Scanning => "scanning".into(),
        ScanStatus::Failed => "failed".into(),
        ScanStatus::Unsupported => "unsupported".into(),
        ScanStatus::Scanned if s.counts.total() == 0 => "clean".into(),
        ScanStatus::Scanned => {
            let c = &s.counts;
            let parts: Vec<String> = [
                ("C", c.critical),
                ("H", c.high),
                ("M", c.medium),
                ("L", c.low),
            ]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k}{n}"))
            .collect();
            if parts.is_empty() {
                format!("{} other", c.total())
            } else {
                parts.join(" ")
            }
        }
    }
}
