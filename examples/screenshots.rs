//! Renders the main TUI views from the program itself (a `TestBackend` buffer per view,
//! synthetic fleet, fixed clock) to SVG files in `assets/`. Regenerate with
//! `scripts/screenshots.sh`.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use regscope::app::inventory_event as ev;
use regscope::app::keymap::KeyChord;
use regscope::app::msg::Msg;
use regscope::app::state::State;
use regscope::app::tasks::detail::{
    DetailData, DetailResult, LayerLine, PlatformLine, ReferrerLine,
};
use regscope::app::tasks::inventory::convert;
use regscope::app::testing::{fixed_now, fleet_images};
use regscope::app::{ui, update::update};
use regscope::config::RegistrySettings;
use regscope::model::Digest;
use regscope::registry::Target;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

const W: u16 = 120;
const H: u16 = 34;

fn send(state: &mut State, msg: Msg) {
    let mut q = vec![msg];
    while let Some(m) = q.pop() {
        for e in update(state, m) {
            if let regscope::app::effect::Effect::ComputeView(req) = e {
                let latest = std::sync::atomic::AtomicU64::new(req.generation);
                if let Some(view) = regscope::app::tasks::filter::compute(&req, &latest) {
                    q.push(Msg::ViewReady {
                        generation: req.generation,
                        view,
                    });
                }
            }
        }
    }
}

fn keys(state: &mut State, keys: &str) {
    for k in keys.split(' ').filter(|k| !k.is_empty()) {
        let c = KeyChord::parse(k).unwrap();
        let mods = if c.ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::empty()
        };
        send(state, Msg::Key(KeyEvent::new(c.code, mods)));
    }
}

fn typed(state: &mut State, text: &str) {
    for ch in text.chars() {
        send(
            state,
            Msg::Key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::empty())),
        );
    }
}

fn fleet() -> State {
    let targets = [
        ("prod", "ghcr.io/acme", Some("red"), true),
        ("staging", "registry.staging.internal:5000", None, false),
    ]
    .iter()
    .map(|(name, addr, color, ro)| {
        let mut s = RegistrySettings::for_address(addr);
        s.name = name.to_string();
        s.color = color.map(str::to_string);
        s.read_only = *ro;
        (Target::parse(addr).unwrap(), s)
    })
    .collect();
    let mut st = State::new(targets, fixed_now());
    st.size = (W, H);
    let repos: &[(&str, &str, u64)] = &[
        ("prod", "payments/api", 420),
        ("prod", "payments/worker", 133),
        ("prod", "platform/base", 57),
        ("prod", "web/frontend", 980),
        ("staging", "payments/api", 1900),
        ("staging", "search/indexer", 260),
    ];
    for reg in ["prod", "staging"] {
        let names: Vec<&str> = repos.iter().filter(|r| r.0 == reg).map(|r| r.1).collect();
        send(&mut st, Msg::Inventory(convert(ev::listed(reg, &names))));
    }
    for (i, (reg, repo, n)) in repos.iter().enumerate() {
        let mut imgs = fleet_images(repo, *n);
        for (k, img) in imgs.iter_mut().enumerate() {
            img.pushed_at = img
                .created_at
                .map(|c| c + Duration::minutes(7 + (k as i64 % 50)));
            if let Some(s) = img.size_bytes.as_mut() {
                *s = *s / (i as u64 + 1) + 9_000_000;
            }
        }
        send(
            &mut st,
            Msg::Inventory(convert(ev::images(reg, repo, imgs))),
        );
    }
    send(
        &mut st,
        Msg::Inventory(convert(ev::progress("prod", 4, 4, 1_872))),
    );
    send(&mut st, Msg::Inventory(convert(ev::finished("prod", None))));
    send(
        &mut st,
        Msg::Inventory(convert(ev::refused(
            "registry.staging.internal:5000",
            "secret/vault",
            403,
            "DENIED",
        ))),
    );
    send(
        &mut st,
        Msg::Inventory(convert(ev::finished("staging", None))),
    );
    st
}

fn detail_for(st: &mut State) {
    let Some(regscope::app::effect::Effect::FetchDetail(req)) =
        regscope::app::views::detail::update::follow(st).pop()
    else {
        return;
    };
    let d = |s: &str| Digest::sha256_of(s.as_bytes());
    let data = DetailData {
        digest: req.digest.clone(),
        media_type: regscope::registry::media::OCI_INDEX.into(),
        manifest_bytes: b"{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.index.v1+json\"\n}".to_vec(),
        config_bytes: None,
        config_digest: None,
        layers: vec![
            LayerLine { digest: d("1"), size: 29_123_000, media_type: "gzip".into(), created_by: Some("ADD file:4b1be1de in / (debian:bookworm-slim)".into()), foreign_from: None },
            LayerLine { digest: d("2"), size: 11_400_000, media_type: "gzip".into(), created_by: Some("RUN apt-get install -y --no-install-recommends ca-certificates tzdata".into()), foreign_from: None },
            LayerLine { digest: d("3"), size: 48_000_000, media_type: "gzip".into(), created_by: Some("COPY --from=build /app /app".into()), foreign_from: None },
            LayerLine { digest: d("4"), size: 2_000, media_type: "gzip".into(), created_by: Some("COPY config.yaml /etc/app/".into()), foreign_from: None },
        ],
        platforms: vec![
            PlatformLine { platform: "linux/amd64".into(), digest: d("a"), size: Some(88_500_000), attestation: false },
            PlatformLine { platform: "linux/arm64/v8".into(), digest: d("b"), size: Some(84_100_000), attestation: false },
            PlatformLine { platform: "attestation".into(), digest: d("c"), size: None, attestation: true },
        ],
        referrers: Ok(vec![
            ReferrerLine { digest: d("s"), artifact_type: Some("application/vnd.dev.cosign.artifact.sig.v1+json".into()), label: "signature" },
            ReferrerLine { digest: d("b"), artifact_type: Some("application/spdx+json".into()), label: "SBOM" },
        ]),
        os_arch: None,
    };
    send(
        st,
        Msg::Detail(DetailResult {
            ticket: req.ticket,
            digest: req.digest,
            outcome: Ok(Arc::new(data)),
        }),
    );
}

fn hex(c: Color, default: &str) -> String {
    match c {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Reset => default.to_string(),
        Color::Black => "#000000".into(),
        Color::Red => "#cc3333".into(),
        Color::Green => "#33aa33".into(),
        Color::Yellow => "#ccaa00".into(),
        Color::Blue => "#3366cc".into(),
        Color::Magenta => "#aa33aa".into(),
        Color::Cyan => "#33aaaa".into(),
        Color::Gray => "#aaaaaa".into(),
        Color::DarkGray => "#666666".into(),
        Color::LightRed => "#ff6666".into(),
        Color::White => "#ffffff".into(),
        _ => default.to_string(),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One `<rect>` per background run and one `<text>` per cell; monospace grid.
pub fn to_svg(buf: &Buffer) -> String {
    let (cw, ch) = (8.4f32, 17.0f32);
    let (bg0, fg0) = ("#1a1b26", "#c0caf5");
    let w = buf.area.width as f32 * cw;
    let h = buf.area.height as f32 * ch;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14"><rect width="100%" height="100%" fill="{bg0}"/>"#
    );
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            let (mut fg, mut bg) = (hex(c.fg, fg0), hex(c.bg, bg0));
            if c.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            let (px, py) = (x as f32 * cw, y as f32 * ch);
            if bg != bg0 {
                let _ = write!(
                    out,
                    r#"<rect x="{px}" y="{py}" width="{cw}" height="{ch}" fill="{bg}"/>"#
                );
            }
            let sym = c.symbol();
            if sym.trim().is_empty() {
                continue;
            }
            let weight = if c.modifier.contains(Modifier::BOLD) {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<text x="{px}" y="{}" fill="{fg}"{weight}>{}</text>"#,
                py + ch - 4.0,
                esc(sym)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn shot(st: &mut State, name: &str, dir: &Path) {
    st.size = (W, H);
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    term.draw(|f| ui::draw(f, st)).unwrap();
    let path = dir.join(format!("{name}.svg"));
    std::fs::write(&path, to_svg(term.backend().buffer())).unwrap();
    println!("wrote {}", path.display());
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    std::fs::create_dir_all(&dir).unwrap();
    let mut st = fleet();
    keys(&mut st, "j j j j enter");
    keys(&mut st, "space j space");
    shot(&mut st, "explorer", &dir);
    keys(&mut st, "/");
    typed(&mut st, "v1.2");
    keys(&mut st, "enter");
    shot(&mut st, "filter", &dir);
    keys(&mut st, "esc");
    st.detail.open = true;
    st.focus = regscope::app::state::Pane::Detail;
    detail_for(&mut st);
    shot(&mut st, "detail", &dir);
    keys(&mut st, "l");
    shot(&mut st, "layers", &dir);
    keys(&mut st, "esc 2");
    shot(&mut st, "charts", &dir);
    keys(&mut st, "1 ?");
    shot(&mut st, "help", &dir);
    keys(&mut st, "esc e");
    shot(&mut st, "errors", &dir);
}
