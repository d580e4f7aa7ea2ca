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
    /// The credentials themselves were rejected (unknown key, bad signature, expired).
    Unauthenticated,
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
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "ExpiredTokenException"
        | "ExpiredToken"
        | "MissingAuthenticationTokenException"
        | "AuthFailure" => return FailureClass::Unauthenticated,
        c if c.ends_with("NotFoundException") => return FailureClass::NotFound,
        _ => {}
    }
    match status {
        Some(429) => FailureClass::Throttled,
        Some(401) => FailureClass::Unauthenticated,
        Some(403) => FailureClass::AccessDenied,
        Some(500 | 502..=504) => FailureClass::Transient,
        None => FailureClass::Transient,
        _ => FailureClass::Other,
    }
}

pub use super::retry::{with_retry, RawFailure, RetryCounters, RetryPolicy};

/// A failure the retry loop can look at.
pub trait Classify {
    fn class(&self) -> FailureClass;
    /// The status and error code as sent, for reports that show them raw.
    fn raw(&self) -> RawFailure {
        RawFailure::default()
    }
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
                    aws_code(self).as_deref(),
                    self.message(),
                    raw.is_some_and(is_json),
                )
            }
        }
    }
    fn raw(&self) -> RawFailure {
        RawFailure {
            http_status: self.raw_response().map(|r| r.status().as_u16()),
            code: aws_code(self),
        }
    }
}

/// The AWS error code: from the JSON error document the SDK parsed, else from an XML
/// `<Code>` in the body (IAM-style errors, as emulators enforcing IAM send them even to
/// JSON services).
pub fn aws_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    if let Some(c) = err.code() {
        return Some(c.to_string());
    }
    let body = err.raw_response()?.body().bytes()?;
    let text = std::str::from_utf8(body.get(..body.len().min(4096))?).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text[start..].find("</Code>")?;
    let code = text[start..start + len].trim();
    (!code.is_empty() && code.len() <= 100).then(|| code.to_string())
}

fn is_json(r: &HttpResponse) -> bool {
    r.headers()
        .get("content-type")
        .is_some_and(|c| c.contains("json"))
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
    let code = aws_code(err);
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
        FailureClass::Unauthenticated => RegistryError::Unauthorized {
            place,
            code: CodeSuffix(code),
            detail: format!(": AWS rejected the credentials ({operation}){said}"),
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
                during: operation.to_string(),
            },
            SdkError::DispatchFailure(d) => {
                let text = format!("{}", DisplayErrorContext(err));
                let lower = text.to_ascii_lowercase();
                if lower.contains("certificate") || lower.contains("tls handshake") {
                    RegistryError::Tls {
                        place,
                        detail: text,
                    }
                } else if d.is_io() || d.is_timeout() {
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
        assert_eq!(
            c(Some(403), Some("InvalidClientTokenId"), None, false),
            Unauthenticated
        );
        assert_eq!(
            c(Some(400), Some("ExpiredTokenException"), None, true),
            Unauthenticated
        );
        assert_eq!(
            c(Some(403), Some("AccessDenied"), None, false),
            AccessDenied
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
}
