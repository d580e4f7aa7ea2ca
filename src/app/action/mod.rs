//! The one action vocabulary. The keymap binds keys to these, the help overlay and hint
//! bar describe them, and `:NAME` runs any of them from the command line, so a new action
//! is one enum variant plus one row in [`ACTIONS`].

/// Where an action applies. `Global` applies everywhere a more specific binding does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Global,
    Fleet,
    Images,
    Detail,
    Errors,
    Plan,
    Doctor,
    Query,
    Audit,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "everywhere",
            Scope::Fleet => "registries",
            Scope::Images => "images",
            Scope::Detail => "detail",
            Scope::Errors => "error list",
            Scope::Plan => "plan",
            Scope::Doctor => "pull doctor",
            Scope::Query => "fleet query (:cve, :pkg)",
            Scope::Audit => "audit (:audit)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Back,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    HalfPageUp,
    HalfPageDown,
    NextPane,
    PrevPane,
    Enter,
    Filter,
    Command,
    Sort,
    SortReverse,
    SortName,
    SortDigest,
    SortKind,
    SortPlatforms,
    SortSize,
    SortUnique,
    SortCount,
    SortCreated,
    SortPushed,
    SortPulled,
    SortCritical,
    Raw,
    RawPretty,
    Copy,
    Mark,
    Fold,
    LayerView,
    MarkRange,
    ClearMarks,
    Refresh,
    Wide,
    Errors,
    Mouse,
    NextTab,
    PrevTab,
    ViewExplorer,
    ViewCharts,
    Dismiss,
    DismissAll,
    Plan,
    ViewPlan,
    AsOfEarlier,
    AsOfLater,
    AsOfWeekEarlier,
    AsOfWeekLater,
    AsOfToday,
    ExportPlan,
    PlanSummary,
    ConfirmDelete,
    FindingsSort,
    FindingsSortReverse,
    FindingsFilter,
    FindingsFixable,
    Doctor,
    ViewDoctor,
    Diff,
    ViewQuery,
}

pub struct ActionInfo {
    pub action: Action,
    /// The config and `:` command name.
    pub name: &'static str,
    pub about: &'static str,
    /// Short label for the hint bar; `None` keeps it out of the bar.
    pub hint: Option<&'static str>,
    pub scopes: &'static [Scope],
}

mod table;
pub use table::ACTIONS;

impl Action {
    /// How far a motion moves a list cursor with `page` rows on screen; `None` for
    /// actions that are not motions. Top and bottom are "far enough" and get clamped.
    pub fn cursor_delta(self, page: isize) -> Option<isize> {
        Some(match self {
            Action::Up => -1,
            Action::Down => 1,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::HalfPageUp => -page / 2,
            Action::HalfPageDown => page / 2,
            _ => return None,
        })
    }

    pub fn info(self) -> &'static ActionInfo {
        ACTIONS
            .iter()
            .find(|i| i.action == self)
            .expect("every action has a row in ACTIONS")
    }
    pub fn name(self) -> &'static str {
        self.info().name
    }
    pub fn by_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|i| i.name == name).map(|i| i.action)
    }
    /// Whether a binding of this action is live in `scope`.
    pub fn applies_in(self, scope: Scope) -> bool {
        let s = self.info().scopes;
        s.contains(&Scope::Global) || s.contains(&scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_unique_row() {
        let mut names: Vec<&str> = ACTIONS.iter().map(|i| i.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len());
        assert_eq!(Action::by_name("mark"), Some(Action::Mark));
        assert!(Action::Mark.applies_in(Scope::Images));
        assert!(!Action::Mark.applies_in(Scope::Fleet));
    }
}
