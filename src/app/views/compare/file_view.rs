//! Draws the file viewer: text with line numbers, anything else as a hexdump, and a note
//! when the file is longer than what was read (the viewer reads a capped prefix).

use crate::app::config::theme::{Role, Theme};
use crate::app::format;
use crate::app::state::State;
use crate::layers::fileread::FilePrefix;
use crate::layers::ReadPath;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The text of `bytes` when they read as text: UTF-8 without NUL bytes (a character cut by
/// the cap at the very end is dropped).
pub fn as_text(bytes: &[u8], truncated: bool) -> Option<&str> {
    if bytes.contains(&0) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) if truncated && e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    }
}

/// `xxd`-like rows: offset, 16 bytes in hex, the printable ones.
pub fn hexdump(bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, row)| {
            let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = row
                .iter()
                .map(|&b| {
                    if (0x20..0x7f).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {:<47}  |{ascii}|", i * 16, hex.join(" "))
        })
        .collect()
}

pub fn lines(f: &FilePrefix, t: &Theme) -> Vec<Line<'static>> {
    let truncated = (f.bytes.len() as u64) < f.size;
    let how = match &f.how {
        ReadPath::Ranged {
            checkpoint: true, ..
        } => "one range request from a checkpoint",
        ReadPath::Ranged { .. } => "one range request",
        ReadPath::Streamed {
            range_ignored: true,
        } => "streamed (the registry ignores Range)",
        ReadPath::Streamed { .. } => "streamed from the layer's start",
    };
    let mut out = vec![Line::from(Span::styled(
        format!(
            "{} · from layer {} · {how}",
            format::size(Some(f.size)),
            f.layer
        ),
        t.fg(Role::Muted),
    ))];
    if truncated {
        out.push(Line::from(Span::styled(
            format!(
                "showing the first {} of {} (regscope cat writes it whole)",
                format::size(Some(f.bytes.len() as u64)),
                format::size(Some(f.size))
            ),
            t.fg(Role::Warning),
        )));
    }
    match as_text(&f.bytes, truncated) {
        Some(text) => {
            let width = text.lines().count().max(1).to_string().len();
            out.extend(text.lines().enumerate().map(|(i, l)| {
                Line::from(vec![
                    Span::styled(format!("{:>width$} ", i + 1), t.fg(Role::Muted)),
                    Span::styled(l.replace('\t', "    "), t.fg(Role::Text)),
                ])
            }));
        }
        None => out.extend(
            hexdump(&f.bytes)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, t.fg(Role::Text)))),
        ),
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let t = &state.theme;
    let Some(page) = &state.compare.file else {
        return;
    };
    let mut out = vec![Line::from(Span::styled(
        format!("{}  in {}   (esc: back)", page.path, page.image),
        t.fg(Role::Title),
    ))];
    match &page.outcome {
        None => {
            let spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'][state.spinner % 10];
            out.push(Line::from(Span::styled(
                format!("{spin} reading the file from the registry…"),
                t.fg(Role::Info),
            )));
        }
        Some(Err(e)) => out.push(Line::from(Span::styled(
            format!("✖ {e}"),
            t.fg(Role::Danger),
        ))),
        Some(Ok(f)) => {
            let mut body = lines(f, t);
            let head: Vec<Line> = body
                .drain(
                    ..body.len().min(if (f.bytes.len() as u64) < f.size {
                        2
                    } else {
                        1
                    }),
                )
                .collect();
            out.extend(head);
            out.extend(body.into_iter().skip(state.compare.scroll as usize));
        }
    }
    frame.render_widget(Paragraph::new(out), area);
}
