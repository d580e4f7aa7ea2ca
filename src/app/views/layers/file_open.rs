//! `enter` on a file of the layers tree: its path from the rows on screen, and the file
//! viewer opened on it as of the selected layer (see `views::compare`).

use crate::app::effect::Effect;
use crate::app::state::State;
use crate::app::tasks::compare::FileRequest;
use crate::layers::{ChangeState, EntryKind, FsTree};

/// The path (no leading `/`) of row `k` when it names something with bytes to read: a
/// file, a hard link or a symbolic link (followed by the engine), not a removal.
pub fn readable_path(tree: &FsTree, rows: &[(usize, usize)], k: usize) -> Option<String> {
    let (id, depth) = *rows.get(k)?;
    let n = &tree.nodes[id];
    let readable = matches!(
        n.kind,
        EntryKind::File | EntryKind::Hardlink | EntryKind::Symlink
    );
    if !readable || n.state == Some(ChangeState::Removed) {
        return None;
    }
    // Parents are the nearest rows above with a smaller depth.
    let mut parts = vec![n.name.as_str()];
    let mut want = depth;
    for &(pid, d) in rows[..k].iter().rev() {
        if want == 0 {
            break;
        }
        if d == want - 1 {
            parts.push(tree.nodes[pid].name.as_str());
            want = d;
        }
    }
    parts.reverse();
    Some(parts.join("/"))
}

pub fn open(state: &mut State, path: String) -> Vec<Effect> {
    let (Some(table), Some(row)) = (state.images.table.clone(), state.images.selected()) else {
        return vec![];
    };
    let Some(registry) = state.fleet.registry_index(&table.registry) else {
        return vec![];
    };
    let digest = row.digest_str().to_string();
    let image = match row.first_tag() {
        Some(t) => format!("{}:{t}", table.repository),
        None => format!("{}@{}", table.repository, row.digest().short()),
    };
    let layer = state.layers.layer;
    let req = FileRequest {
        ticket: 0,
        registry,
        repository: table.repository.clone(),
        digest,
        path,
        as_of: Some(layer),
    };
    crate::app::views::compare::update::open_file(state, req, image)
}
