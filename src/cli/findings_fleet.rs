//! `regscope findings TARGET --cve ID` and `regscope findings TARGET --package P [--below V]`:
//! which images of a registry contain a vulnerability or a vulnerable package, newest (or
//! most recently pulled) first. The fleet comes from the registry's crawl (which reads no
//! manifest where reading counts as a pull); each image's findings are fetched with bounded
//! concurrency, and the output says how many images are still unknown and why.

use super::findings::FindingsArgs;
use super::output::{EXIT_OK, EXIT_PARTIAL};
use crate::scan::fleet::{self, Fetched, FleetAnswer, FleetImage, FleetQuery, HitOrder};
use crate::scan::ReportFiles;
use crate::session::FindingsQuery;
use futures::future::BoxFuture;
use std::io::Write;

/// Findings fetched at once at most, whatever the registry's own request limit.
const MAX_IN_FLIGHT: usize = 8;

macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// The fleet question the arguments ask, if any.
pub fn query(args: &FindingsArgs) -> anyhow::Result<Option<FleetQuery>> {
    Ok(match (&args.cve, &args.package) {
        (Some(id), _) if id.trim().is_empty() => {
            return Err(super::output::usage("--cve needs an id"))
        }
        (Some(id), _) => Some(FleetQuery::cve(id)),
        (None, Some(p)) => {
            let name = p.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(super::output::usage(format!(
                    "--package needs one package name, not {p:?}"
                )));
            }
            Some(FleetQuery::Package {
                name: name.to_string(),
                below: args.below.as_ref().map(|v| v.trim().to_string()),
            })
        }
        (None, None) => None,
    })
}

type Fetch = BoxFuture<'static, (FleetImage, Result<Fetched, String>)>;

pub async fn run(args: &FindingsArgs, q: FleetQuery) -> anyhow::Result<i32> {
    let session = super::source::open_target(&args.reference)
        .await
        .map_err(super::output::usage)?;
    let outcome = match super::crawl::crawl_session(&session, false).await {
        Ok(o) => o,
        Err(code) => return Ok(code),
    };
    let partial = super::crawl::report_errors(&outcome) != EXIT_OK;
    let images = fleet::fleet_images(&outcome.inventory.images);
    let in_flight = session.settings().concurrency().min(MAX_IN_FLIGHT);
    let files = ReportFiles {
        paths: args.report.clone(),
    };
    // The session reads each image's findings the way its registry allows: its own scan
    // through its API where it has one (a manifest read may count as a pull there).
    let mut ans = fleet::search(images, q, in_flight, move |img| -> Fetch {
        let (session, files) = (session.clone(), files.clone());
        Box::pin(async move {
            let q = FindingsQuery {
                repository: img.repository.clone(),
                reference: img.digest.to_string(),
                shown_as: format!("{}@{}", img.repository, img.digest),
                files,
            };
            let r = session
                .findings(&q)
                .await
                .map(|f| Fetched::from(&f))
                .map_err(|e| e.to_string());
            (img, r)
        })
    })
    .await;
    let order = if args.sort == "pulled" {
        HitOrder::Pulled
    } else {
        HitOrder::Newest
    };
    ans.sort(order);
    for p in &ans.problems {
        eprintln!("regscope findings: {p}");
    }
    if args.json {
        out!("{}", serde_json::to_string_pretty(&ans)?);
    } else {
        print(&ans, order, partial);
    }
    Ok(match args.fail_on {
        Some(_) if !ans.hits.is_empty() => 1,
        _ if partial => EXIT_PARTIAL,
        _ => EXIT_OK,
    })
}

/// The one-line verdict: hits out of images, and what the answer cannot see.
pub fn summary_line(ans: &FleetAnswer) -> String {
    let mut s = format!(
        "{}: {} of {} affected; answered for {} scanned",
        ans.query.label(),
        ans.hits.len(),
        crate::text::count(ans.images, "image"),
        ans.scanned
    );
    if ans.unknown == 0 {
        s.push_str(", none unknown");
        return s;
    }
    let parts: Vec<String> = [
        (ans.not_scanned, "not scanned"),
        (ans.scanning, "scanning"),
        (ans.failed, "scan failed"),
        (ans.unsupported, "unsupported"),
        (ans.unreadable, "unreadable"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    s.push_str(&format!(
        "; {} still unknown ({})",
        ans.unknown,
        parts.join(", ")
    ));
    s
}

fn print(ans: &FleetAnswer, order: HitOrder, partial: bool) {
    out!("{}", summary_line(ans));
    if partial {
        out!("some repositories could not be listed: their images are not counted (see stderr)");
    }
    if ans.hits.is_empty() {
        return;
    }
    out!(
        "\n{:<28} {:<12} {:<24} {:<12} {:<34} {:<10} {:<10}   ({} first)",
        "REPOSITORY",
        "DIGEST",
        "TAGS",
        match ans.query {
            FleetQuery::Cve { .. } => "PACKAGE",
            FleetQuery::Package { .. } => "ID",
        },
        "INSTALLED -> FIXED",
        "CREATED",
        "PULLED",
        order.name()
    );
    let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "—".into())
    };
    for h in &ans.hits {
        let f = &h.finding;
        let more = if h.findings.len() > 1 {
            format!(" +{}", h.findings.len() - 1)
        } else {
            String::new()
        };
        let what = match &ans.query {
            FleetQuery::Cve { .. } => f.package.clone().unwrap_or_else(|| "-".into()),
            FleetQuery::Package { .. } => f.id.clone(),
        };
        out!(
            "{:<28} {:<12} {:<24} {:<12} {:<34} {:<10} {:<10}",
            h.repository,
            h.digest.short(),
            if h.tags.is_empty() {
                "<untagged>".to_string()
            } else {
                h.tags.join(",")
            },
            format!("{what}{more}"),
            format!(
                "{} -> {}",
                f.installed_version.as_deref().unwrap_or("?"),
                f.fixed_version.as_deref().unwrap_or("(no fix)")
            ),
            day(h.created_at.or(h.pushed_at)),
            day(h.last_pulled_at)
        );
    }
}
