//! How many requests one registry gets at once, adapted while regscope runs (AIMD).
//!
//! Across a network the crawl is bound by round trips, and requests in flight are the lever;
//! but a registry that is already busy only answers slower (or with 429) when pushed
//! harder. So the limit starts where the fixed limit used to be and:
//! - grows by [`GROW_STEP`] after each window of answers (one window is as many answers as
//!   the limit, about one round trip) in which the limit was reached and the median
//!   latency stayed within [`LATENCY_RISE`] of the baseline;
//! - halves on a 429, a 503/504, a `Retry-After` or a timeout;
//! - drops to three quarters when a window's median latency rose above [`LATENCY_RISE`]
//!   times the baseline plus [`LATENCY_SLACK`] (the registry queues: more in flight only
//!   adds waiting);
//! - never leaves 1 ..= the configured ceiling.
//!
//! The baseline is the lowest window median seen in the last [`BASELINE_WINDOWS`] windows,
//! so a path that became slower for good becomes the new normal instead of shrinking the
//! limit forever. Answers to requests sent before the last change do not decide again: a
//! burst of 429s sent under the old limit halves it once, not once per answer.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Requests in flight when a registry is first used (the old fixed default).
pub const START: usize = 16;
/// Added to the limit after a window of flat latency that used the whole limit.
pub const GROW_STEP: usize = 4;
/// A window whose median latency exceeds this many times the baseline means "queueing".
pub const LATENCY_RISE: f64 = 1.5;
/// Latency rises only by more than this on top of [`LATENCY_RISE`]: on loopback or a LAN
/// the baseline is a millisecond or two, and scheduling noise on a busy machine alone would
/// read as 1.5x and shrink the limit for nothing.
pub const LATENCY_SLACK: Duration = Duration::from_millis(10);
/// How many windows the lowest median stays the baseline.
pub const BASELINE_WINDOWS: u32 = 32;
/// Fewest answers that make a window, so a limit of 1 still needs a few samples.
const MIN_WINDOW: usize = 4;

/// What one answer says about the registry's load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// An answer (any status but the ones below): its latency counts.
    Answered,
    /// 429, 503, 504, a `Retry-After`, or a timeout: slow down now.
    Throttled,
}

/// The limiter's figures, for `--verbose` and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Concurrency {
    /// The limit now.
    pub limit: usize,
    /// The highest and lowest limit this run.
    pub peak: usize,
    pub lowest: usize,
    pub ceiling: usize,
    /// How often the limit grew, and shrank (throttled, or latency rose).
    pub increases: u64,
    pub decreases_throttled: u64,
    pub decreases_latency: u64,
}

/// The AIMD decisions alone, with time passed in, so they can be tested without a clock.
#[derive(Debug)]
pub struct Aimd {
    limit: usize,
    ceiling: usize,
    /// Bumped on every change; answers to requests sent under another epoch do not decide.
    epoch: u64,
    window: Vec<Duration>,
    /// The limit was reached during this window (growth needs demand, not just quiet).
    saturated: bool,
    baseline: Option<Duration>,
    baseline_age: u32,
    figures: Concurrency,
}

impl Aimd {
    pub fn new(start: usize, ceiling: usize) -> Aimd {
        let ceiling = ceiling.max(1);
        let limit = start.clamp(1, ceiling);
        Aimd {
            limit,
            ceiling,
            epoch: 0,
            window: Vec::new(),
            saturated: false,
            baseline: None,
            baseline_age: 0,
            figures: Concurrency {
                limit,
                peak: limit,
                lowest: limit,
                ceiling,
                ..Concurrency::default()
            },
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    pub fn figures(&self) -> Concurrency {
        self.figures
    }

    /// A request was let through with `in_flight` requests now out (itself included).
    pub fn started(&mut self, in_flight: usize) {
        if in_flight >= self.limit {
            self.saturated = true;
        }
    }

    /// An answer to a request sent under `epoch`, `latency` after it was sent. Returns the
    /// new limit when it changed.
    pub fn answered(&mut self, epoch: u64, latency: Duration, signal: Signal) -> Option<usize> {
        if epoch != self.epoch {
            return None;
        }
        if signal == Signal::Throttled {
            let changed = self.set(self.limit / 2);
            self.figures.decreases_throttled += u64::from(changed.is_some());
            return changed;
        }
        self.window.push(latency);
        if self.window.len() < self.limit.max(MIN_WINDOW) {
            return None;
        }
        self.window.sort_unstable();
        let median = self.window[self.window.len() / 2];
        let saturated = self.saturated;
        self.window.clear();
        self.saturated = false;
        let baseline = match self.baseline {
            Some(b) if median <= b || self.baseline_age >= BASELINE_WINDOWS => {
                self.baseline_age = 0;
                median
            }
            Some(b) => {
                self.baseline_age += 1;
                b
            }
            None => median,
        };
        self.baseline = Some(baseline);
        if median.as_secs_f64()
            > baseline.as_secs_f64() * LATENCY_RISE + LATENCY_SLACK.as_secs_f64()
        {
            let changed = self.set(self.limit * 3 / 4);
            self.figures.decreases_latency += u64::from(changed.is_some());
            return changed;
        }
        if saturated {
            let changed = self.set(self.limit + GROW_STEP);
            self.figures.increases += u64::from(changed.is_some());
            return changed;
        }
        None
    }

    fn set(&mut self, limit: usize) -> Option<usize> {
        let limit = limit.clamp(1, self.ceiling);
        self.window.clear();
        self.saturated = false;
        if limit == self.limit {
            return None;
        }
        self.limit = limit;
        self.epoch += 1;
        let f = &mut self.figures;
        f.limit = limit;
        f.peak = f.peak.max(limit);
        f.lowest = f.lowest.min(limit);
        Some(limit)
    }
}

/// The per-registry gate every request passes ([`super::transport::Transport`]): a fair
/// (FIFO) semaphore whose size follows [`Aimd`].
#[derive(Debug)]
pub struct Limiter {
    permits: Arc<Semaphore>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    aimd: Aimd,
    in_flight: usize,
    /// Permits to retire as they come back, after a decrease larger than the free ones.
    debt: usize,
}

/// Leave to send one request; dropping it lets the next one go.
#[derive(Debug)]
pub struct Permit {
    permit: Option<OwnedSemaphorePermit>,
    limiter: Arc<Limiter>,
    epoch: u64,
    sent: Instant,
}

impl Limiter {
    pub fn new(start: usize, ceiling: usize) -> Arc<Limiter> {
        let aimd = Aimd::new(start, ceiling);
        Arc::new(Limiter {
            permits: Arc::new(Semaphore::new(aimd.limit())),
            state: Mutex::new(State {
                aimd,
                in_flight: 0,
                debt: 0,
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn figures(&self) -> Concurrency {
        self.state().aimd.figures()
    }

    /// Waits for room under the current limit.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let mut s = self.state();
        s.in_flight += 1;
        let n = s.in_flight;
        s.aimd.started(n);
        Permit {
            permit: Some(permit),
            limiter: self.clone(),
            epoch: s.aimd.epoch(),
            sent: Instant::now(),
        }
    }

    /// What the answer to `permit`'s request said; resizes the semaphore on a change.
    pub fn answered(&self, permit: &Permit, signal: Signal) {
        let mut s = self.state();
        let old = s.aimd.limit();
        let Some(new) = s.aimd.answered(permit.epoch, permit.sent.elapsed(), signal) else {
            return;
        };
        if new > old {
            let mut grow = new - old;
            let paid = grow.min(s.debt);
            s.debt -= paid;
            grow -= paid;
            self.permits.add_permits(grow);
        } else {
            for _ in 0..old - new {
                match self.permits.try_acquire() {
                    Ok(p) => p.forget(),
                    Err(_) => s.debt += 1,
                }
            }
        }
        tracing::debug!(from = old, to = new, ?signal, "requests in flight adapted");
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.limiter.state();
        s.in_flight = s.in_flight.saturating_sub(1);
        if s.debt > 0 {
            s.debt -= 1;
            if let Some(p) = self.permit.take() {
                p.forget();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Feeds one full window of answers at `latency`, the limit reached.
    fn window(a: &mut Aimd, latency: Duration) -> Option<usize> {
        a.started(a.limit());
        let epoch = a.epoch();
        let mut changed = None;
        for _ in 0..a.limit().max(MIN_WINDOW) {
            changed = changed.or(a.answered(epoch, latency, Signal::Answered));
        }
        changed
    }

    #[test]
    fn flat_latency_under_full_use_grows_additively_up_to_the_ceiling() {
        let mut a = Aimd::new(16, 64);
        let mut seen = vec![a.limit()];
        for _ in 0..20 {
            window(&mut a, 50 * MS);
            seen.push(a.limit());
        }
        assert_eq!(&seen[..4], &[16, 20, 24, 28]);
        assert_eq!(a.limit(), 64, "stops at the ceiling: {seen:?}");
        assert_eq!(a.figures().increases, 12);
        assert_eq!(a.figures().peak, 64);
    }

    #[test]
    fn no_growth_without_demand() {
        let mut a = Aimd::new(16, 64);
        let epoch = a.epoch();
        a.started(3);
        for _ in 0..100 {
            assert_eq!(a.answered(epoch, 50 * MS, Signal::Answered), None);
        }
        assert_eq!(a.limit(), 16);
    }

    #[test]
    fn throttling_halves_once_per_burst() {
        let mut a = Aimd::new(16, 64);
        window(&mut a, 10 * MS);
        assert_eq!(a.limit(), 20);
        let sent_under_20 = a.epoch();
        assert_eq!(
            a.answered(sent_under_20, 10 * MS, Signal::Throttled),
            Some(10)
        );
        // The rest of the burst was sent under 20: it does not halve again.
        for _ in 0..19 {
            assert_eq!(a.answered(sent_under_20, 10 * MS, Signal::Throttled), None);
        }
        assert_eq!(a.limit(), 10);
        for want in [5, 2, 1, 1] {
            a.answered(a.epoch(), MS, Signal::Throttled);
            assert_eq!(a.limit(), want);
        }
        assert_eq!(a.figures().decreases_throttled, 4, "1 cannot shrink");
        assert_eq!(a.figures().lowest, 1);
    }

    #[test]
    fn rising_latency_backs_off_by_a_quarter() {
        let mut a = Aimd::new(16, 64);
        window(&mut a, 40 * MS); // baseline 40 ms, grows to 20
        window(&mut a, 65 * MS); // within 1.5x + 10 ms: still flat, grows to 24
        assert_eq!(a.limit(), 24);
        assert_eq!(window(&mut a, 80 * MS), Some(18), "2x the baseline");
        assert_eq!(a.figures().decreases_latency, 1);
        assert_eq!(a.figures().decreases_throttled, 0);
    }

    #[test]
    fn a_slower_path_becomes_the_new_baseline() {
        let mut a = Aimd::new(16, 16);
        window(&mut a, 10 * MS);
        // The path got slower for good: a few decreases, then it is the norm again.
        let mut decreases = 0;
        for _ in 0..(BASELINE_WINDOWS + 4) {
            if window(&mut a, 30 * MS).is_some() {
                decreases += 1;
            }
        }
        assert!(decreases >= 1);
        let before = a.figures().decreases_latency;
        for _ in 0..10 {
            window(&mut a, 30 * MS);
        }
        assert_eq!(a.figures().decreases_latency, before, "30 ms is normal now");
    }

    #[tokio::test]
    async fn the_semaphore_follows_the_limit_and_retires_held_permits() {
        let l = Limiter::new(4, 8);
        let held: Vec<Permit> = futures::future::join_all((0..4).map(|_| l.acquire())).await;
        assert_eq!(l.permits.available_permits(), 0);
        // A throttled answer halves the limit while all four are out: two are retired as
        // they come back.
        l.answered(&held[0], Signal::Throttled);
        assert_eq!(l.figures().limit, 2);
        drop(held);
        assert_eq!(l.permits.available_permits(), 2);
        let a = l.acquire().await;
        let _b = l.acquire().await;
        assert!(l.permits.try_acquire().is_err());
        // Growth pays debt first, then adds permits.
        for _ in 0..MIN_WINDOW {
            l.answered(&a, Signal::Answered);
        }
        assert_eq!(l.figures().limit, 6);
        assert_eq!(l.permits.available_permits(), 4);
    }
}
