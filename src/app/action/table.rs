//! Every action's row: its config and `:` name, what the help says, its hint-bar label and
//! where it applies. The order is the help overlay's order.

use super::{Action, ActionInfo, Scope};

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
        "open: expand a registry, show a repository's images, an image's detail; in the layers tab, the tree and its directories; in the fleet query, the image in the explorer; in the error list, the error in full; in the plan, the row in full; in the audit, the check's evidence",
        Some("open"),
        &[Fleet, Images, Detail, Query, Errors, Plan, Audit]
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
        "filter the focused list: images (tags, digest), registries (repository names), plan, fleet query, errors (! inverts)",
        Some("filter"),
        &[Fleet, Images, Plan, Query, Errors]
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
        "sort by the next column (fleet query: newest/pulled; plan: repository, size, rule, tags within each group)",
        Some("sort"),
        &[Fleet, Images, Query, Plan]
    ),
    info!(
        SortReverse,
        "sort_reverse",
        "reverse the sort",
        None,
        &[Fleet, Images, Plan]
    ),
    info!(
        SortName,
        "sort_name",
        "sort by name (repositories) or tags (images); again reverses",
        None,
        &[Fleet, Images]
    ),
    info!(
        SortDigest,
        "sort_digest",
        "sort images by digest; again reverses",
        None,
        &[Images]
    ),
    info!(
        SortKind,
        "sort_kind",
        "sort images by kind; again reverses",
        None,
        &[Images]
    ),
    info!(
        SortPlatforms,
        "sort_platforms",
        "sort images by platforms; again reverses",
        None,
        &[Images]
    ),
    info!(
        SortSize,
        "sort_size",
        "sort by size (repositories: total bytes); again reverses",
        None,
        &[Fleet, Images]
    ),
    info!(
        SortUnique,
        "sort_unique",
        "sort by unique bytes; again reverses",
        None,
        &[Fleet, Images]
    ),
    info!(
        SortCount,
        "sort_count",
        "sort repositories by image count; again reverses",
        None,
        &[Fleet]
    ),
    info!(
        SortCreated,
        "sort_created",
        "sort images by created; again reverses",
        None,
        &[Images]
    ),
    info!(
        SortPushed,
        "sort_pushed",
        "sort by pushed (repositories: newest push); again reverses",
        None,
        &[Fleet, Images]
    ),
    info!(
        SortPulled,
        "sort_pulled",
        "sort images by last pulled; again reverses",
        None,
        &[Images]
    ),
    info!(
        SortCritical,
        "sort_critical",
        "sort images by critical findings (then high, medium, low); again reverses",
        None,
        &[Images]
    ),
    info!(
        Raw,
        "raw",
        "raw manifest exactly as served (again: the config)",
        Some("raw"),
        &[Images, Detail]
    ),
    info!(
        RawPretty,
        "raw_pretty",
        "raw tab: the exact bytes as served, or an indented copy (served order, only whitespace changed)",
        Some("indent"),
        &[Detail]
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
        Fold,
        "fold",
        "show or hide what hangs from an image: an index's platforms, signatures and attestations",
        None,
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
    info!(
        Refresh,
        "refresh",
        "on a repository (tree, images, detail): read that repository again; elsewhere crawl every registry again",
        None,
        G
    ),
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
        PlanSummary,
        "plan_summary",
        "the plan's summary in full (what it frees, the method, where space returns), wrapped",
        None,
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
        Diff,
        "diff",
        "compare the two marked images (or the mark and the selection): sizes, layers, files by directory, config; :diff REF for another",
        None,
        &[Images]
    ),
    info!(
        ViewQuery,
        "query_view",
        "the fleet query view (the last :cve or :pkg)",
        None,
        G
    ),
];
