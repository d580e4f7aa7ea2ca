//! Reducer for the fleet query: `:cve ID` / `:pkg NAME [< VERSION]` gather every image and
//! index of every loaded repository, answer what the findings cache already knows, and
//! sweep the rest in the background (latest query wins); batches fill the cache (which
//! also feeds the findings tab and the severity columns) and the tally. Enter jumps to the
//! image in the explorer.

use super::state::{QueryHit, QueryImage};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::state::{Pane, State, View};
use crate::app::tasks::findings::{FindingsReport, FindingsRequest};
use crate::app::tasks::sweep::{SweepBatch, SweepKind, SweepRequest};
use crate::app::views::findings::state::FindingsEntry;
use crate::app::views::fleet::state::TreeRow;
use crate::app::views::list_filter::FilterTarget;
use crate::model::{Digest, ScanStatus};
use crate::scan::fleet::{FleetAnswer, FleetImage, FleetQuery, HitOrder};
use std::collections::{HashMap, HashSet};

/// `:cve ID`.
pub fn command_cve(state: &mut State, args: &str) -> Result<Vec<Effect>, String> {
    let id = args.trim();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(":cve needs one vulnerability id (CVE-..., GHSA-...)".into());
    }
    Ok(start(state, FleetQuery::cve(id)))
}

/// `:pkg NAME [< VERSION]`.
pub fn command_pkg(state: &mut State, args: &str) -> Result<Vec<Effect>, String> {
    let q = FleetQuery::parse_package(args).map_err(|e| format!(":pkg needs {e}"))?;
    Ok(start(state, q))
}

/// Every image and index of the loaded tables not in `skip` (repository indices); not
/// referrers, not an index's platforms. Also the repositories taken and those still loading.
fn gather(state: &State, skip: &HashSet<usize>) -> (Vec<QueryImage>, Vec<usize>, usize) {
    let mut images = Vec::new();
    let mut taken = Vec::new();
    let mut loading = 0;
    for (ri, repo) in state.fleet.repos.iter().enumerate() {
        let Some(t) = &repo.table else {
            loading += 1;
            continue;
        };
        if skip.contains(&ri) {
            continue;
        }
        taken.push(ri);
        for r in t.rows() {
            // One definition of an image (`model::Role`): not an index's platforms, not
            // signatures, attestations or other referrers.
            if !t.role(r.id).is_image() {
                continue;
            }
            let digest = r.digest();
            images.push(QueryImage {
                registry: repo.registry,
                registry_name: t.registry.clone(),
                image: FleetImage {
                    repository: t.repository.clone(),
                    digest,
                    tags: r.tags().map(str::to_string).collect(),
                    created_at: r.created(),
                    pushed_at: r.pushed(),
                    last_pulled_at: r.pulled(),
                    settled: t.facts().scan(r.id).and_then(|s| {
                        (s.status != ScanStatus::Scanned || s.counts.total() == 0)
                            .then_some(s.status)
                    }),
                },
                answered: false,
            });
        }
    }
    (images, taken, loading)
}

pub fn start(state: &mut State, query: FleetQuery) -> Vec<Effect> {
    let q = &mut state.query;
    q.ticket += 1;
    q.query = Some(query.clone());
    q.answer = Some(FleetAnswer::new(query));
    q.hits.clear();
    q.shown.clear();
    q.filter.clear();
    q.images.clear();
    q.by_digest = HashMap::new();
    q.included.clear();
    q.cursor = 0;
    q.offset = 0;
    q.running = false;
    state.view = View::Query;
    extend(state, true)
}

/// While a query is shown, repositories that finish loading join it.
pub fn on_repository_loaded(state: &mut State) -> Vec<Effect> {
    if state.query.query.is_none() {
        return vec![];
    }
    extend(state, false)
}

/// Adds the loaded repositories the query has not taken yet: answers what the cache and
/// the inventory settle, and (re)starts the sweep over everything still unanswered.
fn extend(state: &mut State, starting: bool) -> Vec<Effect> {
    let (images, taken, loading) = gather(state, &state.query.included);
    let q = &mut state.query;
    q.repositories_loading = loading;
    q.included.extend(taken);
    let base = q.images.len();
    for (k, img) in images.into_iter().enumerate() {
        q.by_digest
            .entry(img.image.digest.clone())
            .or_default()
            .push(base + k);
        q.images.push(img);
    }
    // What the cache knows is answered at once (failures are tried again), and so is what
    // the inventory settles: an image the registry never scanned, or scanned with nothing found.
    for i in base..state.query.images.len() {
        let key = state.query.images[i].image.digest.to_string();
        if let Some(FindingsEntry::Ready(rep)) = state.findings.cache.get(&key) {
            let rep = rep.clone();
            record(state, i, Ok(&rep));
        } else if let Some(status) = state.query.images[i].image.settled.clone() {
            let settled = FindingsReport {
                status,
                scanned_at: None,
                sources: vec![],
                findings: vec![],
                problems: vec![],
            };
            record(state, i, Ok(&settled));
        }
    }
    let q = &mut state.query;
    q.sort();
    let fresh = q.images[base..].iter().any(|i| !i.answered);
    if !starting && !fresh {
        return vec![];
    }
    // A new sweep replaces the running one, so it carries everything still unanswered.
    let mut asked: HashSet<&Digest> = HashSet::new();
    let items: Vec<FindingsRequest> = q
        .images
        .iter()
        .filter(|i| !i.answered && asked.insert(&i.image.digest))
        .map(|i| FindingsRequest {
            ticket: q.ticket,
            registry: i.registry,
            repository: i.image.repository.clone(),
            digest: i.image.digest.clone(),
            shown_as: format!("{}@{}", i.image.repository, i.image.digest),
        })
        .collect();
    q.running = !items.is_empty();
    if items.is_empty() {
        return vec![];
    }
    vec![Effect::SweepFindings(SweepRequest {
        kind: SweepKind::Fleet,
        ticket: q.ticket,
        items,
    })]
}

/// Counts image `i` once, and keeps it as a hit when it matches.
fn record(state: &mut State, i: usize, outcome: Result<&FindingsReport, &str>) {
    let q = &mut state.query;
    let (Some(ans), Some(qi)) = (q.answer.as_mut(), q.images.get_mut(i)) else {
        return;
    };
    if qi.answered {
        return;
    }
    qi.answered = true;
    let parts = outcome.map(|r| (&r.status, r.findings.as_slice(), r.problems.as_slice()));
    if ans.record_parts(&qi.image, parts).is_some() {
        if let Some(hit) = ans.hits.pop() {
            q.hits.push(QueryHit {
                registry: qi.registry,
                registry_name: qi.registry_name.clone(),
                hit,
            });
        }
    }
}

/// A batch of answers: cached whatever sweep asked; counted when it is this query's.
pub fn on_swept(state: &mut State, b: SweepBatch) -> Vec<Effect> {
    let current = b.kind == SweepKind::Fleet && b.ticket == state.query.ticket;
    for (digest, outcome) in b.results {
        if let Ok(r) = &outcome {
            if r.status == crate::model::ScanStatus::Scanned {
                note_scanned(state, b.kind, &digest);
            }
        }
        let entry = match &outcome {
            Ok(r) => FindingsEntry::Ready(r.clone()),
            Err(e) => FindingsEntry::Failed(e.clone()),
        };
        state.findings.cache.insert(digest.to_string(), entry);
        if !current {
            continue;
        }
        let at = state
            .query
            .by_digest
            .get(&digest)
            .cloned()
            .unwrap_or_default();
        for i in at {
            match &outcome {
                Ok(r) => record(state, i, Ok(r)),
                Err(e) => record(state, i, Err(e)),
            }
        }
    }
    let mut fx = Vec::new();
    if b.kind == SweepKind::Visible && b.done && b.ticket == state.images.scan_ticket {
        // Everything asked is cached now (or failed, and says so).
        state.images.scan_asked.clear();
        fx.extend(crate::app::views::images::scans::merge_if_sorting(state));
    }
    if current {
        if b.done {
            state.query.running = false;
            fx.extend(crate::app::views::images::scans::merge_if_sorting(state));
        }
        state.query.sort();
        let page = page(state);
        state.query.move_by(0, page);
    }
    fx
}

/// Remembers which repositories hold a scanned image, so their severity columns show.
fn note_scanned(state: &mut State, kind: SweepKind, digest: &Digest) {
    use crate::app::views::images::scans::table_key;
    let mut keys = Vec::new();
    match kind {
        // A visible sweep asks about the table on screen (cleared when it changes).
        SweepKind::Visible if state.images.scan_asked.contains(digest.as_str()) => {
            if let Some(t) = &state.images.table {
                keys.push(table_key(&t.registry, &t.repository));
            }
        }
        SweepKind::Visible => {}
        SweepKind::Fleet => {
            let q = &state.query;
            for &i in q.by_digest.get(digest).into_iter().flatten() {
                let qi = &q.images[i];
                keys.push(table_key(&qi.registry_name, &qi.image.repository));
            }
        }
    }
    state.findings.scanned_in.extend(keys);
}

pub fn page(state: &State) -> usize {
    crate::app::layout::areas(state)
        .query
        .map_or(10, |r| r.height.saturating_sub(4) as usize)
        .max(1)
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = page(state);
    if let Some(delta) = action.cursor_delta(page as isize) {
        state.query.move_by(delta, page);
        return vec![];
    }
    match action {
        Action::Back => {
            if let Some(fx) = crate::app::views::list_filter::clear(state, FilterTarget::FleetQuery)
            {
                return fx;
            }
            state.view = View::Explorer;
        }
        Action::Sort | Action::SortReverse => {
            let q = &mut state.query;
            q.order = match q.order {
                HitOrder::Newest => HitOrder::Pulled,
                HitOrder::Pulled => HitOrder::Newest,
            };
            q.sort();
            q.cursor = 0;
            q.offset = 0;
        }
        Action::Copy => {
            if let Some(h) = state.query.selected() {
                return vec![Effect::Copy(format!(
                    "{}/{}@{}",
                    h.registry_name, h.hit.repository, h.hit.digest
                ))];
            }
        }
        Action::Enter => return jump(state),
        _ => {}
    }
    vec![]
}

/// Shows the selected hit in the explorer: its repository in the tree, its row selected.
fn jump(state: &mut State) -> Vec<Effect> {
    let Some(h) = state.query.selected().cloned() else {
        return vec![];
    };
    let f = &mut state.fleet;
    let Some(ri) = f.repo_index(h.registry, &h.hit.repository) else {
        state.flash("that repository is no longer loaded", true);
        return vec![];
    };
    f.registries[h.registry].expanded = true;
    f.rebuild_rows();
    let pos = f
        .rows
        .iter()
        .position(|r| *r == TreeRow::Repo(ri))
        .unwrap_or(0);
    let delta = pos as isize - f.cursor as isize;
    state.view = View::Explorer;
    state.detail.open = false;
    let mut fx = crate::app::views::fleet::update::move_cursor(state, delta);
    let im = &mut state.images;
    if let Some(id) = im
        .table
        .as_ref()
        .and_then(|t| t.find_digest(h.hit.digest.as_str()))
    {
        // Keep this row selected when the sorted view arrives.
        im.opened_fresh = false;
        im.cursor = im.view.position_of(id).unwrap_or(0);
        let page = crate::app::layout::image_page(state);
        state.images.scroll_into_view(page);
    }
    state.focus = Pane::Images;
    fx.extend(crate::app::views::detail::update::follow(state));
    fx
}
