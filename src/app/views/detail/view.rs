//! Draws the detail pane: tabs for overview, layers (size bars and `created_by`) and raw
//! bytes (see `raw`), for the image selected in the table. Values say which platform they belong to.

use super::state::{DetailEntry, DetailTab};
use crate::app::config::theme::Role;
use crate::app::format;
use crate::app::state::{Pane, State};
use crate::app::tasks::detail::{referrer_label, DetailData, LayerLine};
use crate::app::views::images::table::RowRef;
use crate::app::widgets::bar;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let d = &state.detail;
    let focused = state.focus == Pane::Detail;
    let mut tabs = vec![Span::styled(" detail ", t.fg(Role::Title))];
    for tab in DetailTab::ALL {
        let label = if tab == DetailTab::Raw {
            if d.raw_config {
                "raw: config"
            } else {
                "raw: manifest"
            }
        } else {
            tab.title()
        };
        let style = if tab == d.tab {
            t.selection()
        } else {
            t.fg(Role::Muted)
        };
        tabs.push(Span::styled(format!(" {label} "), style));
        tabs.push(Span::raw(" "));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Line::from(tabs));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(row) = state.images.selected() else {
        // An open detail with nothing selected (a filter or `:platform` left no row):
        // say why, rather than an empty pane whose keys do nothing.
        let why = match &state.images.platform {
            Some(p) => format!(
                "no image selected: no row matches the platform {p} (:platform alone shows all)"
            ),
            None => "no image selected: no row matches the filter (esc clears it)".to_string(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(why, t.fg(Role::Muted))).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    };
    if d.tab == DetailTab::Findings {
        crate::app::views::findings::view::draw(frame, inner, state, row.digest_str());
        return;
    }
    let entry = d.cache.get(row.digest_str());
    let lines: Vec<Line> = match (d.tab, entry) {
        (DetailTab::Overview, e) => overview(state, row, e),
        (_, None) if opening_note(state).is_some() => vec![Line::from(Span::styled(
            format!(
                "not opened: enter opens it ({})",
                opening_note(state).unwrap_or_default()
            ),
            t.fg(Role::Info),
        ))],
        (_, None | Some(DetailEntry::Loading)) => vec![Line::from(Span::styled(
            "fetching manifest and config…",
            t.fg(Role::Info),
        ))],
        (_, Some(DetailEntry::Failed(e))) => vec![Line::from(Span::styled(
            format!("✖ {e}"),
            t.fg(Role::Danger),
        ))],
        (DetailTab::Layers, Some(DetailEntry::Ready(data))) => {
            use crate::app::views::layers::{state::LayersEntry, view as layers_view};
            let analysis = state.layers.cache.get(row.digest_str());
            if let Some(LayersEntry::Ready(a)) = analysis {
                let dive = state.layers.dive.get(row.digest_str());
                return layers_view::draw(frame, inner, state, a, dive);
            }
            if data.layers.is_empty() && !data.platforms.is_empty() {
                return draw_index_layers(frame, inner, state, data);
            }
            let mut lines = layers(state, data, inner.width);
            if !data.layers.is_empty() {
                lines.extend(layers_view::status(state, analysis));
            }
            lines
        }
        // Drawn by the findings view above.
        (DetailTab::Findings, Some(DetailEntry::Ready(_))) => Vec::new(),
        (DetailTab::Raw, Some(DetailEntry::Ready(data))) => {
            super::raw::lines(state, d, data, inner.width)
        }
    };
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let para = Paragraph::new(lines).scroll((d.scroll.min(max_scroll), 0));
    let para = if d.tab == DetailTab::Raw {
        para
    } else {
        para.wrap(Wrap { trim: false })
    };
    frame.render_widget(para, inner);
}

fn kv<'a>(state: &State, k: &str, v: String) -> Line<'a> {
    let t = &state.theme;
    Line::from(vec![
        Span::styled(format!("{k:<11}"), t.fg(Role::Muted)),
        Span::styled(v, t.fg(Role::Text)),
    ])
}

fn overview<'a>(state: &State, row: RowRef<'_>, entry: Option<&'a DetailEntry>) -> Vec<Line<'a>> {
    let t = &state.theme;
    let mut out = vec![
        kv(state, "reference", state.fleet.shown_reference(row)),
        kv(state, "media type", row.media_type().to_string()),
        kv(
            state,
            "tags",
            if row.tag_count() == 0 {
                "untagged".into()
            } else {
                row.tags_text().replace(' ', ", ")
            },
        ),
        kv(
            state,
            "size",
            format!(
                "{} compressed, {} unique (freed by deleting it alone)",
                format::size(row.size()),
                format::size(row.unique())
            ),
        ),
        kv(state, "created", format::absolute(row.created())),
        kv(state, "pushed", format::absolute(row.pushed())),
        kv(state, "last pull", format::absolute(row.pulled())),
    ];
    // An archive storage class: such an image lists but cannot be pulled until restored, which
    // is the first thing an on-call engineer needs to know about it.
    if let Some(crate::model::StorageClass::Archive) =
        crate::app::views::images::records::image_of(row).storage_class
    {
        out.push(kv(
            state,
            "storage",
            "archive: listed but not pullable until restored".to_string(),
        ));
    }
    let data: Option<&DetailData> = match entry {
        Some(DetailEntry::Ready(d)) => Some(d),
        _ => None,
    };
    if let Some(os) = data.and_then(|d| d.os_arch.clone()) {
        out.push(kv(state, "platform", os));
    }
    match data {
        Some(d) if !d.platforms.is_empty() => {
            out.push(Line::from(vec![
                Span::styled("platforms", t.fg(Role::Header)),
                Span::styled(
                    "  (j/k choose, enter opens its manifest)",
                    t.fg(Role::Muted),
                ),
            ]));
            let at = state.detail.platform_cursor.min(d.platforms.len() - 1);
            for (i, p) in d.platforms.iter().enumerate() {
                let style = if i == at {
                    t.selection()
                } else if p.attestation {
                    t.fg(Role::Muted)
                } else {
                    t.fg(Role::Text)
                };
                out.push(Line::from(Span::styled(
                    format!(
                        "{}{:<22} {:>9}  {}",
                        if i == at { "▸ " } else { "  " },
                        p.platform,
                        format::size(p.size),
                        &p.digest.hex()[..12]
                    ),
                    style,
                )));
            }
        }
        _ if row.platforms().len() > 1 => {
            let list: Vec<String> = row.platforms().iter().map(|p| p.to_string()).collect();
            out.push(kv(state, "platforms", list.join(", ")));
        }
        _ => {}
    }
    out.push(Line::from(Span::styled("referrers", t.fg(Role::Header))));
    match (entry, data.map(|d| &d.referrers)) {
        (_, Some(Ok(list))) if list.is_empty() => out.push(Line::from(Span::styled(
            "  none (the registry listed no referrers)",
            t.fg(Role::Muted),
        ))),
        (_, Some(Ok(list))) => {
            for r in list {
                out.push(Line::from(Span::styled(
                    format!(
                        "  {:<11} {}  {}",
                        r.label,
                        &r.digest.hex()[..12],
                        r.artifact_type.as_deref().unwrap_or("")
                    ),
                    t.fg(Role::Text),
                )));
            }
        }
        (_, Some(Err(why))) => {
            out.push(Line::from(Span::styled(
                format!("  {why}"),
                t.fg(Role::Warning),
            )));
            // The inventory may still know some (the tag-schema fallback, a registry's API).
            listed_referrers(state, row, &mut out);
        }
        (Some(DetailEntry::Failed(e)), None) => {
            out.push(Line::from(Span::styled(
                format!("  ✖ {e}"),
                t.fg(Role::Danger),
            )));
            listed_referrers(state, row, &mut out);
        }
        (Some(DetailEntry::Loading), None) => {
            listed_referrers(state, row, &mut out);
            out.push(Line::from(Span::styled("  fetching…", t.fg(Role::Info))));
        }
        // Not opened (where reading the manifest counts as a pull): what the listing
        // knows — a registry's own API may list signatures and SBOMs (Harbor's accessories).
        (None | Some(DetailEntry::Ready(_)), None) => {
            if !listed_referrers(state, row, &mut out) {
                out.push(Line::from(Span::styled(
                    "  none listed; opening the image lists them",
                    t.fg(Role::Muted),
                )));
            }
        }
    }
    if let Some(s) = row.extra().and_then(|e| e.subject.clone()) {
        out.push(kv(state, "subject", s.to_string()));
    }
    out
}

/// The referrers the inventory listed for `row` (signatures, SBOMs), one line each;
/// whether there were any.
fn listed_referrers(state: &State, row: RowRef<'_>, out: &mut Vec<Line<'_>>) -> bool {
    let listed = row.extra().map(|e| e.referrers.as_slice()).unwrap_or(&[]);
    for r in listed {
        out.push(Line::from(Span::styled(
            format!(
                "  {:<11} {}  {}",
                referrer_label(r.artifact_type.as_deref()),
                &r.digest.hex()[..12],
                r.artifact_type.as_deref().unwrap_or("")
            ),
            state.theme.fg(Role::Text),
        )));
    }
    !listed.is_empty()
}

fn layers<'a>(state: &State, data: &'a DetailData, width: u16) -> Vec<Line<'a>> {
    let t = &state.theme;
    if data.layers.is_empty() {
        return vec![Line::from(Span::styled(
            "no layers (an index: open a platform's manifest for its layers)",
            t.fg(Role::Muted),
        ))];
    }
    let max = data.layers.iter().map(|l| l.size).max().unwrap_or(0);
    let (foreign, stored): (Vec<&LayerLine>, Vec<&LayerLine>) =
        data.layers.iter().partition(|l| l.foreign_from.is_some());
    let total = crate::model::saturating_sum(stored.iter().map(|l| l.size));
    let bar_w = (width as usize / 5).clamp(6, 24);
    let mut head = format!(
        "{}, {} compressed",
        crate::text::count(stored.len(), "layer"),
        format::size(Some(total))
    );
    if !foreign.is_empty() {
        // Foreign layers are pulled from elsewhere: not part of what this registry stores.
        head.push_str(&format!(
            " · + {} in {} not stored here",
            format::size(Some(crate::model::saturating_sum(
                foreign.iter().map(|l| l.size)
            ))),
            crate::text::count(foreign.len(), "foreign layer")
        ));
    }
    let mut out = vec![Line::from(Span::styled(head, t.fg(Role::Header)))];
    for l in &data.layers {
        let what = l
            .created_by
            .clone()
            .unwrap_or_else(|| format!("{} (no history)", &l.digest.hex()[..12]));
        let what = match &l.foreign_from {
            Some(hosts) => format!("foreign, from {hosts} · {what}"),
            None => what,
        };
        out.push(Line::from(vec![
            Span::styled(bar(l.size, max, bar_w), t.fg(Role::BarTotal)),
            Span::styled(
                format!(" {:>9} ", format::size(Some(l.size))),
                t.fg(Role::Text),
            ),
            Span::styled(what, t.fg(Role::Muted)),
        ]));
    }
    out
}

/// What opening an image of the shown table costs, where reading a manifest counts as a
/// pull (manifests are then fetched only on request).
fn opening_note(state: &State) -> Option<String> {
    let i = state
        .images
        .table
        .as_ref()
        .and_then(|t| state.fleet.registry_index(&t.registry))?;
    let node = &state.fleet.registries[i];
    node.caps().opening_note(node.kind)
}

/// The layers tab of an index: the layers of one platform (chosen with `:platform`, else
/// linux/amd64, else the first runnable one), named, with how to see another.
fn draw_index_layers(frame: &mut Frame, area: Rect, state: &State, index: &DetailData) {
    let t = &state.theme;
    let Some(p) = super::update::index_platform(state, index) else {
        let msg = "no layers: this index lists no runnable platform (only attestations)";
        frame.render_widget(Paragraph::new(Span::styled(msg, t.fg(Role::Muted))), area);
        return;
    };
    let how = match (
        &state.images.platform,
        super::update::chosen_platform(state, index),
    ) {
        (Some(_), Some(_)) => "chosen with :platform".to_string(),
        // Asked for a platform this index does not have: say so, not "chosen".
        (Some(w), None) if p.platform == "linux/amd64" => {
            format!("no {w} here; linux/amd64 when present")
        }
        (Some(w), None) => format!("no {w} here; the first runnable platform"),
        (None, _) if p.platform == "linux/amd64" => "linux/amd64 when present".to_string(),
        (None, _) => "the first runnable platform".to_string(),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("layers of ", t.fg(Role::Muted)),
            Span::styled(p.platform.clone(), t.fg(Role::Accent)),
            Span::styled(
                format!(
                    " @{} ({how}) · :platform OS/ARCH for another",
                    &p.digest.hex()[..12]
                ),
                t.fg(Role::Muted),
            ),
        ]),
        Line::default(),
    ];
    match state.detail.cache.get(p.digest.as_str()) {
        Some(DetailEntry::Ready(child)) => lines.extend(layers(state, child, area.width)),
        Some(DetailEntry::Failed(e)) => lines.push(Line::from(Span::styled(
            format!("✖ {e}"),
            t.fg(Role::Danger),
        ))),
        _ => lines.push(Line::from(Span::styled(
            format!("fetching the {} manifest…", p.platform),
            t.fg(Role::Info),
        ))),
    }
    let max_scroll = (lines.len() as u16).saturating_sub(area.height);
    let para = Paragraph::new(lines)
        .scroll((state.detail.scroll.min(max_scroll), 0))
        .wrap(Wrap { trim: false });
    frame.render_widget(para, area);
}
