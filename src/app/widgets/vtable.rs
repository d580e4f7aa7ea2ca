//! The one virtual table: a typed column set, a row count and a cell function. Only the
//! rows that fit on screen become widgets, and column widths come from that visible slice,
//! so a million-row table costs the same to draw as a twenty-row one.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, StatefulWidget, Table, TableState, Widget};

/// What a table needs to know about its columns.
pub trait ColumnSpec: Copy + PartialEq {
    fn title(&self) -> &'static str;
    fn min_width(&self, wide: bool) -> u16;
    fn max_width(&self, wide: bool) -> u16;
    /// Lower survives longer when the terminal is narrow.
    fn priority(&self) -> u8;
    fn right_aligned(&self) -> bool {
        false
    }
}

pub struct VirtualTable<'a, C: ColumnSpec> {
    pub columns: &'a [C],
    pub len: usize,
    pub offset: usize,
    pub cursor: Option<usize>,
    pub wide: bool,
    /// The sorted column and its arrow.
    pub sort: Option<(C, &'static str)>,
    pub header_style: Style,
    pub selection_style: Style,
    /// Cell text and style for view position `pos`.
    pub cell: &'a dyn Fn(usize, C) -> Line<'a>,
    pub row_style: &'a dyn Fn(usize) -> Style,
}

/// Which columns fit in `width`, in display order (lower priority values survive). Width
/// alone decides: a sort never changes the column set (the pane's title names a sorted
/// column that gave way).
pub fn choose_columns<C: ColumnSpec>(columns: &[C], width: u16, wide: bool) -> Vec<C> {
    let mut by_priority: Vec<C> = columns.to_vec();
    by_priority.sort_by_key(|c| c.priority());
    let mut chosen: Vec<C> = Vec::new();
    let mut used = 0u16;
    for c in by_priority {
        let need = min_of(c, wide) + u16::from(!chosen.is_empty());
        if used + need <= width {
            used += need;
            chosen.push(c);
        }
    }
    columns
        .iter()
        .filter(|c| chosen.contains(c))
        .copied()
        .collect()
}

fn min_of<C: ColumnSpec>(c: C, wide: bool) -> u16 {
    c.min_width(wide).max(c.title().len() as u16 + 1)
}

/// Widths for `chosen` columns whose widest visible content is `content[i]`: each between
/// its minimum and maximum, shrunk back from the right if they overflow, and leftover space
/// given to the first column (tags), which is the one that gets cut.
pub fn size_columns<C: ColumnSpec>(
    chosen: &[C],
    content: &[u16],
    width: u16,
    wide: bool,
) -> Vec<u16> {
    let mut out: Vec<u16> = chosen
        .iter()
        .zip(content)
        .map(|(c, w)| {
            let min = min_of(*c, wide);
            (*w).clamp(min, c.max_width(wide).max(min))
        })
        .collect();
    let gaps = out.len().saturating_sub(1) as u16;
    let mut total: u16 = out.iter().sum::<u16>() + gaps;
    // Overflow is taken from the widest column that can give, one cell at a time, so
    // wide tags and a wide digest share what room there is.
    while total > width {
        let widest = chosen
            .iter()
            .zip(&out)
            .enumerate()
            .filter(|(_, (c, w))| **w > min_of(**c, wide))
            .max_by_key(|(i, (_, w))| (**w, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        let Some(i) = widest else {
            break;
        };
        out[i] -= 1;
        total -= 1;
    }
    if let Some(w) = out.first_mut() {
        *w += width.saturating_sub(total);
    }
    out
}

/// `choose_columns` then `size_columns` with `content` asked once per chosen column.
pub fn fit_columns<C: ColumnSpec>(
    columns: &[C],
    width: u16,
    wide: bool,
    content: impl Fn(C) -> u16,
) -> Vec<(C, u16)> {
    let chosen = choose_columns(columns, width, wide);
    let widths: Vec<u16> = chosen.iter().map(|c| content(*c)).collect();
    let sized = size_columns(&chosen, &widths, width, wide);
    chosen.into_iter().zip(sized).collect()
}

impl<C: ColumnSpec> Widget for VirtualTable<'_, C> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let body = area.height.saturating_sub(1) as usize;
        let end = self.len.min(self.offset + body);
        let visible = self.offset..end;
        let chosen = choose_columns(self.columns, area.width, self.wide);
        // Every visible cell is built once: widths are measured on the same lines that
        // are then drawn.
        let cells: Vec<Vec<Line>> = visible
            .clone()
            .map(|p| chosen.iter().map(|c| (self.cell)(p, *c)).collect())
            .collect();
        let content: Vec<u16> = (0..chosen.len())
            .map(|i| cells.iter().map(|r| r[i].width() as u16).max().unwrap_or(0))
            .collect();
        let widths = size_columns(&chosen, &content, area.width, self.wide);
        let header = Row::new(chosen.iter().map(|c| {
            let mut t = c.title().to_string();
            if let Some((s, arrow)) = self.sort {
                if s == *c {
                    t.push_str(arrow);
                }
            }
            Cell::from(aligned(Line::from(t), c.right_aligned()))
        }))
        .style(self.header_style);
        let rows: Vec<Row> = visible
            .clone()
            .zip(cells)
            .map(|(p, line)| {
                Row::new(
                    line.into_iter()
                        .zip(chosen.iter().zip(&widths))
                        .map(|(l, (c, w))| Cell::from(aligned(fit(l, *w), c.right_aligned()))),
                )
                .style((self.row_style)(p))
            })
            .collect();
        let widths: Vec<Constraint> = widths.iter().copied().map(Constraint::Length).collect();
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .row_highlight_style(self.selection_style);
        let mut state = TableState::default();
        if let Some(c) = self.cursor.filter(|c| visible.contains(c)) {
            state.select(Some(c - self.offset));
        }
        StatefulWidget::render(table, area, buf, &mut state);
    }
}

/// A cell cut to `width` columns ends in `…`, so a cut never passes for the whole value.
fn fit(line: Line<'_>, width: u16) -> Line<'_> {
    let width = width as usize;
    if line.width() <= width {
        return line;
    }
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::new();
    let mut last = line.style;
    for s in line.spans {
        last = s.style;
        let n = s.content.chars().count();
        if n <= room {
            room -= n;
            spans.push(s);
            continue;
        }
        let cut: String = s.content.chars().take(room).collect();
        spans.push(Span::styled(cut, s.style));
        break;
    }
    spans.push(Span::styled("…", last));
    Line::from(spans).style(line.style)
}

fn aligned(line: Line<'_>, right: bool) -> Line<'_> {
    if right {
        line.right_aligned()
    } else {
        line
    }
}

/// A one-span line, for cell functions.
pub fn cell<'a>(text: impl Into<std::borrow::Cow<'a, str>>, style: Style) -> Line<'a> {
    Line::from(Span::styled(text, style))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Col {
        Name,
        Size,
        Extra,
    }
    impl ColumnSpec for Col {
        fn title(&self) -> &'static str {
            match self {
                Col::Name => "NAME",
                Col::Size => "SIZE",
                Col::Extra => "EXTRA",
            }
        }
        fn min_width(&self, _: bool) -> u16 {
            8
        }
        fn max_width(&self, _: bool) -> u16 {
            20
        }
        fn priority(&self) -> u8 {
            match self {
                Col::Name => 0,
                Col::Size => 1,
                Col::Extra => 2,
            }
        }
    }

    #[test]
    fn narrow_widths_drop_low_priority_columns_and_keep_order() {
        let cols = [Col::Extra, Col::Name, Col::Size];
        let fit = fit_columns(&cols, 18, false, |_| 4);
        assert_eq!(
            fit.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            [Col::Name, Col::Size]
        );
        assert_eq!(fit.iter().map(|(_, w)| *w).sum::<u16>() + 1, 18);
        let all = fit_columns(&cols, 80, false, |_| 4);
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn only_visible_rows_are_asked_for() {
        use std::cell::Cell as C;
        let asked = C::new(0usize);
        let f = |p: usize, _c: Col| {
            asked.set(asked.get().max(p));
            Line::from(p.to_string())
        };
        let style = |_| Style::default();
        let t = VirtualTable {
            columns: &[Col::Name],
            len: 1_000_000,
            offset: 500,
            cursor: Some(501),
            wide: false,
            sort: None,
            header_style: Style::default(),
            selection_style: Style::default(),
            cell: &f,
            row_style: &style,
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 11));
        t.render(buf.area, &mut buf);
        assert_eq!(asked.get(), 509);
    }
}
