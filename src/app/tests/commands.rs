//! The `:` line: `:repo X` focuses the images pane even before X's rows arrive, and tab
//! completes command names, repository names and tags (saying when it is ambiguous).

use super::Harness;
use crate::app::inventory_event as ev;
use crate::app::state::Pane;
use crate::app::testing::fleet_images;

#[test]
fn repo_focuses_the_images_pane_before_its_rows_arrive() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api", "web"]));
    h.inventory(ev::images("prod", "api", fleet_images("api", 3)));
    // Typed right after start: web is listed, its images not read yet.
    h.keys(": ");
    h.type_text("repo web");
    h.keys("enter");
    assert_eq!(h.state.focus, Pane::Images);
    assert!(
        h.state.images.table.is_none(),
        "not api's images under web's name"
    );
    let screen = h.screen(100, 30);
    assert!(screen.contains("web is loading…"), "{screen}");
    // The rows arrive: they are shown where the focus already is.
    h.inventory(ev::images("prod", "web", fleet_images("web", 4)));
    assert_eq!(h.state.focus, Pane::Images);
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "web");
    assert!(h.state.images.selected().is_some());
    h.keys("j");
    assert_eq!(h.state.images.cursor, 1, "keys act on the images");
}

#[test]
fn a_loading_repository_never_shows_the_previous_one_s_images() {
    let mut h = Harness::new(&["prod"]);
    h.inventory(ev::listed("prod", &["api", "web"]));
    h.inventory(ev::images("prod", "api", fleet_images("api", 3)));
    h.keys(": ");
    h.type_text("repo api");
    h.keys("enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "api");
    h.keys("space shift-tab j");
    assert!(h.state.images.table.is_none());
    // api's mark is kept for when it is shown again.
    h.keys("k");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "api");
    assert_eq!(
        h.state
            .images
            .marks
            .values()
            .map(|m| m.len())
            .sum::<usize>(),
        1
    );
}

fn with_music() -> Harness {
    let mut h = Harness::new(&["prod", "lab"]);
    h.inventory(ev::listed(
        "prod",
        &["hidden/music", "hidden/mu-a", "hidden/mu-b", "web"],
    ));
    h.inventory(ev::images("prod", "web", fleet_images("web", 12)));
    h.inventory(ev::listed("lab", &["hidden/mule"]));
    h
}

/// Types `text` after `:` and presses tab; the line and what the hint bar says.
fn tab(h: &mut Harness, text: &str) -> (String, String) {
    h.keys("esc : ");
    h.type_text(text);
    h.keys("tab");
    let line = h.state.prompt().unwrap().text.clone();
    let hints = h.screen(120, 30).lines().last().unwrap().to_string();
    (line, hints)
}

#[test]
fn tab_completes_repositories_and_says_when_ambiguous() {
    let mut h = with_music();
    // The tree is on prod: lab's hidden/mule is not a candidate.
    let (line, hints) = tab(&mut h, "repo hidden/mu");
    assert_eq!(line, "repo hidden/mu");
    assert!(hints.contains("ambiguous: 3 match"), "{hints}");
    assert!(
        hints.contains("hidden/mu-a") && hints.contains("hidden/music"),
        "{hints}"
    );
    assert!(!hints.contains("mule"), "{hints}");
    // Typing clears the note; a unique prefix completes.
    h.type_text("s");
    assert!(h.state.prompt().unwrap().note.is_none());
    h.keys("tab");
    assert_eq!(h.state.prompt().unwrap().text, "repo hidden/music");
    // A common prefix longer than what was typed is filled in.
    let (line, _) = tab(&mut h, "repo hid");
    assert_eq!(line, "repo hidden/mu");
    let (line, hints) = tab(&mut h, "repo nope");
    assert_eq!(line, "repo nope");
    assert!(
        hints.contains("no repository starts with \"nope\""),
        "{hints}"
    );
    // Enter runs the completed command.
    tab(&mut h, "repo hidden/musi");
    h.keys("enter");
    assert_eq!(
        h.state.fleet.selected_repo().map(|r| r.name.as_str()),
        Some("hidden/music")
    );
}

#[test]
fn tab_completes_tags_after_repo_colon_and_command_names() {
    let mut h = with_music();
    let (line, hints) = tab(&mut h, "doctor web:v1.0.1");
    // v1.0.1 and v1.0.11: ambiguous, listed.
    assert_eq!(line, "doctor web:v1.0.1");
    assert!(
        hints.contains("ambiguous: 2 match") && hints.contains("v1.0.11"),
        "{hints}"
    );
    let (line, _) = tab(&mut h, "doctor web:v1.0.9");
    assert_eq!(line, "doctor web:v1.0.9 ");
    let (_, hints) = tab(&mut h, "doctor hidden/mu-a:v");
    assert!(hints.contains("hidden/mu-a is not loaded"), "{hints}");
    let (line, _) = tab(&mut h, "regi");
    assert_eq!(line, "registry ");
    // doctor and doctor_view: the common prefix, both listed.
    let (line, hints) = tab(&mut h, "doc");
    assert_eq!(line, "doctor");
    assert!(hints.contains("doctor_view"), "{hints}");
    let (line, hints) = tab(&mut h, "p");
    assert!(line.starts_with('p'), "{line}");
    assert!(hints.contains("ambiguous"), "{hints}");
}

#[test]
fn ctrl_r_on_a_repository_reads_that_repository_alone() {
    use crate::app::effect::Effect;
    let mut h = Harness::loaded();
    let only = |h: &mut Harness| -> Vec<Effect> { std::mem::take(&mut h.other) };
    // The tree on the registry: every registry again.
    h.keys("ctrl-r");
    assert!(matches!(only(&mut h).as_slice(), [Effect::Refresh]));
    // The tree on a repository.
    h.keys("j");
    let name = h.state.fleet.selected_repo().unwrap().name.clone();
    only(&mut h);
    h.keys("ctrl-r");
    match only(&mut h).as_slice() {
        [Effect::RefreshRepositories {
            registry: 0,
            repositories,
        }] => assert_eq!(repositories, &vec![name.clone()]),
        other => panic!("expected one repository re-read, got {other:?}"),
    }
    assert!(h.state.flash.as_ref().unwrap().text.contains(&name));
    // From its images and its detail.
    h.keys("enter");
    assert_eq!(h.state.focus, Pane::Images);
    h.keys("ctrl-r");
    assert!(matches!(only(&mut h).as_slice(),
        [Effect::RefreshRepositories { repositories, .. }] if repositories == &vec![name.clone()]));
    h.keys("enter");
    assert_eq!(h.state.focus, Pane::Detail);
    h.fetches.clear();
    h.keys("ctrl-r");
    assert!(matches!(only(&mut h).as_slice(),
        [Effect::RefreshRepositories { repositories, .. }] if repositories == &vec![name.clone()]));
}
