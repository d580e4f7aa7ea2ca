//! The loop: terminal events, task results and a slow tick in; apply everything queued;
//! draw only when something changed, at most every ~16 ms. The terminal is restored on
//! every exit path, panics included (ratatui's init installs the hook).

use super::backend::Backend;
use super::config::AppConfig;
use super::msg::{InventoryUpdate, Msg};
use super::state::State;
use super::tasks::{Runner, TerminalOp};
use super::update::update;
use super::views::errors::state::ErrorEntry;
use super::{ui, RunOptions};
use crate::config::RegistrySettings;
use crate::registry::Target;
use chrono::Utc;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use futures::StreamExt;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const FRAME: Duration = Duration::from_millis(16);
const TICK: Duration = Duration::from_millis(200);
/// Without activity, redraw now and then so relative times stay true.
const IDLE_REDRAW_TICKS: u64 = 50;

pub fn run(targets: Vec<(Target, RegistrySettings)>, opts: RunOptions) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("regscope-io")
        .build()?;
    rt.block_on(run_async(targets, opts))
}

/// Builds the initial state from the config.
pub fn initial_state(targets: Vec<(Target, RegistrySettings)>, config: AppConfig) -> State {
    let mut state = State::new(targets, Utc::now());
    state.keymap = config.keymap;
    state.theme = config.theme;
    state.mouse = config.mouse;
    for p in config.problems {
        state.errors.push(ErrorEntry::plain(
            state.now,
            "config",
            &p,
            "fix the file; defaults apply meanwhile",
        ));
    }
    state
}

async fn run_async(
    targets: Vec<(Target, RegistrySettings)>,
    opts: RunOptions,
) -> anyhow::Result<()> {
    let backend: Arc<dyn Backend> = opts.backend;
    let mut state = initial_state(targets.clone(), opts.config);
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, &mut state, backend, targets).await;
    if state.mouse {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    }
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    state: &mut State,
    backend: Arc<dyn Backend>,
    targets: Vec<(Target, RegistrySettings)>,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut runner = Runner::new(backend, targets, tx);
    let size = terminal.size()?;
    state.size = (size.width, size.height);
    if state.mouse {
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    let started = Instant::now();
    terminal.draw(|f| ui::draw(f, state))?;
    tracing::info!(
        first_frame_ms = started.elapsed().as_secs_f64() * 1000.0,
        "first frame"
    );
    runner.start_crawls();

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    let mut ticks: u64 = 0;
    let mut dirty = false;
    let mut last_draw = Instant::now();
    let mut batch: Vec<Msg> = Vec::with_capacity(512);
    let (mut stored_tree_to_draw, mut stored_to_draw) = (false, false);
    loop {
        let next_frame = tokio::time::Instant::from_std(last_draw + FRAME);
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => batch.push(Msg::Key(k)),
                Some(Ok(Event::Mouse(m))) => batch.push(Msg::Mouse(m)),
                Some(Ok(Event::Resize(w, h))) => batch.push(Msg::Resize(w, h)),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            n = rx.recv_many(&mut batch, 512) => {
                if n == 0 {
                    return Ok(());
                }
            }
            _ = tick.tick() => {
                ticks += 1;
                if state.busy() || state.flash.is_some() || ticks.is_multiple_of(IDLE_REDRAW_TICKS) {
                    batch.push(Msg::Tick(Utc::now()));
                }
            }
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
        }
        while batch.len() < 4096 {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        for msg in batch.drain(..) {
            stored_tree_to_draw |= matches!(msg, Msg::Inventory(InventoryUpdate::Summaries { .. }));
            stored_to_draw |= matches!(msg, Msg::Inventory(InventoryUpdate::Cached { .. }));
            if let Msg::Osc52(seq) = &msg {
                let mut out = std::io::stdout();
                let _ = out.write_all(seq.as_bytes());
                let _ = out.flush();
                continue;
            }
            if let Msg::Resize(..) = msg {
                terminal.autoresize()?;
            }
            for effect in update(state, msg) {
                if let Some(TerminalOp::Mouse(on)) = runner.run(effect) {
                    if on {
                        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
                    } else {
                        crossterm::execute!(std::io::stdout(), DisableMouseCapture)?;
                    }
                }
            }
            dirty = true;
        }
        if state.quit {
            return Ok(());
        }
        if dirty && last_draw.elapsed() >= FRAME {
            terminal.draw(|f| ui::draw(f, state))?;
            last_draw = Instant::now();
            dirty = false;
            // An instant reopen's figures (docs/performance.md), counted from the start of
            // the loop: the tree from the store on screen, then every repository's rows.
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if std::mem::take(&mut stored_tree_to_draw) {
                tracing::info!(ms, "stored tree drawn");
            }
            if std::mem::take(&mut stored_to_draw) {
                tracing::info!(ms, "stored inventory drawn");
            }
        }
    }
}
