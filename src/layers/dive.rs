//! dive's efficiency score, computed exactly as dive computes it, beside regscope's own
//! (`merge::Analysis::efficiency`). Users who gate CI on `dive --ci` compare against these
//! figures, so this module reproduces dive's arithmetic, quirks included, from the same
//! layer indexes; README "Wasted bytes and efficiency" lists where the two differ.
//!
//! Written from dive's sources (github.com/wagoodman/dive): `dive/filetree/efficiency.go`
//! (the score), `file_tree.go` (`AddPath`, `Stack`, `StackTreeRange`, `GetNode`),
//! `file_node.go` (visiting order, `IsWhiteout`, `Path`), `dive/image/analysis.go`
//! (wasted bytes, user size, wasted user percent) and `dive/image/docker/image_archive.go`
//! (a layer's size: the sum of its tar header sizes). Our own code, not a translation.
//!
//! dive's model, in short: each layer is its own tree of tar paths (no overlay applied);
//! every *leaf* of every layer's tree is one "copy" of its path; per path, the smallest
//! copy is what is needed and the sum of all copies is what ships. The score is
//! Σ smallest / Σ all, and a path with two or more copies is "inefficient", its whole
//! cumulative size (the visible copy too) counted as wasted.

use super::index::{EntryKind, LayerIndex};
use super::names::{base_name, parent};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// dive's figures for one image. Sizes are dive's: tar header sizes, so file content bytes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiveScore {
    /// Σ smallest copy per path / Σ every copy (1.0 when nothing has a size).
    pub efficiency: f64,
    /// The cumulative size of every inefficient path (all its copies, the visible one too).
    pub wasted_bytes: u64,
    /// Bytes of every layer but the first (dive's "user" layers, the base image excluded).
    pub user_size_bytes: u64,
    /// wasted_bytes / user_size_bytes; `None` when there are no user bytes (dive divides by
    /// zero there: NaN or +Inf, see [`DiveScore::wasted_user_ratio`]).
    pub wasted_user_percent: Option<f64>,
    /// Paths with two or more copies, largest cumulative size first (then by path).
    pub inefficient: Vec<Inefficiency>,
    /// Bytes of every layer (dive's `SizeBytes`; not in the JSON, kept for comparisons).
    #[serde(skip)]
    pub size_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inefficiency {
    /// As dive prints it: absolute, a whiteout's `.wh.` dropped.
    pub path: String,
    pub cumulative_size: u64,
    /// 0-based layers holding a copy (a whiteout counts as one), in visiting order.
    pub layers: Vec<usize>,
}

impl DiveScore {
    /// The ratio exactly as dive's float division gives it (NaN for 0/0, +Inf for x/0):
    /// what its `highestUserWastedPercent` rule compares against.
    pub fn wasted_user_ratio(&self) -> f64 {
        self.wasted_bytes as f64 / self.user_size_bytes as f64
    }

    /// The figures as `regscope layers` prints them after `dive's score: ` and the TUI's
    /// layers view shows them: one wording and rounding for both.
    pub fn summary(&self) -> String {
        let user = match self.wasted_user_percent {
            Some(p) => format!("user {:.1}%", p * 100.0),
            None => "no user bytes".to_string(),
        };
        format!(
            "efficiency {:.1}%, wasted {} ({user})",
            self.efficiency * 100.0,
            crate::text::size(self.wasted_bytes),
        )
    }
}

/// One node of a dive layer tree. A node made only as a parent of a deeper path carries
/// dive's empty `FileInfo{}`: size 0 and *not* a directory.
#[derive(Clone, Debug, Default)]
struct Node {
    size: u64,
    is_dir: bool,
    /// Sorted by name, bytewise: dive visits in `sort.Strings` order.
    children: BTreeMap<String, usize>,
}

/// A dive layer tree as an arena (node 0 is the root): every walk below is a loop, never a
/// recursion, so a hostile path thousands of directories deep cannot overflow the stack,
/// and dropping a tree is flat. A removed subtree is only unlinked.
#[derive(Clone, Debug)]
struct Tree {
    nodes: Vec<Node>,
}

const WHITEOUT: &str = ".wh.";
const OPAQUE_PREFIX: &str = ".wh..wh..";
const ROOT: usize = 0;

impl Tree {
    fn new() -> Tree {
        Tree {
            nodes: vec![Node::default()],
        }
    }

    fn child(&self, id: usize, name: &str) -> Option<usize> {
        self.nodes[id].children.get(name).copied()
    }

    fn make_child(&mut self, id: usize, name: &str) -> usize {
        if let Some(c) = self.child(id, name) {
            return c;
        }
        let c = self.nodes.len();
        self.nodes.push(Node::default());
        self.nodes[id].children.insert(name.to_string(), c);
        c
    }

    /// dive's `AddPath`: walks `parts`, making missing parents with an empty payload, and
    /// sets the payload of the last one (children kept). A missing name starting with
    /// `.wh..wh..` ends the walk (dive never adds opaque markers; their parents stay added).
    fn add_path(&mut self, parts: &[&str], size: u64, is_dir: bool) {
        let mut id = ROOT;
        for name in parts {
            if self.child(id, name).is_none() && name.starts_with(OPAQUE_PREFIX) {
                return;
            }
            id = self.make_child(id, name);
        }
        if id != ROOT {
            self.nodes[id].size = size;
            self.nodes[id].is_dir = is_dir;
        }
    }

    fn get(&self, parts: &[&str]) -> Option<usize> {
        parts.iter().try_fold(ROOT, |id, name| self.child(id, name))
    }

    /// Σ size of `id` and everything below it (dive's whiteout `sizer`).
    fn total(&self, id: usize) -> u64 {
        let (mut sum, mut todo) = (0u64, vec![id]);
        while let Some(n) = todo.pop() {
            sum = sum.saturating_add(self.nodes[n].size);
            todo.extend(self.nodes[n].children.values());
        }
        sum
    }

    /// Visits every node but the root, children before their parent, by name (dive's
    /// `VisitDepthChildFirst`), with the names from the root; stops at the first error.
    fn post_order<E>(&self, mut f: impl FnMut(usize, &[&str]) -> Result<(), E>) -> Result<(), E> {
        let mut stack = vec![(ROOT, self.nodes[ROOT].children.iter())];
        let mut names: Vec<&str> = vec![];
        while let Some((_, it)) = stack.last_mut() {
            match it.next() {
                Some((name, &c)) => {
                    names.push(name);
                    stack.push((c, self.nodes[c].children.iter()));
                }
                None => {
                    let (id, _) = stack.pop().expect("non-empty");
                    if stack.is_empty() {
                        break; // the root is never visited
                    }
                    f(id, &names)?;
                    names.pop();
                }
            }
        }
        Ok(())
    }

    /// dive's `Stack`: `upper` applied on `self` in `upper`'s visiting order; a whiteout
    /// node removes its path (a failure is ignored), any other node is added. dive adds
    /// each path from the root; here the walk keeps `self`'s node for each level of
    /// `upper` (made when first needed), which gives the same tree in linear time.
    fn stack(&mut self, upper: &Tree) {
        // `at[d]`: `self`'s node for `upper`'s ancestor at depth d, if it exists yet.
        let mut at: Vec<Option<usize>> = vec![Some(ROOT)];
        let _ = upper.post_order::<()>(|id, names| {
            // Re-sync `at` with the path: levels deeper than this node are done.
            at.truncate(names.len());
            while at.len() < names.len() {
                let d = at.len();
                let parent = at[d - 1];
                at.push(parent.and_then(|p| self.child(p, names[d - 1])));
            }
            let depth = names.len();
            let node = &upper.nodes[id];
            match names[depth - 1].strip_prefix(WHITEOUT) {
                Some(hidden) => {
                    if let Some(p) = at[depth - 1] {
                        self.nodes[p].children.remove(hidden);
                    }
                }
                None => {
                    // Make the missing levels, as AddPath's walk from the root would. They
                    // are a suffix of `at` (nothing exists below a missing node), so only
                    // they are looked at: linear overall, however deep the path.
                    let mut first = depth;
                    while first > 1 && at[first - 1].is_none() {
                        first -= 1;
                    }
                    for d in first..depth {
                        let p = at[d - 1].expect("made in order");
                        if self.child(p, names[d - 1]).is_none()
                            && names[d - 1].starts_with(OPAQUE_PREFIX)
                        {
                            return Ok(());
                        }
                        at[d] = Some(self.make_child(p, names[d - 1]));
                    }
                    let p = at[depth - 1].expect("made above");
                    let last = names[depth - 1];
                    if self.child(p, last).is_none() && last.starts_with(OPAQUE_PREFIX) {
                        return Ok(());
                    }
                    let c = self.make_child(p, last);
                    self.nodes[c].size = node.size;
                    self.nodes[c].is_dir = node.is_dir;
                }
            }
            Ok(())
        });
    }
}

/// A layer as dive reads it: every tar entry added in tar order, the whiteout as a node
/// named `.wh.NAME` (regscope's index names the hidden path; the name is rebuilt).
fn layer_tree(layer: &LayerIndex) -> Tree {
    let mut tree = Tree::new();
    for e in &layer.entries {
        let path = match e.kind {
            EntryKind::Whiteout => match parent(&e.path) {
                "" => format!("{WHITEOUT}{}", base_name(&e.path)),
                dir => format!("{dir}/{WHITEOUT}{}", base_name(&e.path)),
            },
            EntryKind::Opaque => match e.path.as_str() {
                "" => format!("{OPAQUE_PREFIX}opq"),
                dir => format!("{dir}/{OPAQUE_PREFIX}opq"),
            },
            _ => e.path.clone(),
        };
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        if !parts.is_empty() {
            tree.add_path(&parts, e.size, e.kind == EntryKind::Dir);
        }
    }
    tree
}

/// Per path: dive's `EfficiencyData`.
struct PathData {
    cumulative: u64,
    /// -1 until a copy is sized: dive's `minDiscoveredSize` starts there, and a path whose
    /// only visit failed keeps it (see [`Scorer::visit`]).
    min: i64,
    layers: Vec<usize>,
}

struct Scorer<'a> {
    trees: &'a [Tree],
    paths: HashMap<String, PathData>,
    /// Paths in the order they got their second copy (dive's `inefficientMatches`).
    matches: Vec<String>,
    /// dive's `StackTreeRange(trees, 0, n-1)`: a copy of the first tree with trees
    /// `0..n` stacked on it (the first tree twice, as dive does). Built lazily, forward
    /// only; dive rebuilds it for every whiteout, with the same result.
    stacked: Option<(usize, Tree)>,
}

/// The whiteout of a path that no lower layer has: dive's `GetNode` fails, and the error
/// ends the visit of the whole layer.
struct MissingPath;

impl Scorer<'_> {
    fn stacked_below(&mut self, layer: usize) -> &Tree {
        let (mut done, mut tree) = self
            .stacked
            .take()
            .unwrap_or_else(|| (0, self.trees[0].clone()));
        while done < layer {
            tree.stack(&self.trees[done]);
            done += 1;
        }
        &self.stacked.insert((done, tree)).1
    }

    /// Visits the leaves of layer `layer`'s tree, children first, by name, like dive's
    /// `VisitDepthChildFirst` with the `IsLeaf` evaluator (directories are never visited
    /// unless empty, so a deleted directory's files are not its copies).
    fn walk(&mut self, layer: usize) -> Result<(), MissingPath> {
        let tree = &self.trees[layer];
        tree.post_order(|id, names| {
            let node = &tree.nodes[id];
            match node.children.is_empty() {
                true => self.visit(layer, node.size, names),
                false => Ok(()),
            }
        })
    }

    fn visit(&mut self, layer: usize, size: u64, parts: &[&str]) -> Result<(), MissingPath> {
        let last = parts.last().expect("a visited node has a name");
        let whiteout = last.strip_prefix(WHITEOUT);
        let mut shown: Vec<&str> = parts.to_vec();
        if let Some(hidden) = whiteout {
            *shown.last_mut().expect("non-empty") = hidden;
        }
        let path = format!("/{}", shown.join("/"));
        // The entry exists before the size is known: dive creates it first, so a failed
        // whiteout leaves a path with no copy and a smallest size of -1, which then lowers
        // Σ smallest by one byte (efficiency.go: `minDiscoveredSize: -1`).
        self.paths.entry(path.clone()).or_insert(PathData {
            cumulative: 0,
            min: -1,
            layers: vec![],
        });
        let size = if whiteout.is_some() {
            // A whiteout weighs what the stacked lower layers hold at its path, and only
            // if that node is a directory (a tar directory entry: a parent made implicitly
            // is not one); a whited-out file weighs 0 (efficiency.go).
            let stacked = self.stacked_below(layer);
            let found = stacked.get(&shown).ok_or(MissingPath)?;
            if stacked.nodes[found].is_dir {
                stacked.total(found)
            } else {
                0
            }
        } else {
            size
        };
        let data = self.paths.get_mut(&path).expect("inserted above");
        data.cumulative = data.cumulative.saturating_add(size);
        let size_i = i64::try_from(size).unwrap_or(i64::MAX);
        if data.min < 0 || size_i < data.min {
            data.min = size_i;
        }
        data.layers.push(layer);
        if data.layers.len() == 2 {
            self.matches.push(path);
        }
        Ok(())
    }
}

/// dive's score of the image whose layers are `layers`, in order.
pub fn score<'a>(layers: impl IntoIterator<Item = &'a LayerIndex>) -> DiveScore {
    let layers: Vec<&LayerIndex> = layers.into_iter().collect();
    let trees: Vec<Tree> = layers.iter().map(|l| layer_tree(l)).collect();
    let mut s = Scorer {
        trees: &trees,
        paths: HashMap::new(),
        matches: vec![],
        stacked: None,
    };
    for i in 0..trees.len() {
        // dive logs the error and goes on with the next layer (efficiency.go).
        let _ = s.walk(i);
    }
    let (mut minimum, mut discovered) = (0i128, 0i128);
    for d in s.paths.values() {
        minimum += i128::from(d.min);
        discovered += i128::from(d.cumulative);
    }
    let efficiency = if discovered == 0 {
        1.0
    } else {
        minimum as f64 / discovered as f64
    };
    let mut inefficient: Vec<Inefficiency> = s
        .matches
        .iter()
        .map(|p| {
            let d = &s.paths[p];
            Inefficiency {
                path: p.clone(),
                cumulative_size: d.cumulative,
                layers: d.layers.clone(),
            }
        })
        .collect();
    // dive sorts ascending with an unstable sort and its report lists them reversed; ties
    // get the path order here so the output is deterministic.
    inefficient.sort_by(|a, b| {
        b.cumulative_size
            .cmp(&a.cumulative_size)
            .then_with(|| a.path.cmp(&b.path))
    });
    let wasted_bytes = inefficient
        .iter()
        .fold(0u64, |t, i| t.saturating_add(i.cumulative_size));
    // A layer's size is the sum of its tar header sizes: content bytes of its files.
    let sizes: Vec<u64> = layers.iter().map(|l| l.file_bytes()).collect();
    let size_bytes = sizes.iter().fold(0u64, |t, s| t.saturating_add(*s));
    let user_size_bytes = sizes.iter().skip(1).fold(0u64, |t, s| t.saturating_add(*s));
    DiveScore {
        efficiency,
        wasted_bytes,
        user_size_bytes,
        wasted_user_percent: (user_size_bytes > 0)
            .then(|| wasted_bytes as f64 / user_size_bytes as f64),
        inefficient,
        size_bytes,
    }
}

#[cfg(test)]
#[path = "dive_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "dive_filetree_vectors.rs"]
mod filetree_vectors;

#[cfg(test)]
#[path = "dive_image_vector.rs"]
mod image_vector;
