//! Waiters: call an operation until its result says a resource reached a
//! state (or never will), as the model's `waiters-2.json` defines.
//!
//! A waiter is a list of acceptors, each a test of one attempt's result (a
//! value in the output, the HTTP status, an error code) and the state it
//! means: [`AcceptorState::Success`], [`AcceptorState::Failure`] or
//! [`AcceptorState::Retry`]. After each attempt the first acceptor that
//! matches decides; when none does, an output means "try again" and an error
//! ends the wait ([`WaitError::OperationFailed`]).
//!
//! Between attempts the waiter sleeps (on the configuration's
//! [`AsyncSleep`]) a random time between the
//! waiter's minimum delay and `min(min_delay * 2^(n-1), max_delay)` before
//! retry `n` (the AWS SDKs' jittered backoff), never past the time left of
//! `max_wait`. The time a wait has taken is the sum of its sleeps and of its
//! calls, so a test sleep that returns at once still runs out of time
//! after the same number of attempts as a real one. The wait ends after the
//! waiter's maximum number of attempts or once `max_wait` is used up
//! ([`WaitError::TimedOut`]).

use std::error::Error as StdError;
use std::fmt;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{BuildError, ErrorMetadata, SdkError};
use crate::operation::{invoke_with_status, Operation, ServiceInfo};
use crate::retry::random_jitter;
use crate::sleep::{AsyncSleep, DefaultSleep};

/// What an acceptor that matches means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptorState {
    /// The wait is over: the resource is in the state waited for.
    Success,
    /// The wait is over: the resource will not reach the state.
    Failure,
    /// Not yet: try again after a delay.
    Retry,
}

/// One acceptor of a waiter, as the model defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acceptor {
    /// What a match means.
    pub state: AcceptorState,
    /// What it matches, as the model says (`path Table.TableStatus == "ACTIVE"`).
    pub description: &'static str,
}

/// A waiter's definition: its timing and acceptors.
#[derive(Clone, Copy, Debug)]
pub struct WaiterSpec {
    /// The waiter's name in the model.
    pub name: &'static str,
    /// The shortest wait between attempts (the model's `delay`).
    pub min_delay: Duration,
    /// The longest wait between attempts.
    pub max_delay: Duration,
    /// How many calls at most (the model's `maxAttempts`).
    pub max_attempts: u32,
    /// The acceptors, in the order they are tried.
    pub acceptors: &'static [Acceptor],
}

/// The longest wait between attempts when a model gives none (as the AWS
/// SDKs do).
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(120);

/// One attempt's result, as acceptors see it.
#[derive(Debug)]
pub struct Polled<'a, O> {
    /// The output, when the call succeeded.
    pub output: Option<&'a O>,
    /// The HTTP status of the response, when there was one.
    pub status: Option<u16>,
    /// The error code, when the call failed with an error response.
    pub error_code: Option<&'a str>,
    /// Whether the call failed (with a response or without).
    pub failed: bool,
}

/// A wait that ended in an acceptor's state.
pub struct Waited<O, E> {
    /// The acceptor that matched (index into the waiter's acceptors).
    pub acceptor: usize,
    /// What it matches.
    pub description: &'static str,
    /// Calls made, the last included.
    pub attempts: u32,
    /// The last call's result, which the acceptor matched.
    pub last: Result<O, SdkError<E>>,
}

impl<O: fmt::Debug, E: StdError + 'static> fmt::Debug for Waited<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waited")
            .field("acceptor", &self.acceptor)
            .field("description", &self.description)
            .field("attempts", &self.attempts)
            .field("last", &self.last)
            .finish()
    }
}

/// Why a wait did not succeed.
pub enum WaitError<O, E> {
    /// The input could not be built; nothing was sent.
    ConstructionFailure(BuildError),
    /// A failure acceptor matched: the resource will not reach the state.
    FailureState(Box<Waited<O, E>>),
    /// A call failed and no acceptor matched its error.
    OperationFailed {
        /// Calls made, the failed one included.
        attempts: u32,
        /// The error.
        error: SdkError<E>,
    },
    /// The waiter's maximum attempts or `max_wait` were used up.
    TimedOut {
        /// Calls made.
        attempts: u32,
        /// The time the wait took (its sleeps and its calls).
        waited: Duration,
        /// The last call's result.
        last: Box<Result<O, SdkError<E>>>,
    },
}

impl<O, E> WaitError<O, E> {
    /// The last call's result, when a call was made.
    pub fn last(&self) -> Option<&Result<O, SdkError<E>>> {
        match self {
            WaitError::FailureState(waited) => Some(&waited.last),
            WaitError::TimedOut { last, .. } => Some(&**last),
            WaitError::ConstructionFailure(_) | WaitError::OperationFailed { .. } => None,
        }
    }
}

impl<O, E: fmt::Display> fmt::Display for WaitError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::ConstructionFailure(error) => write!(f, "waiter not started: {error}"),
            WaitError::FailureState(waited) => write!(
                f,
                "the wait failed after {} attempts: acceptor {} matched ({})",
                waited.attempts, waited.acceptor, waited.description
            ),
            WaitError::OperationFailed { attempts, error } => {
                write!(f, "the wait failed after {attempts} attempts: {error}")
            }
            WaitError::TimedOut {
                attempts, waited, ..
            } => write!(
                f,
                "the wait timed out after {attempts} attempts and {:.1} s",
                waited.as_secs_f64()
            ),
        }
    }
}

impl<O: fmt::Debug, E: StdError + 'static> fmt::Debug for WaitError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::ConstructionFailure(error) => {
                f.debug_tuple("ConstructionFailure").field(error).finish()
            }
            WaitError::FailureState(waited) => f.debug_tuple("FailureState").field(waited).finish(),
            WaitError::OperationFailed { attempts, error } => f
                .debug_struct("OperationFailed")
                .field("attempts", attempts)
                .field("error", error)
                .finish(),
            WaitError::TimedOut {
                attempts,
                waited,
                last,
            } => f
                .debug_struct("TimedOut")
                .field("attempts", attempts)
                .field("waited", waited)
                .field("last", last)
                .finish(),
        }
    }
}

impl<O: fmt::Debug, E: StdError + 'static> StdError for WaitError<O, E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            WaitError::ConstructionFailure(error) => Some(error),
            WaitError::OperationFailed { error, .. } => Some(error),
            WaitError::FailureState(_) | WaitError::TimedOut { .. } => None,
        }
    }
}

/// The wait before retry `retry` (from 1): a random time between
/// `min_delay` and `min(min_delay * 2^(retry-1), max_delay)`; `jitter` is
/// in `0.0..1.0`.
pub fn delay(spec: &WaiterSpec, retry: u32, jitter: f64) -> Duration {
    let min = spec.min_delay;
    let max = spec.max_delay.max(min);
    let ceiling = min
        .checked_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        )
        .unwrap_or(max)
        .min(max);
    min + (ceiling - min).mul_f64(jitter.clamp(0.0, 1.0))
}

/// Calls `O` with `input` until an acceptor (`matcher` returns the index of
/// the first that matches) ends the wait, the waiter's attempts are used
/// up, or `max_wait` is.
pub async fn wait<O: Operation>(
    config: &Config,
    service: &ServiceInfo,
    input: Result<O::Input, BuildError>,
    spec: &WaiterSpec,
    matcher: fn(&Polled<'_, O::Output>) -> Option<usize>,
    max_wait: Duration,
) -> Result<Waited<O::Output, O::Error>, WaitError<O::Output, O::Error>> {
    let input = input.map_err(WaitError::ConstructionFailure)?;
    let default_sleep = DefaultSleep;
    let sleep: &dyn AsyncSleep = match config.sleep_impl() {
        Some(sleep) => sleep,
        None => &default_sleep,
    };
    let mut waited = Duration::ZERO;
    let mut attempts = 0;
    loop {
        let started = Instant::now();
        let result = invoke_with_status::<O>(config, service, &input).await;
        waited += started.elapsed();
        attempts += 1;
        let (last, matched) = match result {
            Ok((output, status)) => {
                let polled = Polled {
                    output: Some(&output),
                    status: Some(status),
                    error_code: None,
                    failed: false,
                };
                let matched = matcher(&polled);
                (Ok(output), matched)
            }
            Err(error) => {
                let meta = error.raw_response().and_then(ErrorMetadata::parsed);
                let polled = Polled {
                    output: None,
                    status: error.raw_response().map(|r| r.status().as_u16()),
                    error_code: meta.as_ref().and_then(|m| m.code()),
                    failed: true,
                };
                let matched = matcher(&polled);
                (Err(error), matched)
            }
        };
        let acceptor = matched.and_then(|i| spec.acceptors.get(i).map(|a| (i, a)));
        match acceptor {
            Some((index, acceptor)) if acceptor.state != AcceptorState::Retry => {
                let done = Waited {
                    acceptor: index,
                    description: acceptor.description,
                    attempts,
                    last,
                };
                return match acceptor.state {
                    AcceptorState::Success => Ok(done),
                    _ => Err(WaitError::FailureState(Box::new(done))),
                };
            }
            Some(_) => {}
            None => {
                if let Err(error) = last {
                    return Err(WaitError::OperationFailed { attempts, error });
                }
            }
        }
        let left = max_wait.saturating_sub(waited);
        if attempts >= spec.max_attempts || left.is_zero() {
            return Err(WaitError::TimedOut {
                attempts,
                waited,
                last: Box::new(last),
            });
        }
        let pause = delay(spec, attempts, random_jitter()).min(left);
        sleep.sleep(pause).await;
        waited += pause;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: WaiterSpec = WaiterSpec {
        name: "Test",
        min_delay: Duration::from_secs(20),
        max_delay: Duration::from_secs(120),
        max_attempts: 25,
        acceptors: &[],
    };

    #[test]
    fn delays_grow_from_the_minimum_and_stop_at_the_maximum() {
        assert_eq!(delay(&SPEC, 1, 0.0), Duration::from_secs(20));
        assert_eq!(delay(&SPEC, 1, 0.99), Duration::from_secs(20));
        assert_eq!(delay(&SPEC, 2, 1.0), Duration::from_secs(40));
        assert_eq!(delay(&SPEC, 3, 0.5), Duration::from_secs(50));
        assert_eq!(delay(&SPEC, 4, 1.0), Duration::from_secs(120));
        assert_eq!(delay(&SPEC, 40, 1.0), Duration::from_secs(120));
        assert_eq!(delay(&SPEC, 40, 0.0), Duration::from_secs(20));
    }

    #[test]
    fn a_minimum_above_the_maximum_wins() {
        let spec = WaiterSpec {
            min_delay: Duration::from_secs(300),
            ..SPEC
        };
        assert_eq!(delay(&spec, 3, 1.0), Duration::from_secs(300));
    }
}
