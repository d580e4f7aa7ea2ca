//! Headless app tests: a harness that feeds messages to the reducer, performs the
//! effects synchronously (filter inline, fetches recorded), and renders to a `TestBackend`.

mod after_delete;
mod audit;
mod children;
mod columns;
mod commands;
mod compare;
mod doctor;
mod findings;
mod foreign;
mod full_text;
mod goto;
mod harbor;
mod history;
mod index_layers;
mod layers;
mod layers_dive;
mod list_filter;
mod plan;
mod plan_not_performed;
mod plan_sort;
mod platform_cell;
mod query;
mod raw;
mod reducer;
mod referrer_rows;
mod refresh;
mod reopen;
mod severity_lazy;
mod short_digest;
mod snapshots;
mod sort_keys;

use super::effect::Effect;
use super::inventory_event as ev;
use super::msg::Msg;
use super::state::State;
use super::tasks::filter::compute;
use super::tasks::inventory::convert;
use super::testing::{fixed_now, fleet_images};
use super::{ui, update::update};
use crate::config::RegistrySettings;
use crate::registry::Target;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::sync::atomic::AtomicU64;

pub struct Harness {
    pub state: State,
    pub fetches: Vec<super::tasks::detail::DetailRequest>,
    pub copies: Vec<String>,
    pub findings: Vec<super::tasks::findings::FindingsRequest>,
    /// Findings sweeps (fleet query, visible rows), answered by the tests that care.
    pub sweeps: Vec<super::tasks::sweep::SweepRequest>,
    pub other: Vec<Effect>,
}

pub fn target(name: &str) -> (Target, RegistrySettings) {
    let mut s = RegistrySettings::for_address(&format!("{name}.example:5000"));
    s.name = name.to_string();
    (Target::parse(&s.address).unwrap(), s)
}

impl Harness {
    pub fn new(registries: &[&str]) -> Self {
        Self::with_targets(registries.iter().map(|r| target(r)).collect())
    }

    pub fn with_targets(targets: Vec<(Target, RegistrySettings)>) -> Self {
        let mut state = State::new(targets, fixed_now());
        state.size = (100, 30);
        Harness {
            state,
            fetches: Vec::new(),
            copies: Vec::new(),
            findings: Vec::new(),
            sweeps: Vec::new(),
            other: Vec::new(),
        }
    }

    /// A registry with repositories `web` (40 images), `api` (5) and `empty` (0) loaded.
    pub fn loaded() -> Self {
        let mut h = Harness::new(&["prod"]);
        h.inventory(ev::listed("prod", &["web", "api", "empty"]));
        h.inventory(ev::images("prod", "web", fleet_images("web", 40)));
        h.inventory(ev::images("prod", "api", fleet_images("api", 5)));
        h.inventory(ev::images("prod", "empty", vec![]));
        h
    }

    pub fn inventory(&mut self, e: crate::inventory::InventoryEvent) {
        self.send(Msg::Inventory(convert(e)));
    }

    pub fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(m) = queue.pop() {
            for e in update(&mut self.state, m) {
                match e {
                    Effect::ComputeView(req) => {
                        let latest = AtomicU64::new(req.generation);
                        if let Some(view) = compute(&req, &latest) {
                            queue.push(Msg::ViewReady {
                                generation: req.generation,
                                view,
                            });
                        }
                    }
                    Effect::FetchDetail(r) => self.fetches.push(r),
                    Effect::FetchFindings(r) => self.findings.push(r),
                    Effect::SweepFindings(r) => self.sweeps.push(r),
                    Effect::MergeScans(r) => queue.push(Msg::ScansMerged {
                        new: super::tasks::sweep::merge(&r),
                        old: r.table,
                    }),
                    // Marks and policy files evaluate inline; a registry's own policy
                    // needs the network, so tests answer those themselves.
                    Effect::EvaluatePlan(r)
                        if !matches!(r.spec, super::tasks::plan::PlanSpec::RepositoryPolicy(_))
                            || r.prepared.is_some() =>
                    {
                        queue.push(Msg::Plan(super::tasks::plan::run(&r, None)));
                    }
                    Effect::Copy(t) => self.copies.push(t),
                    other => self.other.push(other),
                }
            }
        }
    }

    /// Presses keys given as keymap names separated by spaces (`"j j enter"`).
    pub fn keys(&mut self, keys: &str) {
        for k in keys.split(' ').filter(|k| !k.is_empty()) {
            self.press(k);
        }
    }

    pub fn press(&mut self, k: &str) {
        let chord = super::keymap::KeyChord::parse(k).expect("test key parses");
        let mut mods = KeyModifiers::empty();
        if chord.ctrl {
            mods |= KeyModifiers::CONTROL;
        }
        if chord.alt {
            mods |= KeyModifiers::ALT;
        }
        if let KeyCode::Char(c) = chord.code {
            if c.is_ascii_uppercase() {
                mods |= KeyModifiers::SHIFT;
            }
        }
        self.send(Msg::Key(KeyEvent::new(chord.code, mods)));
    }

    /// Types text into a prompt, one character at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::empty(),
            )));
        }
    }

    pub fn render(&mut self, w: u16, h: u16) -> Buffer {
        self.send(Msg::Resize(w, h));
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| ui::draw(f, &self.state)).unwrap();
        term.backend().buffer().clone()
    }

    pub fn screen(&mut self, w: u16, h: u16) -> String {
        buffer_text(&self.render(w, h))
    }

    pub fn selected_tags(&self) -> String {
        self.state
            .images
            .selected()
            .map(|r| r.tags_text().to_string())
            .unwrap_or_default()
    }
}

pub fn buffer_text(b: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..b.area.height {
        let mut line = String::new();
        for x in 0..b.area.width {
            line.push_str(b[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Where `needle` first appears on screen, as (x, y).
pub fn find(b: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in 0..b.area.height {
        let mut line = String::new();
        let mut xs = Vec::new();
        for x in 0..b.area.width {
            let s = b[(x, y)].symbol();
            for _ in s.chars() {
                xs.push(x);
            }
            line.push_str(s);
        }
        if let Some(i) = line.find(needle) {
            let ci = line[..i].chars().count();
            return Some((xs[ci], y));
        }
    }
    None
}
