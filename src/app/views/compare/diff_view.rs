//! Draws the diff view: both images with sizes and the delta, layers shared and not,
//! platform changes, directories by growth (biggest first), the biggest file changes and
//! the config changes, packages by SBOM — the engine's `regscope.diff/v1` report, as the
//! CLI prints it.

use crate::app::config::theme::{Role, Theme};
use crate::app::format;
use crate::app::state::State;
use crate::layers::compare::DiffReport;
use crate::sbom::diff::PackagesDiff;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Rows per list (directories, files).
const TOP: usize = 15;

fn signed(d: i64) -> String {
    let s = format::size(Some(d.unsigned_abs()));
    if d < 0 {
        format!("-{s}")
    } else {
        format!("+{s}")
    }
}

pub fn lines(r: &DiffReport, t: &Theme) -> Vec<Line<'static>> {
    let text = |s: String, role| Line::from(Span::styled(s, t.fg(role)));
    let mut out = Vec::new();
    for (name, s) in [("A", &r.a), ("B", &r.b)] {
        out.push(text(
            format!(
                "{name}  {}  {}  {}  {} (unique {}), files {}",
                s.reference,
                &s.digest[..s.digest.len().min(19)],
                s.platform.as_deref().unwrap_or("platform unknown"),
                format::size(Some(s.size_bytes)),
                format::size(Some(s.unique_bytes)),
                format::size(Some(s.files_bytes)),
            ),
            Role::Text,
        ));
    }
    let grew = if r.delta_bytes > 0 {
        Role::Warning
    } else {
        Role::Ok
    };
    out.push(text(
        format!(
            "delta {} compressed, {} of files · layers: {} shared, {} only in A, {} only in B",
            signed(r.delta_bytes),
            signed(r.b.files_bytes as i64 - r.a.files_bytes as i64),
            r.layers.shared.len(),
            r.layers.only_a.len(),
            r.layers.only_b.len()
        ),
        grew,
    ));
    let p = &r.platforms;
    if !p.added.is_empty() || !p.removed.is_empty() {
        out.push(text(
            format!("platforms: added {:?}, removed {:?}", p.added, p.removed),
            Role::Info,
        ));
    }
    let f = &r.files;
    out.push(text(
        format!(
            "── files: {} added, {} removed, {} changed · by directory, biggest growth first",
            f.added.len(),
            f.removed.len(),
            f.changed.len()
        ),
        Role::Header,
    ));
    for d in f.directories.iter().take(TOP) {
        let role = if d.delta > 0 { Role::Warning } else { Role::Ok };
        out.push(Line::from(vec![
            Span::styled(format!("  {:>11}  ", signed(d.delta)), t.fg(role)),
            Span::styled(
                format!("+{} -{} ~{}  /{}", d.added, d.removed, d.changed, d.path),
                t.fg(Role::Text),
            ),
        ]));
    }
    let mut rows: Vec<(i64, String, Role)> = Vec::new();
    rows.extend(
        f.added
            .iter()
            .map(|e| (e.size as i64, format!("+ /{}", e.path), Role::Ok)),
    );
    rows.extend(
        f.removed
            .iter()
            .map(|e| (-(e.size as i64), format!("- /{}", e.path), Role::Danger)),
    );
    rows.extend(f.changed.iter().map(|c| {
        let d = c.size_b as i64 - c.size_a as i64;
        (
            d,
            format!("~ /{} ({})", c.path, c.what.join(", ")),
            Role::Warning,
        )
    }));
    rows.sort_by(|x, y| y.0.abs().cmp(&x.0.abs()).then_with(|| x.1.cmp(&y.1)));
    if !rows.is_empty() {
        out.push(text("── biggest file changes".into(), Role::Header));
        for (d, line, role) in rows.into_iter().take(TOP) {
            out.push(Line::from(vec![
                Span::styled(format!("  {:>11}  ", signed(d)), t.fg(Role::Muted)),
                Span::styled(line, t.fg(role)),
            ]));
        }
    }
    out.push(text("── config".into(), Role::Header));
    let before = out.len();
    let c = &r.config;
    for (what, d) in [("env", &c.env), ("label", &c.labels)] {
        out.extend(
            d.added
                .iter()
                .map(|a| text(format!("  + {what} {a}"), Role::Ok)),
        );
        out.extend(
            d.removed
                .iter()
                .map(|a| text(format!("  - {what} {a}"), Role::Danger)),
        );
        out.extend(d.changed.iter().map(|n| {
            text(
                format!("  ~ {what} {}: {} → {}", n.name, n.a, n.b),
                Role::Warning,
            )
        }));
    }
    for (what, p) in [
        ("entrypoint", &c.entrypoint),
        ("cmd", &c.cmd),
        ("user", &c.user),
        ("workdir", &c.workdir),
    ] {
        if p.a != p.b {
            out.push(text(
                format!("  ~ {what}: {} → {}", p.a, p.b),
                Role::Warning,
            ));
        }
    }
    out.extend(
        c.exposed_ports
            .added
            .iter()
            .map(|p| text(format!("  + port {p}"), Role::Ok)),
    );
    out.extend(
        c.exposed_ports
            .removed
            .iter()
            .map(|p| text(format!("  - port {p}"), Role::Danger)),
    );
    out.extend(
        c.history
            .added
            .iter()
            .map(|h| text(format!("  + history {h}"), Role::Ok)),
    );
    out.extend(
        c.history
            .removed
            .iter()
            .map(|h| text(format!("  - history {h}"), Role::Danger)),
    );
    if out.len() == before {
        out.push(text("  (no config changes)".into(), Role::Muted));
    }
    out.extend(packages(&r.packages, t));
    out
}

/// Packages by the images' SBOMs, or why they are not compared.
fn packages(p: &PackagesDiff, t: &Theme) -> Vec<Line<'static>> {
    let text = |s: String, role| Line::from(Span::styled(s, t.fg(role)));
    let mut out = vec![text("── packages (SBOM)".into(), Role::Header)];
    for (name, s) in [("A", &p.a), ("B", &p.b)] {
        if let (Some(d), Some(f), Some(n)) = (&s.sbom, &s.format, s.packages) {
            out.push(text(
                format!(
                    "  {name}: {f} {}, {}",
                    &d[..d.len().min(19)],
                    crate::text::count(n as u64, "package")
                ),
                Role::Muted,
            ));
        }
        out.extend(
            s.problems
                .iter()
                .map(|e| text(format!("  ! {name}: {e}"), Role::Danger)),
        );
    }
    if let Some(note) = &p.note {
        out.push(text(format!("  {note}: packages not compared"), Role::Info));
        return out;
    }
    let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(version unknown)".into());
    let (added, removed, changed) = (
        p.added.as_deref().unwrap_or_default(),
        p.removed.as_deref().unwrap_or_default(),
        p.changed.as_deref().unwrap_or_default(),
    );
    out.push(text(
        format!(
            "  {} added, {} removed, {} changed",
            added.len(),
            removed.len(),
            changed.len()
        ),
        Role::Text,
    ));
    out.extend(changed.iter().take(TOP).map(|c| {
        text(
            format!("  ~ {} {} → {}", c.name, v(&c.version_a), v(&c.version_b)),
            Role::Warning,
        )
    }));
    out.extend(
        added
            .iter()
            .take(TOP)
            .map(|e| text(format!("  + {} {}", e.name, v(&e.version)), Role::Ok)),
    );
    out.extend(
        removed
            .iter()
            .take(TOP)
            .map(|e| text(format!("  - {} {}", e.name, v(&e.version)), Role::Danger)),
    );
    let hidden = [added.len(), removed.len(), changed.len()]
        .iter()
        .map(|n| n.saturating_sub(TOP))
        .sum::<usize>();
    if hidden > 0 {
        out.push(text(
            format!("  … {hidden} more (regscope diff --json lists all)"),
            Role::Muted,
        ));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let Some(page) = &state.compare.diff else {
        return;
    };
    let mut out = vec![Line::from(Span::styled(
        format!("diff  A {}  →  B {}   (esc: back)", page.a, page.b),
        t.fg(Role::Title),
    ))];
    match &page.outcome {
        None => {
            let spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'][state.spinner % 10];
            out.push(Line::from(Span::styled(
                format!(
                    "{spin} reading both images' layers (shared layers once, the cache first)…"
                ),
                t.fg(Role::Info),
            )));
        }
        Some(Err(e)) => out.push(Line::from(Span::styled(
            format!("✖ {e}"),
            t.fg(Role::Danger),
        ))),
        Some(Ok(r)) => out.extend(lines(r, t).into_iter().skip(state.compare.scroll as usize)),
    }
    frame.render_widget(Paragraph::new(out), area);
}
