//! How ECR API failures become [`RegistryError`]s, and which of them are worth another try.
//!
//! Retries are ours, not the SDK's (its retry layer is disabled in `client`): throttling is
//! retried with capped exponential backoff and jitter; a transient server error a couple of
//! times; an operation the endpoint does not implement (an emulator answering 500 with an
//! HTML page, or "not yet implemented") is reported at once as unsupported, because
//! retrying it only makes the user wait.

use crate::registry::{CodeSuffix, Place, RegistryError};
use aws_sdk_ecr::config::http::HttpResponse;
use aws_sdk_ecr::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What kind of failure an API error is, decided from the status, the AWS error code and
/// the body's content type: nothing else is trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClass {
    Throttled,
    /// A 5xx with a proper AWS error document, or a connection that broke.
    Transient,
    /// The endpoint does not implement the operation.
    Unsupported,
    AccessDenied,
    NotFound,
    Other,
}

/// Classifies one failed call. `json_body` is whether the response carried an AWS JSON
/// error document (real ECR always does; an emulator's crash page does not).
pub fn classify(
    status: Option<u16>,
    code: Option<&str>,
    message: Option<&str>,
    json_body: bool,
) -> FailureClass {
    let code = code.unwrap_or("");
    let message = message.unwrap_or("").to_ascii_lowercase();
    if message.contains("not yet implemented")
        || message.contains("has not been implemented")
        || code == "UnknownOperationException"
        || code == "UnrecognizedClientException" && message.contains("operation")
        || matches!(status, Some(500 | 501)) && !json_body
        || status == Some(501)
    {
        return FailureClass::Unsupported;
    }
    match code {
        "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "Throttling"
        | "SlowDown" => return FailureClass::Throttled,
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
            return FailureClass::AccessDenied
        }
        c if c.ends_with("NotFoundException") => return FailureClass::NotFound,
        _ => {}
    }
    match status {
        Some(429) => FailureClass::Throttled,
        Some(403) => FailureClass::AccessDenied,
        Some(500 | 502..=504) => FailureClass::Transient,
        None => FailureClass::Transient,
        _ => FailureClass::Other,
    }
}

/// A failure the retry loop can look at.
pub trait Classify {
    fn class(&self) -> FailureClass;
}

impl<E: ProvideErrorMetadata> Classify for SdkError<E, HttpResponse> {
    fn class(&self) -> FailureClass {
        match self {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => FailureClass::Transient,
            SdkError::ConstructionFailure(_) => FailureClass::Other,
            _ => {
                let raw = self.raw_response();
                classify(
                    raw.map(|r| r.status().as_u16()),
                    self.code(),
                    self.message(),
                    raw.is_some_and(is_json),
                )
            }
        }
    }
}

fn is_json(r: &HttpResponse) -> bool {
    r.headers()
        .get("content-type")
        .is_some_and(|c| c.contains("json"))
}

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
    /// Full-jitter exponential backoff for the `n`th retry (0-based).
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
            return Err(err);
        }
        counters.retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(policy.delay(attempt - 1)).await;
    }
}

/// Turns an SDK error into the program's error, naming where it happened and, for an
/// access denial, the IAM permission that was missing (`ecr:<Operation>`).
pub fn to_registry_error<E>(
    err: &SdkError<E, HttpResponse>,
    place: Place,
    operation: &'static str,
) -> RegistryError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = err.code().map(str::to_string);
    let message = err.message().map(str::to_string);
    let status = err.raw_response().map(|r| r.status().as_u16());
    let said = message
        .as_deref()
        .map(|m| format!(": {}", m.chars().take(300).collect::<String>()))
        .unwrap_or_default();
    match err.class() {
        FailureClass::Unsupported => RegistryError::Unsupported {
            place,
            what: format!("{operation} is not supported by this endpoint"),
        },
        FailureClass::AccessDenied => RegistryError::Forbidden {
            place,
            code: CodeSuffix(code),
            detail: format!(
                ": missing permission {}{said}",
                missing_permission(message.as_deref(), operation)
            ),
        },
        FailureClass::NotFound => RegistryError::NotFound {
            place,
            code: CodeSuffix(code),
            detail: said,
        },
        FailureClass::Throttled => RegistryError::RateLimited {
            place,
            retry_after: None,
            detail: format!(": {operation} still throttled after retries{said}"),
        },
        _ => match err {
            SdkError::TimeoutError(_) => RegistryError::Timeout {
                place,
                after: Duration::ZERO,
                during: operation,
            },
            SdkError::DispatchFailure(d) => {
                let text = format!("{}", DisplayErrorContext(err));
                if d.is_io() || d.is_timeout() {
                    RegistryError::Unreachable {
                        place,
                        detail: text,
                    }
                } else if text.contains("credentials") {
                    RegistryError::Unauthorized {
                        place,
                        code: CodeSuffix(None),
                        detail: format!(
                            ": no usable AWS credentials (environment, profile, SSO, web identity, instance role): {text}"
                        ),
                    }
                } else {
                    RegistryError::Other {
                        place,
                        detail: format!("{operation}: {text}"),
                    }
                }
            }
            _ => match status {
                Some(401) => RegistryError::Unauthorized {
                    place,
                    code: CodeSuffix(code),
                    detail: said,
                },
                Some(s) => RegistryError::Http {
                    place,
                    status: s,
                    code: CodeSuffix(code),
                    detail: format!(" ({operation}){said}"),
                },
                None => RegistryError::Other {
                    place,
                    detail: format!("{operation}: {}", DisplayErrorContext(err)),
                },
            },
        },
    }
}

/// The permission an AccessDenied message names (`... not authorized to perform:
/// ecr:DescribeImages on resource ...`), else the one the operation needs.
pub fn missing_permission(message: Option<&str>, operation: &str) -> String {
    if let Some(m) = message {
        if let Some(i) = m.find("perform: ") {
            let rest = &m[i + "perform: ".len()..];
            let action: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
                .collect();
            if action.contains(':') {
                return action;
            }
        }
    }
    format!("ecr:{operation}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn classifies_what_ecr_and_emulators_send() {
        use FailureClass::*;
        let c = classify;
        assert_eq!(
            c(Some(400), Some("ThrottlingException"), None, true),
            Throttled
        );
        assert_eq!(c(Some(429), None, None, true), Throttled);
        assert_eq!(
            c(Some(400), Some("AccessDeniedException"), None, true),
            AccessDenied
        );
        assert_eq!(
            c(Some(400), Some("RepositoryNotFoundException"), None, true),
            NotFound
        );
        assert_eq!(c(Some(500), None, None, false), Unsupported, "HTML 500");
        assert_eq!(
            c(
                Some(500),
                Some("InternalFailure"),
                Some("The DescribeX action has not been implemented"),
                true
            ),
            Unsupported
        );
        assert_eq!(c(Some(500), Some("ServerException"), None, true), Transient);
        assert_eq!(c(Some(503), None, None, true), Transient);
        assert_eq!(
            c(Some(400), Some("InvalidParameterException"), None, true),
            Other
        );
    }

    #[test]
    fn names_the_missing_permission() {
        let m = "User: arn:aws:iam::1:user/x is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:...";
        assert_eq!(
            missing_permission(Some(m), "ListImages"),
            "ecr:DescribeImages"
        );
        assert_eq!(
            missing_permission(None, "GetLifecyclePolicy"),
            "ecr:GetLifecyclePolicy"
        );
    }

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
