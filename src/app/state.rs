//! The one owner of everything the UI shows. Reducers change it; views only read it. Focus
//! and the modal stack are enums, and the layer that receives keys is derived in one place
//! ([`State::layer`]).

use super::action::Scope;
use super::config::theme::Theme;
use super::keymap::Keymap;
use super::views::audit::state::AuditState;
use super::views::detail::state::DetailState;
use super::views::doctor::state::DoctorState;
use super::views::errors::state::ErrorsState;
use super::views::findings::state::FindingsState;
use super::views::fleet::state::FleetState;
use super::views::images::state::ImagesState;
use super::views::plan::confirm::Confirm;
use super::views::plan::state::PlanState;
use super::views::query::state::QueryState;
use crate::config::RegistrySettings;
use crate::registry::Target;
use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Fleet,
    Images,
    Detail,
}

/// Top-level views (number keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Explorer,
    Charts,
    Plan,
    Doctor,
    /// The fleet query (`:cve`, `:pkg`).
    Query,
    /// The hygiene audit (`:audit`).
    Audit,
    /// Two images compared (`=`, `:diff REF`).
    Diff,
    /// One file of an image (`enter` on a file in the layers tree).
    File,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// `/` on the focused list.
    Filter(super::views::list_filter::FilterTarget),
    Command,
    /// The findings tab's filter (id or package).
    FindingsFilter,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// The filter before editing began, restored when the prompt is cancelled.
    pub before: String,
    /// What the last tab said (candidates when ambiguous, none found); cleared on typing.
    pub note: Option<String>,
}

/// Overlays, drawn in stack order; keys go to the top one first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    Errors,
    Prompt(Prompt),
    /// The typed confirmation before a deletion (defaults to cancel).
    Confirm(Confirm),
}

/// Who gets the next key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Prompt,
    Help,
    Errors,
    Pane(Pane),
    Charts,
    Plan,
    Doctor,
    Query,
    Audit,
    Confirm,
    /// The diff view or the file viewer (scrolling, back).
    Compare,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct State {
    pub now: DateTime<Utc>,
    /// Terminal size (columns, rows), for paging and mouse hits.
    pub size: (u16, u16),
    pub view: View,
    pub focus: Pane,
    pub modals: Vec<Modal>,
    pub fleet: FleetState,
    pub images: ImagesState,
    pub detail: DetailState,
    pub layers: crate::app::views::layers::state::LayersState,
    pub errors: ErrorsState,
    pub plan: PlanState,
    pub doctor: DoctorState,
    pub findings: FindingsState,
    pub query: QueryState,
    pub audit: AuditState,
    pub compare: super::views::compare::state::CompareState,
    pub keymap: Keymap,
    pub theme: Theme,
    pub wide: bool,
    /// Repositories the charts skip from the top (they scroll; the rest say `+N more`).
    pub charts_scroll: usize,
    pub mouse: bool,
    pub flash: Option<Flash>,
    /// Frames of the spinner, advanced by ticks while something loads.
    pub spinner: usize,
    pub quit: bool,
}

impl State {
    pub fn new(targets: Vec<(Target, RegistrySettings)>, now: DateTime<Utc>) -> Self {
        State {
            now,
            size: (80, 24),
            view: View::Explorer,
            focus: Pane::Fleet,
            modals: Vec::new(),
            fleet: FleetState::new(targets),
            images: ImagesState::default(),
            detail: DetailState::default(),
            layers: Default::default(),
            errors: ErrorsState::default(),
            plan: PlanState::default(),
            doctor: DoctorState::default(),
            findings: FindingsState::default(),
            query: QueryState::default(),
            audit: AuditState::default(),
            compare: Default::default(),
            keymap: Keymap::defaults(),
            theme: Theme::dark(),
            wide: false,
            charts_scroll: 0,
            mouse: false,
            flash: None,
            spinner: 0,
            quit: false,
        }
    }

    pub fn layer(&self) -> Layer {
        match self.modals.last() {
            Some(Modal::Prompt(_)) => Layer::Prompt,
            Some(Modal::Help { .. }) => Layer::Help,
            Some(Modal::Errors) => Layer::Errors,
            Some(Modal::Confirm(_)) => Layer::Confirm,
            None if self.view == View::Charts => Layer::Charts,
            None if self.view == View::Plan => Layer::Plan,
            None if self.view == View::Doctor => Layer::Doctor,
            None if self.view == View::Query => Layer::Query,
            None if self.view == View::Audit => Layer::Audit,
            None if matches!(self.view, View::Diff | View::File) => Layer::Compare,
            None => Layer::Pane(self.focus),
        }
    }

    /// The keymap scope of the current layer.
    pub fn scope(&self) -> Scope {
        match self.layer() {
            Layer::Errors => Scope::Errors,
            Layer::Pane(Pane::Fleet) => Scope::Fleet,
            Layer::Pane(Pane::Images) => Scope::Images,
            Layer::Pane(Pane::Detail) => Scope::Detail,
            Layer::Plan => Scope::Plan,
            Layer::Doctor => Scope::Doctor,
            Layer::Query => Scope::Query,
            Layer::Audit => Scope::Audit,
            Layer::Prompt | Layer::Help | Layer::Charts | Layer::Confirm | Layer::Compare => {
                Scope::Global
            }
        }
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        self.modals.iter().rev().find_map(|m| match m {
            Modal::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn flash(&mut self, text: impl Into<String>, error: bool) {
        self.flash = Some(Flash {
            text: text.into(),
            error,
            at: self.now,
        });
    }

    /// Whether anything is still streaming in (drives the spinner).
    pub fn busy(&self) -> bool {
        !self.fleet.all_finished()
            || self.images.computing
            || self.plan.computing
            || self.doctor.running
            || self.query.running
            || self.audit.running
    }
}
