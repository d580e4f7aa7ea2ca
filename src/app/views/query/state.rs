//! What the fleet query view remembers: the question, the images it asks about (every
//! image and index of every loaded repository), which of them are answered, the tally
//! (`scan::fleet::FleetAnswer`, shared with the CLI) and the hit rows in the chosen order.

use crate::app::views::list_filter::ListFilter;
use crate::model::Digest;
use crate::scan::fleet::{FleetAnswer, FleetHit, FleetImage, FleetQuery, HitOrder};
use std::collections::HashMap;

/// One image the query asks about.
#[derive(Clone, Debug)]
pub struct QueryImage {
    pub registry: usize,
    /// The registry as its table names it (the host references use).
    pub registry_name: String,
    pub image: FleetImage,
    pub answered: bool,
}

/// One hit as the view shows it: the shared hit record and the registry it is in.
#[derive(Clone, Debug)]
pub struct QueryHit {
    pub registry: usize,
    pub registry_name: String,
    pub hit: FleetHit,
}

#[derive(Debug, Default)]
pub struct QueryState {
    pub query: Option<FleetQuery>,
    /// Ticket of the newest sweep; batches of older ones only fill the cache.
    pub ticket: u64,
    pub images: Vec<QueryImage>,
    /// Positions in `images` by digest (a digest can live in several repositories).
    pub by_digest: HashMap<Digest, Vec<usize>>,
    /// Counts over the answered images (its hits move to `hits`, with their registry).
    pub answer: Option<FleetAnswer>,
    pub hits: Vec<QueryHit>,
    pub order: HitOrder,
    /// Repositories listed but not loaded yet: they join the query when they load.
    pub repositories_loading: usize,
    /// Repository indices (`FleetState::repos`) whose images the query holds.
    pub included: std::collections::HashSet<usize>,
    /// The sweep is still fetching.
    pub running: bool,
    /// `/` on the hits: repository, tags, digest, finding id and package.
    pub filter: String,
    /// Positions in `hits` that pass the filter, in order; the cursor indexes this.
    pub shown: Vec<usize>,
    pub cursor: usize,
    pub offset: usize,
}

impl QueryState {
    /// Images asked about whose findings have not arrived yet.
    pub fn not_fetched(&self) -> usize {
        self.images.iter().filter(|i| !i.answered).count()
    }

    pub fn selected(&self) -> Option<&QueryHit> {
        self.shown.get(self.cursor).and_then(|&i| self.hits.get(i))
    }

    /// Sorts the hits (newest or most recently pulled first, unknown last; ties by
    /// repository and digest).
    pub fn sort(&mut self) {
        let order = self.order;
        self.hits.sort_by(|a, b| {
            let times = |h: &QueryHit| (h.hit.created_at, h.hit.pushed_at, h.hit.last_pulled_at);
            crate::scan::fleet::cmp_key(order, times(a), times(b))
                .then_with(|| a.hit.repository.cmp(&b.hit.repository))
                .then_with(|| a.hit.digest.cmp(&b.hit.digest))
        });
        let mut filter = ListFilter::new(&self.filter);
        self.shown = (0..self.hits.len())
            .filter(|&i| {
                let h = &self.hits[i].hit;
                let f = &h.finding;
                let mut fields = vec![h.repository.as_str(), h.digest.as_str(), &f.id];
                fields.extend(f.package.as_deref());
                fields.extend(h.tags.iter().map(String::as_str));
                filter.as_mut().is_none_or(|m| m.matches(&fields))
            })
            .collect();
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        let len = self.shown.len();
        if len == 0 {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        self.cursor = (self.cursor as isize + delta).clamp(0, len as isize - 1) as usize;
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
    }
}
