//! The doctor view: started from an image row or `:doctor REF`, steps appear as they
//! complete (stale runs dropped), the verdict and a copyable next step at the end.

use super::{find, Harness};
use crate::app::config::theme::Role;
use crate::app::effect::Effect;
use crate::app::msg::Msg;
use crate::app::state::{Layer, View};
use crate::app::tasks::doctor::DoctorEvent;
use crate::doctor::{Report, Step, StepStatus, Verdict};
use insta::assert_snapshot;

fn step(name: &'static str, status: StepStatus, detail: &str, ms: u64) -> Step {
    Step {
        name,
        status,
        detail: detail.into(),
        elapsed_ms: ms,
        http_status: None,
        error_code: None,
        lines: Vec::new(),
    }
}

fn steps() -> Vec<Step> {
    let mut auth = step(
        "auth",
        StepStatus::Ok,
        "Bearer token from config.json entry, scope repository:web:pull granted",
        41,
    );
    auth.http_status = Some(401);
    let mut resolve = step("resolve", StepStatus::Fail, "tag v9 not found in web", 12);
    resolve.http_status = Some(404);
    resolve.error_code = Some("MANIFEST_UNKNOWN".into());
    resolve.lines = vec!["tags close to v9: v1.0.9, v1.0.19".into()];
    vec![
        step(
            "reference",
            StepStatus::Ok,
            "registry prod.example:5000, repository web, tag v9",
            0,
        ),
        step(
            "reach",
            StepStatus::Ok,
            "DNS 127.0.0.1, TCP 2 ms, TLS 1.3",
            8,
        ),
        auth,
        resolve,
        step("platforms", StepStatus::Skip, "skipped: resolve failed", 0),
    ]
}

fn report(ticket: u64) -> DoctorEvent {
    DoctorEvent::Done {
        ticket,
        report: Report {
            reference: "prod.example:5000/web:v9".into(),
            platform: Some("linux/amd64".into()),
            verdict: Verdict::TagNotFound,
            summary: "The repository exists but has no tag v9.".into(),
            next_step: "regscope images prod.example:5000/web".into(),
            steps: steps(),
        },
    }
}

fn started() -> (Harness, u64) {
    let mut h = Harness::loaded();
    h.keys("G enter");
    h.keys("P");
    let req = match h.other.pop() {
        Some(Effect::Doctor(r)) => r,
        other => panic!("expected a doctor run, got {other:?}"),
    };
    (h, req.ticket)
}

#[test]
fn p_on_a_row_checks_its_first_tag_on_the_real_host() {
    let (h, _) = started();
    assert_eq!(h.state.view, View::Doctor);
    assert_eq!(h.state.layer(), Layer::Doctor);
    let shown = h.state.doctor.reference.clone().unwrap();
    assert!(shown.starts_with("prod.example:5000/web:latest"), "{shown}");
    assert!(h.state.doctor.running);
}

#[test]
fn steps_stream_in_and_stale_runs_are_dropped() {
    let (mut h, ticket) = started();
    let s = steps();
    h.send(Msg::Doctor(DoctorEvent::Step {
        ticket,
        step: s[0].clone(),
    }));
    h.send(Msg::Doctor(DoctorEvent::Step {
        ticket: ticket - 1,
        step: s[1].clone(),
    }));
    assert_eq!(h.state.doctor.steps.len(), 1, "old run ignored");
    let screen = h.screen(100, 20);
    assert!(screen.contains("reach      checking…"), "{screen}");
    h.send(Msg::Doctor(report(ticket)));
    assert!(!h.state.doctor.running);
    assert_eq!(h.state.doctor.steps.len(), 5);
    h.keys("c");
    assert_eq!(
        h.copies,
        vec!["regscope images prod.example:5000/web".to_string()]
    );
    h.keys("esc");
    assert_eq!(h.state.view, View::Explorer);
    h.keys("4");
    assert_eq!(h.state.view, View::Doctor);
}

#[test]
fn doctor_command_takes_a_reference_and_a_platform() {
    let mut h = Harness::loaded();
    h.keys(": ");
    h.type_text("doctor docker.io/nginx --platform linux/arm64/v8");
    h.keys("enter");
    let Some(Effect::Doctor(req)) = h.other.pop() else {
        panic!("doctor effect")
    };
    assert_eq!(req.reference.repository, "library/nginx");
    assert_eq!(req.platform.unwrap().to_string(), "linux/arm64/v8");
    h.keys(": ");
    h.type_text("doctor docker.io/nginx --platform");
    h.keys("enter");
    assert!(h.state.flash.as_ref().unwrap().error);
}

#[test]
fn checklist_snapshot_and_colours() {
    let (mut h, ticket) = started();
    h.send(Msg::Doctor(report(ticket)));
    let buf = h.render(110, 20);
    assert_snapshot!("doctor_checklist", super::buffer_text(&buf));
    let t = &h.state.theme;
    let (x, y) = find(&buf, "✔ reach").unwrap();
    assert_eq!(buf[(x, y)].fg, t.color(Role::Ok).unwrap());
    let (x, y) = find(&buf, "✖ resolve").unwrap();
    assert_eq!(buf[(x, y)].fg, t.color(Role::Danger).unwrap());
    let (x, y) = find(&buf, "MANIFEST_UNKNOWN").unwrap();
    assert_eq!(buf[(x, y)].fg, t.color(Role::Warning).unwrap());
    assert!(find(&buf, "verdict: tag-not-found").is_some());
}

#[test]
fn p_on_an_ecr_row_keeps_the_ecr_target() {
    use crate::app::inventory_event as ev;
    use crate::app::testing::fleet_images;
    use crate::registry::Target;
    let mut settings = crate::config::RegistrySettings::for_address("ecr://eu-west-1");
    settings.name = "aws".into();
    let target = Target::parse(&settings.address).unwrap();
    let mut h = Harness::new(&[]);
    h.state = crate::app::state::State::new(vec![(target, settings)], super::fixed_now());
    h.state.size = (100, 30);
    h.inventory(ev::listed("aws", &["team/api"]));
    h.inventory(ev::images("aws", "team/api", fleet_images("api", 3)));
    h.keys("G enter");
    h.keys("P");
    let Some(Effect::Doctor(req)) = h.other.pop() else {
        panic!("doctor effect, flash {:?}", h.state.flash)
    };
    assert!(
        matches!(&req.reference.target, Target::Ecr { account: None, region, prefix: None } if region == "eu-west-1"),
        "{:?}",
        req.reference
    );
    assert_eq!(req.reference.repository, "team/api");
    assert_eq!(req.registry, Some(0));
    let shown = h.state.doctor.reference.clone().unwrap();
    assert!(shown.starts_with("ecr://eu-west-1/team/api"), "{shown}");
    let flash = h.state.flash.as_ref().unwrap();
    assert!(
        flash.text.contains("counts as a pull") && !flash.error,
        "{flash:?}"
    );
}

#[test]
fn doctor_command_reads_a_bare_reference_in_the_browsed_registry() {
    let mut h = Harness::loaded();
    // The tree on the registry: `web:v1.0.3` is prod's, not Docker Hub's.
    h.keys(": ");
    h.type_text("doctor web:v1.0.3");
    h.keys("enter");
    let Some(Effect::Doctor(req)) = h.other.pop() else {
        panic!("doctor effect, flash {:?}", h.state.flash)
    };
    assert_eq!(req.reference.registry, "prod.example:5000");
    assert_eq!(req.reference.repository, "web");
    assert_eq!(req.reference.tag.as_deref(), Some("v1.0.3"));
    assert_eq!(req.registry, Some(0));
    assert_eq!(
        h.state.doctor.reference.as_deref(),
        Some("prod.example:5000/web:v1.0.3")
    );
    // A one-word name stays a name in that registry (no `library/`), with `latest`.
    h.keys("esc : ");
    h.type_text("doctor api");
    h.keys("enter");
    let Some(Effect::Doctor(req)) = h.other.pop() else {
        panic!("doctor effect")
    };
    assert_eq!(req.reference.repository, "api");
    assert_eq!(req.reference.tag.as_deref(), Some("latest"));
    // Naming a registry still means that registry.
    h.keys("esc : ");
    h.type_text("doctor docker.io/nginx");
    h.keys("enter");
    let Some(Effect::Doctor(req)) = h.other.pop() else {
        panic!("doctor effect")
    };
    assert_eq!(req.reference.repository, "library/nginx");
    assert_eq!(req.registry, None);
    // A bad name says what is wrong, without the placeholder host.
    h.keys("esc : ");
    h.type_text("doctor Bad_Name");
    h.keys("enter");
    let flash = h.state.flash.clone().unwrap();
    assert!(
        flash.error && !flash.text.contains("localhost"),
        "{flash:?}"
    );
}

#[test]
fn the_doctor_key_is_hinted_only_on_an_image() {
    let mut h = Harness::loaded();
    let hints = |h: &mut Harness| h.screen(120, 30).lines().last().unwrap().to_string();
    // The tree: no image selected.
    assert!(!hints(&mut h).contains("doctor"), "{}", hints(&mut h));
    // An empty repository: nothing to pull.
    h.keys(": ");
    h.type_text("repo empty");
    h.keys("enter");
    assert_eq!(h.state.images.table.as_ref().unwrap().repository, "empty");
    assert!(h.state.images.selected().is_none());
    assert!(!hints(&mut h).contains("doctor"));
    // A repository with images.
    h.keys(": ");
    h.type_text("repo web");
    h.keys("enter");
    assert!(h.state.images.selected().is_some());
    assert!(hints(&mut h).contains("P doctor"), "{}", hints(&mut h));
}
