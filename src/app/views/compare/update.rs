//! Reducer of the diff view and the file viewer: start a comparison (two marks, or the
//! selected image and `:diff REF`) or a file read, take the engine's answer when its ticket
//! is the latest, scroll, and go back.

use super::state::{DiffPage, FilePage};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{State, View};
use crate::app::tasks::compare::{DiffRequest, DiffResult, FileRequest, FileResult, SideRef};
use crate::app::views::images::row::RowRef;

fn side(registry: usize, repository: &str, row: RowRef<'_>) -> SideRef {
    let (reference, shown) = match row.first_tag() {
        Some(t) => (t.to_string(), format!("{repository}:{t}")),
        None => (
            row.digest_str().to_string(),
            format!("{repository}@{}", row.digest().short()),
        ),
    };
    SideRef {
        registry,
        repository: repository.to_string(),
        reference,
        shown,
    }
}

fn start(state: &mut State, a: SideRef, b: SideRef) -> Vec<Effect> {
    let c = &mut state.compare;
    c.ticket += 1;
    c.scroll = 0;
    c.diff = Some(DiffPage {
        a: a.shown.clone(),
        b: b.shown.clone(),
        outcome: None,
    });
    state.view = View::Diff;
    vec![Effect::Compare(DiffRequest {
        ticket: c.ticket,
        a,
        b,
    })]
}

/// `=`: the two marked images of this repository (the older one as A, by creation time
/// where known, else in the table's order); with one mark, the mark against the selection.
pub fn diff_marked(state: &mut State) -> Vec<Effect> {
    let Some(table) = state.images.table.clone() else {
        state.flash(
            "open a repository and mark two images (space), then =",
            true,
        );
        return vec![];
    };
    let Some(ri) = state.fleet.registry_index(&table.registry) else {
        return vec![];
    };
    let mut ids: Vec<u32> = state
        .images
        .marks()
        .into_iter()
        .flatten()
        .copied()
        .collect();
    if ids.len() == 1 {
        ids.extend(state.images.selected_id().filter(|s| *s != ids[0]));
    }
    if ids.len() != 2 {
        state.flash(
            format!(
                "= compares two images: {} marked (space marks; or :diff REF against the selection)",
                ids.len()
            ),
            true,
        );
        return vec![];
    }
    let (mut x, mut y) = (table.row(ids[0]), table.row(ids[1]));
    if let (Some(cx), Some(cy)) = (x.created(), y.created()) {
        if cy < cx {
            std::mem::swap(&mut x, &mut y);
        }
    }
    let (a, b) = (
        side(ri, &table.repository, x),
        side(ri, &table.repository, y),
    );
    start(state, a, b)
}

/// `:diff REF`: the selected image (A) against REF (B) of the same registry: `TAG`,
/// `@DIGEST`, `REPO:TAG` or `REPO@DIGEST`; DIGEST may be short (`@0a8b13f7`).
pub fn command(state: &mut State, args: &str) -> Result<Vec<Effect>, String> {
    let table = state.images.table.clone().ok_or("select an image first")?;
    let row = state.images.selected().ok_or("select an image first")?;
    let ri = state
        .fleet
        .registry_index(&table.registry)
        .ok_or("select an image first")?;
    let a = side(ri, &table.repository, row);
    let r = args.trim();
    if r.is_empty() || r.contains(' ') {
        return Err(":diff needs one REF: TAG, @DIGEST, REPO:TAG or REPO@DIGEST".into());
    }
    // A digest (after `@`, or `sha256:…` alone) may be short: it is resolved among the
    // loaded rows of its repository, and refused when it names none or several.
    let (repository, digest) = if let Some(d) = r.strip_prefix('@') {
        (table.repository.clone(), Some(d))
    } else if let Some((repo, d)) = r.split_once('@') {
        (repo.to_string(), Some(d))
    } else if r.starts_with("sha256:") || r.starts_with("sha512:") {
        (table.repository.clone(), Some(r))
    } else {
        (table.repository.clone(), None)
    };
    let (repository, reference) = match digest {
        Some(d) => {
            let full = crate::app::short_digest::digest_in(state, ri, &repository, d)
                .map_err(|e| format!(":diff {r}: {e}"))?;
            (repository, full.to_string())
        }
        None => match r.rsplit_once(':') {
            Some((repo, t)) => (repo.to_string(), t.to_string()),
            None => (repository, r.to_string()),
        },
    };
    let sep = if reference.contains(':') { "@" } else { ":" };
    let b = SideRef {
        registry: ri,
        shown: format!("{repository}{sep}{reference}"),
        repository,
        reference,
    };
    Ok(start(state, a, b))
}

pub fn on_diff(state: &mut State, r: DiffResult) -> Vec<Effect> {
    if r.ticket != state.compare.ticket {
        return vec![];
    }
    if let Some(p) = &mut state.compare.diff {
        p.outcome = Some(r.outcome);
    }
    vec![]
}

/// `enter` on a file of the layers tree: read it as that tree shows it.
pub fn open_file(state: &mut State, req: FileRequest, image: String) -> Vec<Effect> {
    let c = &mut state.compare;
    c.ticket += 1;
    c.scroll = 0;
    c.file = Some(FilePage {
        path: format!("/{}", req.path),
        image,
        outcome: None,
    });
    state.view = View::File;
    vec![Effect::ReadFile(FileRequest {
        ticket: c.ticket,
        ..req
    })]
}

pub fn on_file(state: &mut State, r: FileResult) -> Vec<Effect> {
    if r.ticket != state.compare.ticket {
        return vec![];
    }
    if let Some(p) = &mut state.compare.file {
        p.outcome = Some(r.outcome);
    }
    vec![]
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let s = &mut state.compare.scroll;
    match action {
        Action::Back => state.view = View::Explorer,
        Action::Down => *s = s.saturating_add(1),
        Action::Up => *s = s.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => *s = s.saturating_add(15),
        Action::PageUp | Action::HalfPageUp => *s = s.saturating_sub(15),
        Action::Top => *s = 0,
        _ => {}
    }
    vec![]
}
