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
    Raw,
    Copy,
    Mark,
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
    ConfirmDelete,
    FindingsSort,
    FindingsSortReverse,
    FindingsFilter,
    FindingsFixable,
    Doctor,
    ViewDoctor,
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

use Scope::*;
const G: &[Scope] = &[Global];

macro_rules! info {
    ($a:ident, $name:literal, $about:literal, $hint:expr, $scopes:expr) => {
        ActionInfo {
            action: Action::$a,
            name: $name,
            about: $about,
            hint: $hint,
            scopes: $scopes,
        }
    };
}

/// Every action, in the order the help overlay lists them.
pub const ACTIONS: &[ActionInfo] = &[
    info!(Quit, "quit", "quit regscope", Some("quit"), G),
    info!(
        Help,
        "help",
        "this help, generated from the live keymap",
        Some("help"),
        G
    ),
    info!(Back, "back", "close, go back, or clear the filter", None, G),
    info!(Up, "up", "move up", None, G),
    info!(Down, "down", "move down", None, G),
    info!(Top, "top", "first row", None, G),
    info!(Bottom, "bottom", "last row", None, G),
    info!(PageUp, "page_up", "page up", None, G),
    info!(PageDown, "page_down", "page down", None, G),
    info!(HalfPageUp, "half_page_up", "half a page up", None, G),
    info!(HalfPageDown, "half_page_down", "half a page down", None, G),
    info!(NextPane, "next_pane", "next pane", Some("pane"), G),
    info!(PrevPane, "prev_pane", "previous pane", None, G),
    info!(
        Enter,
        "enter",
        "open: expand a registry, show a repository's images, an image's detail; in the layers tab, the tree and its directories; in the fleet query, the image in the explorer",
        Some("open"),
        &[Fleet, Images, Detail, Query]
    ),
    info!(
        LayerView,
        "layer_view",
        "layers tab: this layer's changes, or the whole filesystem as of this layer",
        None,
        &[Detail]
    ),
    info!(
        Filter,
        "filter",
        "fuzzy filter tags and digests (! inverts)",
        Some("filter"),
        &[Images]
    ),
    info!(
        Command,
        "command",
        "command line (:registry, :repo, :platform, :quit)",
        Some("cmd"),
        G
    ),
    info!(
        Sort,
        "sort",
        "sort by the next column (fleet query: newest/pulled)",
        Some("sort"),
        &[Fleet, Images, Query]
    ),
    info!(
        SortReverse,
        "sort_reverse",
        "reverse the sort",
        None,
        &[Fleet, Images]
    ),
    info!(
        Raw,
        "raw",
        "raw manifest / config JSON",
        Some("raw"),
        &[Images, Detail]
    ),
    info!(
        Copy,
        "copy",
        "copy the reference by digest (in the doctor: the next step)",
        Some("copy"),
        &[Images, Detail, Doctor, Query]
    ),
    info!(
        Mark,
        "mark",
        "mark for the deletion plan",
        Some("mark"),
        &[Images]
    ),
    info!(
        MarkRange,
        "mark_range",
        "mark from the last mark to here",
        None,
        &[Images]
    ),
    info!(ClearMarks, "clear_marks", "clear marks", None, &[Images]),
    info!(Refresh, "refresh", "crawl every registry again", None, G),
    info!(
        Wide,
        "wide",
        "wide columns (full tags and digests)",
        Some("wide"),
        &[Images]
    ),
    info!(Errors, "errors", "the error list", None, G),
    info!(Mouse, "mouse", "toggle mouse capture", None, G),
    info!(
        NextTab,
        "next_tab",
        "next detail tab",
        Some("tab"),
        &[Detail]
    ),
    info!(PrevTab, "prev_tab", "previous detail tab", None, &[Detail]),
    info!(ViewExplorer, "explorer", "the explorer view", None, G),
    info!(
        ViewCharts,
        "charts", "charts: bytes and builds per repository", None, G
    ),
    info!(
        Dismiss,
        "dismiss",
        "dismiss the selected error",
        Some("dismiss"),
        &[Errors]
    ),
    info!(
        DismissAll,
        "dismiss_all",
        "dismiss every error",
        Some("all"),
        &[Errors]
    ),
    info!(
        Plan,
        "plan",
        "review a deletion plan: the marked images, else the repository's own lifecycle policy (never deletes)",
        None,
        &[Fleet, Images]
    ),
    info!(
        FindingsSort,
        "findings_sort",
        "findings tab: sort by severity, id or package",
        None,
        &[Detail]
    ),
    info!(
        FindingsSortReverse,
        "findings_sort_reverse",
        "findings tab: reverse the sort",
        None,
        &[Detail]
    ),
    info!(
        FindingsFilter,
        "findings_filter",
        "findings tab: filter by CVE id or package",
        None,
        &[Detail]
    ),
    info!(
        FindingsFixable,
        "findings_fixable",
        "findings tab: only findings with a fixed version",
        None,
        &[Detail]
    ),
    info!(ViewPlan, "plan_view", "the plan view (the last plan)", None, G),
    info!(
        AsOfEarlier,
        "as_of_earlier",
        "evaluate the plan as of one day earlier",
        Some("day"),
        &[Plan]
    ),
    info!(
        AsOfLater,
        "as_of_later",
        "evaluate the plan as of one day later",
        None,
        &[Plan]
    ),
    info!(
        AsOfWeekEarlier,
        "as_of_week_earlier",
        "evaluate the plan as of one week earlier",
        None,
        &[Plan]
    ),
    info!(
        AsOfWeekLater,
        "as_of_week_later",
        "evaluate the plan as of one week later",
        Some("week"),
        &[Plan]
    ),
    info!(
        AsOfToday,
        "as_of_today",
        "evaluate the plan as of now",
        None,
        &[Plan]
    ),
    info!(
        ExportPlan,
        "export_plan",
        "write the plan as regscope.plan/v1 JSON to the data dir",
        Some("export"),
        &[Plan]
    ),
    info!(
        ConfirmDelete,
        "delete",
        "delete what the plan lists: asks you to type the repository name first",
        Some("delete…"),
        &[Plan]
    ),
    info!(
        Doctor,
        "doctor",
        "pull doctor for the selected image: why it can or cannot be pulled",
        Some("doctor"),
        &[Images, Detail]
    ),
    info!(ViewDoctor, "doctor_view", "the pull doctor view (the last run)", None, G),
    info!(
        ViewQuery,
        "query_view",
        "the fleet query view (the last :cve or :pkg)",
        None,
        G
    ),
];

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
