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

/// Which columns fit in `width`, in display order, with their widths.
pub fn fit_columns<C: ColumnSpec>(
    columns: &[C],
    width: u16,
    wide: bool,
    content: impl Fn(C) -> u16,
) -> Vec<(C, u16)> {
    let mut by_priority: Vec<C> = columns.to_vec();
    by_priority.sort_by_key(|c| c.priority());
    let mut chosen: Vec<C> = Vec::new();
    let mut used = 0u16;
    for c in by_priority {
        let need =
            c.min_width(wide).max(c.title().len() as u16 + 1) + u16::from(!chosen.is_empty());
        if used + need <= width {
            used += need;
            chosen.push(c);
        }
    }
    let mut out: Vec<(C, u16)> = columns
        .iter()
        .filter(|c| chosen.contains(c))
        .map(|c| {
            let min = c.min_width(wide).max(c.title().len() as u16 + 1);
            (*c, content(*c).clamp(min, c.max_width(wide).max(min)))
        })
        .collect();
    // Shrink flexible columns back if content widths overflowed, then hand leftover
    // space to the first column (tags), which is the one that gets cut.
    let gaps = out.len().saturating_sub(1) as u16;
    let mut total: u16 = out.iter().map(|(_, w)| *w).sum::<u16>() + gaps;
    for (c, w) in out.iter_mut().rev() {
        if total <= width {
            break;
        }
        let min = c.min_width(wide).max(c.title().len() as u16 + 1);
        let cut = (total - width).min(*w - min);
        *w -= cut;
        total -= cut;
    }
    if let Some((_, w)) = out.first_mut() {
        *w += width.saturating_sub(total);
    }
    out
}

impl<C: ColumnSpec> Widget for VirtualTable<'_, C> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let body = area.height.saturating_sub(1) as usize;
        let end = self.len.min(self.offset + body);
        let visible = self.offset..end;
        let cols = fit_columns(self.columns, area.width, self.wide, |c| {
            visible
                .clone()
                .map(|p| (self.cell)(p, c).width() as u16)
                .max()
                .unwrap_or(0)
        });
        let header = Row::new(cols.iter().map(|(c, _)| {
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
            .map(|p| {
                Row::new(
                    cols.iter()
                        .map(|(c, _)| Cell::from(aligned((self.cell)(p, *c), c.right_aligned()))),
                )
                .style((self.row_style)(p))
            })
            .collect();
        let widths: Vec<Constraint> = cols.iter().map(|(_, w)| Constraint::Length(*w)).collect();
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
