//! The detail pane: which tab, scroll, and the cache of fetched details by digest.

use crate::app::tasks::detail::DetailData;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailTab {
    Overview,
    Layers,
    Findings,
    Raw,
}

impl DetailTab {
    pub const ALL: [DetailTab; 4] = [
        DetailTab::Overview,
        DetailTab::Layers,
        DetailTab::Findings,
        DetailTab::Raw,
    ];
    pub fn title(self) -> &'static str {
        match self {
            DetailTab::Overview => "overview",
            DetailTab::Layers => "layers",
            DetailTab::Findings => "findings",
            DetailTab::Raw => "raw",
        }
    }
    pub fn step(self, delta: isize) -> Self {
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        Self::ALL[(i + delta).rem_euclid(Self::ALL.len() as isize) as usize]
    }
}

/// What the detail pane knows about one digest.
#[derive(Clone, Debug)]
pub enum DetailEntry {
    Loading,
    Ready(Arc<DetailData>),
    Failed(String),
}

#[derive(Debug)]
pub struct DetailState {
    pub open: bool,
    pub tab: DetailTab,
    /// In the raw tab: the config instead of the manifest.
    pub raw_config: bool,
    /// In the raw tab: an indented copy instead of the exact bytes (`p`).
    pub raw_pretty: bool,
    /// In the overview of an index: the platform line `enter` opens.
    pub platform_cursor: usize,
    pub scroll: u16,
    /// Ticket of the newest request.
    pub ticket: u64,
    pub cache: HashMap<String, DetailEntry>,
}

impl Default for DetailState {
    fn default() -> Self {
        DetailState {
            open: false,
            tab: DetailTab::Overview,
            raw_config: false,
            raw_pretty: false,
            platform_cursor: 0,
            scroll: 0,
            ticket: 0,
            cache: HashMap::new(),
        }
    }
}
