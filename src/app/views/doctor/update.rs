//! Reducer for the doctor view: start a run from an image row or `:doctor REF`, collect
//! steps as they arrive (latest run wins), copy the next step.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::short_digest;
use crate::app::state::{State, View};
use crate::app::tasks::doctor::{DoctorEvent, DoctorRequest};
use crate::model::Platform;
use crate::registry::{Reference, Target};

/// Starts the doctor for `reference`.
fn start(
    state: &mut State,
    reference: Reference,
    shown: String,
    platform: Option<Platform>,
    registry: Option<usize>,
) -> Vec<Effect> {
    let d = &mut state.doctor;
    d.ticket += 1;
    d.reference = Some(shown);
    d.platform = platform.clone();
    d.steps.clear();
    d.report = None;
    d.running = true;
    d.scroll = 0;
    state.view = View::Doctor;
    // The doctor reads the manifest as a pull does; where that counts, say so first.
    let kind = match registry.and_then(|i| state.fleet.registries.get(i)) {
        Some(node) => node.kind,
        None => crate::session::kind_of_address(&reference.target),
    };
    if let Some(note) = kind.caps().opening_note(kind) {
        state.flash(note, false);
    }
    vec![Effect::Doctor(DoctorRequest {
        ticket: state.doctor.ticket,
        reference,
        platform,
        registry,
    })]
}

/// The reference a runtime would pull for `repository` at `tag`/`digest` in registry `ri`
/// (`None`: a registry named `registry` that is not in the fleet): on the registry's real
/// host; registries addressed by their API (`ecr://REGION`) keep their target, as there is
/// no host to write.
fn reference_in(
    state: &State,
    ri: Option<usize>,
    registry: &str,
    repository: &str,
    tag: Option<&str>,
    digest: Option<crate::model::Digest>,
) -> Result<(Reference, String), String> {
    let host = match ri.map(|i| &state.fleet.registries[i].target) {
        Some(Target::Distribution { host, .. }) => host.clone(),
        Some(Target::Layout { .. }) => {
            return Err(
                "the pull doctor walks registries; an OCI layout on disk is not pulled".into(),
            )
        }
        Some(other) => {
            let target = other.without_prefix();
            let r = Reference {
                registry: target.display_name(),
                target,
                repository: repository.to_string(),
                tag: tag.map(str::to_string),
                digest,
                short_digest: None,
            };
            return Ok((r.clone(), r.to_string()));
        }
        None => registry.to_string(),
    };
    let at = match (tag, &digest) {
        (Some(t), Some(d)) => format!(":{t}@{d}"),
        (Some(t), None) => format!(":{t}"),
        (None, Some(d)) => format!("@{d}"),
        (None, None) => String::new(),
    };
    let text = format!("{host}/{repository}{at}");
    let r = Reference::parse(&text).map_err(|e| e.to_string())?;
    Ok((r, text))
}

/// The reference a runtime would pull for the selected row: by its first tag (a missing
/// tag is a finding), else by digest.
pub fn selected_reference(state: &State) -> Result<(Reference, String, Option<usize>), String> {
    let row = state.images.selected().ok_or("select an image first")?;
    let table = state.images.table.as_ref().ok_or("select an image first")?;
    let ri = state.fleet.registry_index(&table.registry);
    let (tag, digest) = match row.first_tag() {
        Some(t) => (Some(t), None),
        None => (
            None,
            Some(crate::model::Digest::parse(row.digest_str()).map_err(|e| e.to_string())?),
        ),
    };
    let (r, text) = reference_in(state, ri, &table.registry, &table.repository, tag, digest)?;
    Ok((r, text, ri))
}

/// A reference typed without a registry (`web:v1`) is read in the registry being browsed
/// (the open repository's, else the tree's selection), as `P` on a row would; with none,
/// as runtimes read it (Docker Hub). `docker.io/…` always means Docker Hub.
fn typed_reference(
    state: &State,
    text: &str,
) -> Result<(Reference, String, Option<usize>), String> {
    let browsed = crate::app::views::plan::update::current_registry(state);
    match browsed {
        Some(ri) if !Reference::names_registry(text) => {
            // Parsed under a placeholder host only to split and check name, tag, digest.
            let p = Reference::parse(&format!("localhost/{}", text.trim()))
                .map_err(|e| e.to_string().replace("localhost/", ""))?;
            let name = state.fleet.registries[ri].name.clone();
            let digest = match &p.short_digest {
                Some(prefix) => Some(short_digest::prefix_in(state, ri, &p.repository, prefix)?),
                None => p.digest,
            };
            let (r, shown) = reference_in(
                state,
                Some(ri),
                &name,
                &p.repository,
                p.tag.as_deref(),
                digest,
            )?;
            Ok((r, shown, Some(ri)))
        }
        _ => {
            let mut r = Reference::parse(text).map_err(|e| e.to_string())?;
            let ri = state
                .fleet
                .registries
                .iter()
                .position(|n| n.target.display_name() == r.target.display_name());
            let Some(prefix) = r.short_digest.take() else {
                return Ok((r, text.to_string(), ri));
            };
            // Resolved among loaded rows only: a registry not browsed has none here.
            let ri = ri.ok_or_else(|| {
                format!(
                    "{prefix}: {} is not being browsed, so its digests are not loaded; type the full digest",
                    r.registry
                )
            })?;
            r.digest = Some(short_digest::prefix_in(state, ri, &r.repository, &prefix)?);
            let shown = r.to_string();
            Ok((r, shown, Some(ri)))
        }
    }
}

/// From an image row (Images or Detail pane).
pub fn open_from_row(state: &mut State) -> Vec<Effect> {
    match selected_reference(state) {
        Ok((r, text, ri)) => {
            let platform = state.images.platform.clone();
            start(state, r, text, platform, ri)
        }
        Err(e) => {
            state.flash(e, true);
            vec![]
        }
    }
}

/// `:doctor REF [--platform OS/ARCH[/VARIANT]]`.
pub fn command(state: &mut State, args: &str) -> Result<Vec<Effect>, String> {
    let mut words = args.split_whitespace();
    let mut reference = None;
    let mut platform = None;
    while let Some(w) = words.next() {
        match w {
            "--platform" => {
                let p = words.next().ok_or("--platform needs OS/ARCH[/VARIANT]")?;
                platform = Some(Platform::parse(p)?);
            }
            other if reference.is_none() => reference = Some(other.to_string()),
            other => return Err(format!(":doctor takes one reference, not also {other:?}")),
        }
    }
    let Some(text) = reference else {
        return Ok(open_from_row(state));
    };
    let (r, shown, ri) = typed_reference(state, &text)?;
    Ok(start(state, r, shown, platform, ri))
}

pub fn on_event(state: &mut State, ev: DoctorEvent) -> Vec<Effect> {
    let d = &mut state.doctor;
    match ev {
        // The final report repeats skipped steps; keep one entry per step name.
        DoctorEvent::Step { ticket, step }
            if ticket == d.ticket && !d.steps.iter().any(|s| s.name == step.name) =>
        {
            d.steps.push(step);
        }
        DoctorEvent::Done { ticket, report } if ticket == d.ticket => {
            d.running = false;
            d.steps = report.steps.clone();
            d.reference = Some(report.reference.clone());
            d.report = Some(report);
        }
        _ => {}
    }
    vec![]
}

pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let d = &mut state.doctor;
    match action {
        Action::Back => state.view = View::Explorer,
        Action::Down => d.scroll = d.scroll.saturating_add(1),
        Action::Up => d.scroll = d.scroll.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => d.scroll = d.scroll.saturating_add(10),
        Action::PageUp | Action::HalfPageUp => d.scroll = d.scroll.saturating_sub(10),
        Action::Top => d.scroll = 0,
        Action::Copy => {
            return match &d.report {
                Some(r) => vec![Effect::Copy(r.next_step.clone())],
                None => {
                    state.flash("the doctor is still running", true);
                    vec![]
                }
            }
        }
        _ => {}
    }
    vec![]
}
