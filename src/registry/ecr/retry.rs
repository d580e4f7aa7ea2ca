//! The retry loop every ECR call goes through: throttling retried with capped equal-jitter
//! backoff, transient failures a couple of times, everything else (unsupported, denied,
//! not found) returned at once. See `error.rs` for how failures are classified.

use super::error::{Classify, FailureClass};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How hard to try again. Tests shrink the delays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all for a throttled call.
    pub throttle_attempts: u32,
    /// Attempts in all for a transient server or network failure.
    pub transient_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            throttle_attempts: 8,
            transient_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Equal-jitter exponential backoff for the `n`th retry (0-based).
    pub fn delay(&self, n: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(n.min(16)).unwrap_or(u32::MAX));
        let cap = exp.min(self.max_delay);
        // Half fixed, half random: keeps the order of magnitude while spreading the herd.
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Counters shared by every call of one client.
#[derive(Debug, Default)]
pub struct RetryCounters {
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    pub errors: AtomicU64,
    /// What the last call that failed for good answered, raw (the doctor reports it).
    pub last_failure: std::sync::Mutex<Option<RawFailure>>,
}

/// A failed call as the wire said it: HTTP status and AWS error code, when there were any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawFailure {
    pub http_status: Option<u16>,
    pub code: Option<String>,
}

/// Runs `op` until it succeeds, fails for good, or runs out of attempts.
pub async fn with_retry<T, E, F, Fut>(
    policy: &RetryPolicy,
    counters: &RetryCounters,
    mut op: F,
) -> Result<T, E>
where
    E: Classify,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 0u32;
    if let Ok(mut last) = counters.last_failure.lock() {
        *last = None;
    }
    loop {
        let err = match op().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let class = err.class();
        let allowed = match class {
            FailureClass::Throttled => {
                counters.throttled.fetch_add(1, Ordering::Relaxed);
                policy.throttle_attempts
            }
            FailureClass::Transient => policy.transient_attempts,
            _ => 1,
        };
        attempt += 1;
        if attempt >= allowed {
            counters.errors.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut last) = counters.last_failure.lock() {
                *last = Some(err.raw());
            }
            return Err(err);
        }
        counters.retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(policy.delay(attempt - 1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    struct Fake(FailureClass);
    impl Classify for Fake {
        fn class(&self) -> FailureClass {
            self.0
        }
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            throttle_attempts: 5,
            transient_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
        }
    }

    async fn run(script: Vec<FailureClass>) -> (Result<u32, FailureClass>, u32, RetryCounters) {
        let calls = AtomicU32::new(0);
        let counters = RetryCounters::default();
        let r = with_retry(&quick(), &counters, || {
            let n = calls.fetch_add(1, Ordering::SeqCst) as usize;
            let step = script.get(n).copied();
            async move {
                match step {
                    Some(class) => Err(Fake(class)),
                    None => Ok(n as u32),
                }
            }
        })
        .await
        .map_err(|f| f.0);
        (r, calls.load(Ordering::SeqCst), counters)
    }

    #[tokio::test]
    async fn throttling_is_retried_until_it_clears() {
        let (r, calls, c) = run(vec![FailureClass::Throttled; 3]).await;
        assert_eq!(r, Ok(3));
        assert_eq!(calls, 4);
        assert_eq!(c.throttled.load(Ordering::Relaxed), 3);
        assert_eq!(c.retries.load(Ordering::Relaxed), 3);
    }

    #[tokio::test]
    async fn throttling_gives_up_after_the_budget() {
        let (r, calls, c) = run(vec![FailureClass::Throttled; 10]).await;
        assert_eq!(r, Err(FailureClass::Throttled));
        assert_eq!(calls, 5);
        assert_eq!(c.errors.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn unsupported_and_denied_fail_at_once() {
        for class in [
            FailureClass::Unsupported,
            FailureClass::AccessDenied,
            FailureClass::NotFound,
        ] {
            let (r, calls, c) = run(vec![class; 10]).await;
            assert_eq!(r, Err(class));
            assert_eq!(calls, 1, "{class:?} must not be retried");
            assert_eq!(c.retries.load(Ordering::Relaxed), 0);
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for n in 0..20 {
            let d = p.delay(n);
            assert!(d <= p.max_delay, "{n}: {d:?}");
        }
        assert!(p.delay(0) <= p.base_delay);
        assert!(p.delay(3) >= p.base_delay * 4);
    }
}
