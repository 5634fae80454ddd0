//! Which failed attempts are worth another, and how long to wait first:
//! AWS's *standard* retry mode.
//!
//! - At most [`ConfigBuilder::max_attempts`](crate::ConfigBuilder::max_attempts)
//!   attempts per call (default [`DEFAULT_MAX_ATTEMPTS`]; 1 turns retries off).
//! - Retried: throttling (HTTP 429 or a [throttling code](THROTTLING_CODES)),
//!   transient server errors (HTTP 500, 502, 503, 504 or a
//!   [transient code](TRANSIENT_CODES)) and transport failures of kind
//!   [`Io`](ConnectorErrorKind::Io) or [`Timeout`](ConnectorErrorKind::Timeout).
//!   Never any other client error (4xx), nor a response that could not be
//!   parsed.
//! - The rule for malformed responses: a connection that fails or ends
//!   before the response is complete (refused, reset, cut off mid-head or
//!   mid-body) is [`Io`](ConnectorErrorKind::Io), and retried; a reply that
//!   is complete enough to be judged and is not valid HTTP or breaks a
//!   size limit (garbage, a bad status line, header, length or chunk, too
//!   many headers, a head or body over the limit) is
//!   [`InvalidResponse`](ConnectorErrorKind::InvalidResponse), and is not,
//!   like a body the operation cannot parse: the peer did answer, and
//!   would answer the same way again.
//! - Before retry *n* (from 0), a wait drawn uniformly from
//!   `0..=min(100 ms * 2^n, 20 s)` ("full jitter").
//! - A [`RetryQuota`] shared by a configuration's clones: each retry spends
//!   tokens, each success returns some, so a service that is down is not
//!   hammered by every call's retries.
//! - A rejected signing time ([`CLOCK_SKEW_CODES`]) is not retried this way:
//!   the clock is corrected and the request signed again at once (see
//!   [`clock`](crate::clock)).

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use crate::error::ErrorMetadata;
use crate::transport::{ConnectorError, ConnectorErrorKind, HttpResponse};
use crate::value::{DateTime, TimestampFormat};

/// Attempts per call unless configured otherwise: the first and two retries.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// The cap on the wait before the first retry; it doubles for each retry after.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);

/// The cap on the wait before any retry.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Error codes that mean "slow down".
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of failures that may pass on their own, whatever the status.
pub const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// HTTP statuses of failures that may pass on their own.
pub const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Error codes that say the request's signing time is too far from the
/// service's clock.
pub const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
];

/// Error codes that say so only when their message is about time
/// (`Signature expired: ...`, `Signature not yet current: ...`).
pub const CLOCK_SKEW_CODES_IF_ABOUT_TIME: &[&str] = &[
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Why a failed attempt is retried; the kind decides its cost in the [`RetryQuota`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryKind {
    /// The service asked the client to slow down.
    Throttling,
    /// A server error or a broken connection.
    Transient,
    /// No response in time.
    Timeout,
}

/// What to do about an attempt's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Done: a success, or a failure that another attempt would not mend.
    Done,
    /// Worth another attempt, after a backoff, if attempts and quota allow.
    Retry(RetryKind),
    /// The signing time was rejected; the service's clock said this time
    /// (from the response's `Date` header).
    ClockSkew(SystemTime),
}

/// Decides what to do about one attempt's outcome.
///
/// `error` is what the operation's protocol read from an error response
/// (code and message); the classification itself knows no protocol. For an
/// error response without it, only the status counts.
pub fn classify(
    outcome: &Result<HttpResponse, ConnectorError>,
    error: Option<&ErrorMetadata>,
) -> Verdict {
    match outcome {
        Ok(response) => classify_response(response, error),
        Err(err) => match err.kind() {
            ConnectorErrorKind::Io => Verdict::Retry(RetryKind::Transient),
            ConnectorErrorKind::Timeout => Verdict::Retry(RetryKind::Timeout),
            _ => Verdict::Done,
        },
    }
}

fn classify_response(response: &HttpResponse, error: Option<&ErrorMetadata>) -> Verdict {
    let status = response.status().as_u16();
    if status < 400 {
        return Verdict::Done;
    }
    let code = error.and_then(ErrorMetadata::code).unwrap_or_default();
    let message = error.and_then(ErrorMetadata::message).unwrap_or_default();
    if is_clock_skew(code, message) {
        return match server_time(response) {
            Some(time) => Verdict::ClockSkew(time),
            None => Verdict::Done,
        };
    }
    if status == 429 || THROTTLING_CODES.contains(&code) {
        Verdict::Retry(RetryKind::Throttling)
    } else if TRANSIENT_STATUSES.contains(&status) || TRANSIENT_CODES.contains(&code) {
        Verdict::Retry(RetryKind::Transient)
    } else {
        Verdict::Done
    }
}

fn is_clock_skew(code: &str, message: &str) -> bool {
    if CLOCK_SKEW_CODES.contains(&code) {
        return true;
    }
    if !CLOCK_SKEW_CODES_IF_ABOUT_TIME.contains(&code) {
        return false;
    }
    let message = message.to_ascii_lowercase();
    ["expired", "not yet current", "too skewed", "clock"]
        .iter()
        .any(|hint| message.contains(hint))
}

/// The response's `Date` header, if it is a valid HTTP date.
fn server_time(response: &HttpResponse) -> Option<SystemTime> {
    let date = response.headers().get(http::header::DATE)?.to_str().ok()?;
    DateTime::parse(date.trim(), TimestampFormat::HttpDate)
        .ok()
        .and_then(|time| SystemTime::try_from(time).ok())
}

/// The wait before retry `retry` (0 for the first), for `jitter` in `0.0..=1.0`
/// (clamped to it; NaN counts as 0): `jitter * min(INITIAL_BACKOFF * 2^retry, MAX_BACKOFF)`.
///
/// ```
/// use std::time::Duration;
/// use sdk_runtime::retry::backoff;
///
/// assert_eq!(backoff(0, 1.0), Duration::from_millis(100));
/// assert_eq!(backoff(2, 0.5), Duration::from_millis(200));
/// assert_eq!(backoff(30, 1.0), Duration::from_secs(20));
/// ```
pub fn backoff(retry: u32, jitter: f64) -> Duration {
    let cap = INITIAL_BACKOFF
        .checked_mul(1 << retry.min(31))
        .map_or(MAX_BACKOFF, |cap| cap.min(MAX_BACKOFF));
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    cap.mul_f64(jitter)
}

/// A random number in `0.0..1.0` for [`backoff`]'s jitter: std's randomly
/// keyed hasher, keyed afresh on each call (no dependency for a coin toss).
pub fn random_jitter() -> f64 {
    let bits = RandomState::new().build_hasher().finish();
    // The top 53 bits: every value an f64 in 0..1 can hold at this spacing.
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The retry budget of a configuration and its clones ("retry quota" of the
/// standard retry mode): a retry spends [`RetryQuota::RETRY_COST`] tokens
/// ([`RetryQuota::TIMEOUT_COST`] after a timeout), and is not made when
/// the tokens are out; a call that succeeds gives back what its last retry
/// spent, or [`RetryQuota::SUCCESS_REWARD`] if it did not retry.
#[derive(Debug)]
pub struct RetryQuota {
    available: AtomicU32,
}

impl RetryQuota {
    /// The tokens a quota starts with, and the most it holds.
    pub const CAPACITY: u32 = 500;
    /// What a retry costs.
    pub const RETRY_COST: u32 = 5;
    /// What a retry after a timeout costs.
    pub const TIMEOUT_COST: u32 = 10;
    /// What a success at the first attempt gives back.
    pub const SUCCESS_REWARD: u32 = 1;

    /// A full quota.
    pub fn new() -> Self {
        Self {
            available: AtomicU32::new(Self::CAPACITY),
        }
    }

    /// The tokens left.
    pub fn available(&self) -> u32 {
        self.available.load(Ordering::Relaxed)
    }

    /// Takes what a retry of `kind` costs; `None` (and nothing taken) if the
    /// quota is short.
    pub fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = match kind {
            RetryKind::Timeout => Self::TIMEOUT_COST,
            _ => Self::RETRY_COST,
        };
        self.available
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(cost)
            })
            .ok()
            .map(|_| cost)
    }

    /// Gives back `tokens`, up to the capacity.
    pub fn release(&self, tokens: u32) {
        // The closure always returns Some, so the update cannot fail.
        let _ = self
            .available
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                Some(left.saturating_add(tokens).min(Self::CAPACITY))
            });
    }
}

impl Default for RetryQuota {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::response;

    /// Classifies an error response with the given metadata.
    fn error(status: u16, code: &str, message: &str) -> Verdict {
        let outcome = Ok(response(
            status,
            &[("Date", "Tue, 29 Apr 2014 18:30:38 GMT")],
            "",
        ));
        let meta = ErrorMetadata {
            code: Some(code.to_owned()),
            message: Some(message.to_owned()),
            request_id: None,
            status: Some(status),
        };
        classify(&outcome, Some(&meta))
    }

    #[test]
    fn responses_are_classified_by_status_and_code() {
        use RetryKind::*;
        let cases = [
            (200, "", Verdict::Done),
            (404, "ResourceNotFoundException", Verdict::Done),
            (400, "ValidationException", Verdict::Done),
            (403, "AccessDeniedException", Verdict::Done),
            (409, "VersionMismatch", Verdict::Done),
            (429, "", Verdict::Retry(Throttling)),
            (429, "ThrottlingException", Verdict::Retry(Throttling)),
            (400, "ThrottlingException", Verdict::Retry(Throttling)),
            (400, "Throttling", Verdict::Retry(Throttling)),
            (400, "TooManyRequestsException", Verdict::Retry(Throttling)),
            (503, "RequestLimitExceeded", Verdict::Retry(Throttling)),
            (500, "", Verdict::Retry(Transient)),
            (502, "", Verdict::Retry(Transient)),
            (
                503,
                "ServiceUnavailableException",
                Verdict::Retry(Transient),
            ),
            (504, "", Verdict::Retry(Transient)),
            (501, "", Verdict::Done),
            (400, "RequestTimeout", Verdict::Retry(Transient)),
        ];
        for (status, code, expected) in cases {
            let verdict = if code.is_empty() {
                classify(&Ok(response(status, &[], "")), None)
            } else {
                error(status, code, "m")
            };
            assert_eq!(verdict, expected, "{status} {code}");
        }
    }

    #[test]
    fn transport_failures_are_retried_unless_permanent() {
        let failure = |kind| Err(ConnectorError::new(kind, "x"));
        assert_eq!(
            classify(&failure(ConnectorErrorKind::Io), None),
            Verdict::Retry(RetryKind::Transient)
        );
        assert_eq!(
            classify(&failure(ConnectorErrorKind::Timeout), None),
            Verdict::Retry(RetryKind::Timeout)
        );
        assert_eq!(
            classify(&failure(ConnectorErrorKind::Other), None),
            Verdict::Done
        );
    }

    #[test]
    fn clock_skew_needs_a_time_code_or_message_and_a_date() {
        let at = SystemTime::try_from(DateTime::from_secs(1_398_796_238)).unwrap();
        let skewed = [
            (403, "RequestTimeTooSkewed", "too far"),
            (400, "RequestExpired", "expired"),
            (
                403,
                "InvalidSignatureException",
                "Signature expired: 20140429T183038Z is now earlier than 20140429T184000Z",
            ),
            (
                403,
                "InvalidSignatureException",
                "Signature not yet current: 20140429T190000Z is still later than ...",
            ),
            (403, "SignatureDoesNotMatch", "Signature expired: ..."),
        ];
        for (status, code, message) in skewed {
            assert_eq!(
                error(status, code, message),
                Verdict::ClockSkew(at),
                "{code}: {message}"
            );
        }
        // A wrong secret is not a clock problem.
        assert_eq!(
            error(
                403,
                "InvalidSignatureException",
                "The request signature we calculated does not match"
            ),
            Verdict::Done
        );
        // No usable Date: nothing to correct the clock with.
        for date in [None, Some("yesterday")] {
            let headers: Vec<_> = date.map(|d| ("Date", d)).into_iter().collect();
            let outcome = Ok(response(403, &headers, "{}"));
            let meta = ErrorMetadata {
                code: Some("RequestTimeTooSkewed".into()),
                ..ErrorMetadata::default()
            };
            assert_eq!(classify(&outcome, Some(&meta)), Verdict::Done, "{date:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_full_jitter() {
        let caps: Vec<Duration> = (0..10).map(|retry| backoff(retry, 1.0)).collect();
        let millis: Vec<u128> = caps.iter().map(Duration::as_millis).collect();
        assert_eq!(
            millis,
            [100, 200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000]
        );
        assert_eq!(backoff(u32::MAX, 1.0), MAX_BACKOFF);
        assert_eq!(backoff(3, 0.0), Duration::ZERO);
        assert_eq!(backoff(3, 0.25), Duration::from_millis(200));
        assert_eq!(backoff(3, 2.0), Duration::from_millis(800));
        assert_eq!(backoff(3, -1.0), Duration::ZERO);
        assert_eq!(backoff(3, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn jitter_is_in_range_and_varies() {
        let draws: Vec<f64> = (0..64).map(|_| random_jitter()).collect();
        assert!(draws.iter().all(|j| (0.0..1.0).contains(j)), "{draws:?}");
        let first = draws[0];
        assert!(draws.iter().any(|&j| j != first), "{draws:?}");
    }

    #[test]
    fn quota_spends_refuses_and_refills() {
        let quota = RetryQuota::new();
        assert_eq!(quota.acquire(RetryKind::Timeout), Some(10));
        assert_eq!(quota.acquire(RetryKind::Throttling), Some(5));
        assert_eq!(quota.available(), 485);
        while quota.acquire(RetryKind::Transient).is_some() {}
        assert_eq!(quota.available(), 0);
        assert_eq!(quota.acquire(RetryKind::Transient), None);
        quota.release(7);
        assert_eq!(quota.acquire(RetryKind::Timeout), None);
        assert_eq!(quota.acquire(RetryKind::Transient), Some(5));
        assert_eq!(quota.available(), 2);
        quota.release(10_000);
        assert_eq!(quota.available(), RetryQuota::CAPACITY);
    }
}
