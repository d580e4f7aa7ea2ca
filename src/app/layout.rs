//! Where each pane goes for a terminal size. Views draw into these rectangles and reducers
//! use them for page sizes and mouse hits, so both always agree.

use super::state::{State, View};
use ratatui::layout::Rect;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub title: Rect,
    pub fleet: Option<Rect>,
    pub images: Option<Rect>,
    pub detail: Option<Rect>,
    pub charts: Option<Rect>,
    pub plan: Option<Rect>,
    pub doctor: Option<Rect>,
    /// The diff view or the file viewer.
    pub compare: Option<Rect>,
    pub query: Option<Rect>,
    pub audit: Option<Rect>,
    pub status: Rect,
    pub hints: Rect,
}

pub fn areas(state: &State) -> Areas {
    compute(
        Rect::new(0, 0, state.size.0, state.size.1),
        state.view,
        state.detail.open,
    )
}

pub fn compute(full: Rect, view: View, detail_open: bool) -> Areas {
    let h = full.height;
    let title = Rect::new(full.x, full.y, full.width, h.min(1));
    let body_h = h.saturating_sub(3);
    let body = Rect::new(full.x, full.y + 1, full.width, body_h);
    let status = Rect::new(full.x, full.y + 1 + body_h, full.width, u16::from(h >= 2));
    let hints = Rect::new(full.x, full.y + 2 + body_h, full.width, u16::from(h >= 3));
    let mut a = Areas {
        title,
        fleet: None,
        images: None,
        detail: None,
        charts: None,
        plan: None,
        doctor: None,
        compare: None,
        query: None,
        audit: None,
        status,
        hints,
    };
    match view {
        View::Charts => a.charts = Some(body),
        View::Plan => a.plan = Some(body),
        View::Doctor => a.doctor = Some(body),
        View::Diff | View::File => a.compare = Some(body),
        View::Query => a.query = Some(body),
        View::Audit => a.audit = Some(body),
        View::Explorer if detail_open => {
            // The image list stays visible above the detail so moving on is one key away.
            let top = (body.height * 2 / 5).max(6).min(body.height);
            a.images = Some(Rect::new(body.x, body.y, body.width, top));
            a.detail = Some(Rect::new(
                body.x,
                body.y + top,
                body.width,
                body.height - top,
            ));
        }
        View::Explorer => {
            // 28 columns at 80 (a name's 18 and the image count; the images pane keeps its
            // five main columns); wider terminals give the tree its totals and unique.
            let grow = body.width.saturating_sub(100) / 4;
            let left = (body.width * 35 / 100 + grow).clamp(24.min(body.width), 52);
            a.fleet = Some(Rect::new(body.x, body.y, left, body.height));
            a.images = Some(Rect::new(
                body.x + left,
                body.y,
                body.width - left,
                body.height,
            ));
        }
    }
    a
}

/// Rows of the images table body (inside borders, below the header).
pub fn image_page(state: &State) -> usize {
    areas(state)
        .images
        .map_or(10, |r| r.height.saturating_sub(3) as usize)
        .max(1)
}

/// Rows of the tree body (inside borders, below the header row).
pub fn fleet_page(state: &State) -> usize {
    areas(state)
        .fleet
        .map_or(10, |r| r.height.saturating_sub(3) as usize)
        .max(1)
}
