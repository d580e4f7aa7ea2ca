//! Reusable drawing pieces: the virtual table, popups, bars, the hint bar.

pub mod hint_bar;
pub mod vtable;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// A rectangle of `pct_w`% × `pct_h`% centred in `area`, at least `min_w` × `min_h`.
pub fn centered(area: Rect, pct_w: u16, pct_h: u16, min_w: u16, min_h: u16) -> Rect {
    let w = (area.width * pct_w / 100).max(min_w).min(area.width);
    let h = (area.height * pct_h / 100).max(min_h).min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// `text` broken at spaces into lines of at most `width` columns; a word longer than a
/// line is split. Never loses a character: what does not fit goes on the next line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        while line.chars().count() + word.len() > width {
            let room = width - line.chars().count();
            line.extend(word.drain(..room));
            out.push(std::mem::take(&mut line));
        }
        line.extend(word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// `line` cut to `width` columns, its last visible character replaced by `…` when
/// anything is cut (styles kept), so nothing disappears without a sign.
pub fn cut_line(line: Line<'static>, width: usize) -> Line<'static> {
    let total: usize = line.spans.iter().map(|s| s.content.chars().count()).sum();
    if total <= width {
        return line;
    }
    let mut left = width.saturating_sub(1);
    let mut spans: Vec<Span<'static>> = Vec::new();
    for s in line.spans {
        if left == 0 {
            break;
        }
        let n = s.content.chars().count();
        if n <= left {
            left -= n;
            spans.push(s);
        } else {
            let cut: String = s.content.chars().take(left).collect();
            spans.push(Span::styled(cut, s.style));
            left = 0;
        }
    }
    let style = spans.last().map(|s| s.style).unwrap_or_default();
    if width > 0 {
        spans.push(Span::styled("…", style));
    }
    Line::from(spans).style(line.style)
}

/// A horizontal bar of `width` cells for `value` out of `max`, with eighth-cell precision.
pub fn bar(value: u64, max: u64, width: usize) -> String {
    if max == 0 || width == 0 {
        return " ".repeat(width);
    }
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let eighths = ((value as u128 * width as u128 * 8) / max as u128) as usize;
    let full = eighths / 8;
    let mut s: String = "█".repeat(full.min(width));
    if full < width {
        let rem = eighths % 8;
        if rem > 0 {
            s.push(PARTS[rem - 1]);
        } else if value > 0 && full == 0 {
            // Never draw a non-zero value as nothing.
            s.push('▏');
        }
    }
    let used = s.chars().count();
    s.push_str(&" ".repeat(width.saturating_sub(used)));
    s
}

/// Block characters for a sparkline of `values`.
pub fn sparkline(values: &[u32]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                ' '
            } else {
                LEVELS[((v as usize * 8).div_ceil(max as usize)).clamp(1, 8) - 1]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn bars_and_sparklines() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(0, 10, 4), "    ");
        assert_eq!(bar(1, 1000, 4), "▏   ");
        assert_eq!(bar(5, 10, 4), "██  ");
        assert_eq!(sparkline(&[0, 1, 8]), " ▁█");
    }

    #[test]
    fn cut_lines_end_with_an_ellipsis() {
        let text = |l: &Line| {
            l.spans
                .iter()
                .map(|s| s.content.to_string())
                .collect::<String>()
        };
        let l = Line::from(vec![
            Span::raw("reclaimed "),
            Span::raw("1.2 MiB"),
            Span::raw(" (blobs)"),
        ]);
        assert_eq!(text(&cut_line(l.clone(), 40)), "reclaimed 1.2 MiB (blobs)");
        assert_eq!(text(&cut_line(l.clone(), 25)), "reclaimed 1.2 MiB (blobs)");
        assert_eq!(text(&cut_line(l.clone(), 24)), "reclaimed 1.2 MiB (blob…");
        assert_eq!(text(&cut_line(l.clone(), 11)), "reclaimed …");
        assert_eq!(text(&cut_line(l, 1)), "…");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_keeps_every_character() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
        let text = "the registry refused: 403 DENIED requested access to the resource is denied";
        for w in [1, 5, 13, 80] {
            let lines = wrap(text, w);
            assert!(lines.iter().all(|l| l.chars().count() <= w), "{lines:?}");
            assert_eq!(lines.join(" ").replace(' ', ""), text.replace(' ', ""));
        }
    }
}
