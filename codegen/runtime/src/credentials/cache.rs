//! Keeping credentials until shortly before they expire, with one refresh at
//! a time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use super::{
    Credentials, CredentialsError, CredentialsFuture, ProvideCredentials, ProviderContext,
};

/// The least time before expiry at which cached credentials are refreshed.
pub const MIN_REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);
/// The most time before expiry at which cached credentials are refreshed.
pub const MAX_REFRESH_AHEAD: Duration = Duration::from_secs(15 * 60);

/// A number in `0.0..1.0` from std's randomly keyed hasher.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A provider's credentials, kept until shortly before they expire.
///
/// - Credentials without an expiry are kept for good (a failure is not
///   kept: the next call asks the provider again).
/// - Credentials with an expiry are refreshed ahead of it: each cache picks
///   a window between 5 and 15 minutes ([`MIN_REFRESH_AHEAD`],
///   [`MAX_REFRESH_AHEAD`]; random, so a fleet started together does not
///   refresh together), at most half the credentials' lifetime as it was
///   when they were fetched (credentials that live 15 minutes are refreshed
///   after 7.5), and the first call inside that window refreshes.
/// - One refresh runs at a time: a call that finds no usable credentials
///   while another call refreshes waits for that refresh and shares its
///   outcome, success or error; a call that finds still-valid credentials
///   while another refreshes returns them without waiting.
/// - A refresh that fails while the kept credentials are still valid
///   (before their expiry) returns the kept ones; the next call tries again.
/// - A refresh that is dropped half-way (its caller gave up) lets the next
///   caller refresh.
pub struct CredentialsCache {
    provider: Box<dyn ProvideCredentials>,
    state: Mutex<State>,
    ahead: Duration,
    clock: Clock,
}

#[derive(Default)]
struct State {
    /// The credentials and the time they were fetched.
    kept: Option<(Credentials, SystemTime)>,
    refreshing: bool,
    /// Counts finished refreshes, so waiters know theirs has finished.
    generation: u64,
    /// The error of the last refresh, if it failed, with its generation.
    last_error: Option<(u64, Arc<CredentialsError>)>,
    waiters: Vec<Waker>,
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsCache")
            .field("provider", &self.provider)
            .field("refresh_ahead", &self.ahead)
            .finish_non_exhaustive()
    }
}

impl CredentialsCache {
    /// Caches what `provider` provides.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        let span = MAX_REFRESH_AHEAD - MIN_REFRESH_AHEAD;
        let jitter = random_fraction();
        Self::with_window(provider, MIN_REFRESH_AHEAD + span.mul_f64(jitter))
    }

    /// Caches what `provider` provides, refreshing `ahead` before expiry
    /// (at most half the credentials' lifetime).
    pub fn with_window(provider: impl ProvideCredentials + 'static, ahead: Duration) -> Self {
        Self {
            provider: Box::new(provider),
            state: Mutex::default(),
            ahead,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// The window before expiry in which credentials are refreshed.
    pub fn refresh_ahead(&self) -> Duration {
        self.ahead
    }

    #[cfg(test)]
    pub(crate) fn with_clock(
        mut self,
        clock: impl Fn() -> SystemTime + Send + Sync + 'static,
    ) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `kept` is fresh (no refresh due), merely valid, or expired.
    fn judge(&self, credentials: &Credentials, fetched: SystemTime, now: SystemTime) -> Freshness {
        let Some(expiry) = credentials.expiry() else {
            return Freshness::Fresh;
        };
        if now >= expiry {
            return Freshness::Expired;
        }
        let lifetime = expiry.duration_since(fetched).unwrap_or_default();
        let ahead = self.ahead.min(lifetime / 2);
        if expiry.duration_since(now).unwrap_or_default() > ahead {
            Freshness::Fresh
        } else {
            Freshness::Valid
        }
    }

    async fn get(&self, cx: &ProviderContext) -> Result<Credentials, CredentialsError> {
        loop {
            let step = {
                let mut state = self.state();
                let now = (self.clock)();
                let kept = state
                    .kept
                    .as_ref()
                    .map(|(c, fetched)| (c.clone(), self.judge(c, *fetched, now)));
                match kept {
                    Some((credentials, Freshness::Fresh)) => return Ok(credentials),
                    Some((credentials, Freshness::Valid)) if state.refreshing => {
                        return Ok(credentials)
                    }
                    _ if state.refreshing => Step::Wait(state.generation),
                    _ => {
                        state.refreshing = true;
                        Step::Refresh
                    }
                }
            };
            match step {
                Step::Wait(generation) => {
                    if let Some(outcome) = (WaitRefresh {
                        cache: self,
                        generation,
                    })
                    .await
                    {
                        return outcome;
                    }
                }
                Step::Refresh => return self.refresh(cx).await,
            }
        }
    }

    async fn refresh(&self, cx: &ProviderContext) -> Result<Credentials, CredentialsError> {
        let guard = RefreshGuard { cache: self };
        let fetched = self.provider.provide_credentials(cx).await;
        let mut state = self.state();
        let now = (self.clock)();
        let outcome = match fetched {
            Ok(credentials) => {
                #[cfg(feature = "tracing")]
                tracing::debug!(
                    expiry = ?credentials.expiry().map(crate::value::DateTime::from),
                    "credentials refreshed"
                );
                state.kept = Some((credentials.clone(), now));
                state.last_error = None;
                Ok(credentials)
            }
            Err(error) => {
                #[cfg(feature = "tracing")]
                tracing::warn!("credentials refresh failed: {error}");
                let still_valid = state
                    .kept
                    .as_ref()
                    .filter(|(c, fetched)| self.judge(c, *fetched, now) != Freshness::Expired)
                    .map(|(c, _)| c.clone());
                let error = Arc::new(error);
                state.last_error = Some((state.generation + 1, Arc::clone(&error)));
                match still_valid {
                    Some(credentials) => Ok(credentials),
                    None => Err(CredentialsError::shared(error)),
                }
            }
        };
        drop(state);
        drop(guard);
        outcome
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Freshness {
    Fresh,
    Valid,
    Expired,
}

enum Step {
    Wait(u64),
    Refresh,
}

/// Ends a refresh, finished or dropped: the next generation, waiters woken.
struct RefreshGuard<'a> {
    cache: &'a CredentialsCache,
}

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.cache.state();
        state.refreshing = false;
        state.generation += 1;
        for waker in state.waiters.drain(..) {
            waker.wake();
        }
    }
}

/// Waits for the refresh of `generation` to end; then yields its error if
/// it failed and nothing usable is kept, or `None` to look again.
struct WaitRefresh<'a> {
    cache: &'a CredentialsCache,
    generation: u64,
}

impl Future for WaitRefresh<'_> {
    type Output = Option<Result<Credentials, CredentialsError>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.cache.state();
        if state.generation == self.generation {
            state.waiters.push(cx.waker().clone());
            return Poll::Pending;
        }
        let failed = match &state.last_error {
            Some((generation, error)) if *generation == self.generation + 1 => {
                Some(Arc::clone(error))
            }
            _ => None,
        };
        let now = (self.cache.clock)();
        let usable = state
            .kept
            .as_ref()
            .is_some_and(|(c, fetched)| self.cache.judge(c, *fetched, now) != Freshness::Expired);
        match failed {
            Some(error) if !usable => Poll::Ready(Some(Err(CredentialsError::shared(error)))),
            _ => Poll::Ready(None),
        }
    }
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(self.get(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ProvideNow;
    use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
    use std::sync::Barrier;
    use std::task::Wake;

    const HOUR: u64 = 3600;

    /// A clock that moves only when told, in whole seconds from a base.
    #[derive(Clone, Default)]
    struct TestClock(Arc<AtomicU64>);

    impl TestClock {
        fn base() -> SystemTime {
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
        }
        fn at(&self, secs: u64) {
            self.0.store(secs, Ordering::SeqCst);
        }
        fn now(&self) -> SystemTime {
            Self::base() + Duration::from_secs(self.0.load(Ordering::SeqCst))
        }
    }

    /// Hands out credentials that live `lifetime` seconds (of the test
    /// clock), counting fetches; fails the fetches listed in `fail`, and
    /// takes `delay` (of real time) per fetch.
    #[derive(Debug)]
    struct Counting {
        fetches: Arc<AtomicU32>,
        lifetime: Option<u64>,
        fail: Vec<u32>,
        delay: Duration,
        clock: Arc<AtomicU64>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self, _cx: &'a ProviderContext) -> CredentialsFuture<'a> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            std::thread::sleep(self.delay);
            if self.fail.contains(&n) {
                return super::super::ready(Err(CredentialsError::provider(
                    "test",
                    "the vault",
                    format!("fetch {n} fails"),
                )));
            }
            let now = TestClock(Arc::clone(&self.clock)).now();
            let expiry = self.lifetime.map(|secs| now + Duration::from_secs(secs));
            super::super::ready(Ok(Credentials::new(
                format!("AKID{n}"),
                "SECRET",
                Some("TOKEN".into()),
            )
            .with_expiry(expiry)))
        }
    }

    fn cache(
        lifetime: Option<u64>,
        fail: Vec<u32>,
        delay: Duration,
    ) -> (Arc<CredentialsCache>, TestClock, Arc<AtomicU32>) {
        let clock = TestClock::default();
        let fetches = Arc::new(AtomicU32::new(0));
        let provider = Counting {
            fetches: Arc::clone(&fetches),
            lifetime,
            fail,
            delay,
            clock: Arc::clone(&clock.0),
        };
        let c = clock.clone();
        let cache = CredentialsCache::with_window(provider, Duration::from_secs(10 * 60))
            .with_clock(move || c.now());
        (Arc::new(cache), clock, fetches)
    }

    fn id(cache: &CredentialsCache) -> String {
        cache.provide_now().unwrap().access_key_id().to_owned()
    }

    #[test]
    fn the_default_window_is_between_5_and_15_minutes() {
        for _ in 0..20 {
            let cache = CredentialsCache::new(Credentials::new("A", "S", None));
            let ahead = cache.refresh_ahead();
            assert!(
                (MIN_REFRESH_AHEAD..=MAX_REFRESH_AHEAD).contains(&ahead),
                "{ahead:?}"
            );
        }
    }

    #[test]
    fn credentials_without_expiry_are_kept_and_failures_are_not() {
        let (cache, clock, fetches) = cache(None, vec![1], Duration::ZERO);
        let err = cache.provide_now().unwrap_err();
        assert_eq!(
            err.to_string(),
            "test credentials from the vault: fetch 1 fails"
        );
        assert_eq!(err.provider_name(), Some("test"));
        assert_eq!(id(&cache), "AKID2");
        clock.at(1000 * HOUR);
        assert_eq!(id(&cache), "AKID2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn expiring_credentials_are_refreshed_ahead_of_expiry() {
        let (cache, clock, fetches) = cache(Some(HOUR), vec![], Duration::ZERO);
        assert_eq!(id(&cache), "AKID1");
        clock.at(HOUR - 11 * 60);
        assert_eq!(id(&cache), "AKID1", "outside the 10-minute window");
        clock.at(HOUR - 9 * 60);
        assert_eq!(id(&cache), "AKID2", "inside the window: refreshed");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        // The new credentials live an hour from their fetch.
        clock.at(2 * HOUR - 20 * 60);
        assert_eq!(id(&cache), "AKID2");
    }

    #[test]
    fn short_lived_credentials_are_refreshed_after_half_their_life() {
        // 10 minutes of life, a 10-minute window: refresh after 5.
        let (cache, clock, _) = cache(Some(600), vec![], Duration::ZERO);
        assert_eq!(id(&cache), "AKID1");
        clock.at(299);
        assert_eq!(id(&cache), "AKID1");
        clock.at(301);
        assert_eq!(id(&cache), "AKID2");
    }

    #[test]
    fn a_failed_refresh_keeps_still_valid_credentials() {
        let (cache, clock, fetches) = cache(Some(HOUR), vec![2, 3, 4], Duration::ZERO);
        assert_eq!(id(&cache), "AKID1");
        clock.at(HOUR - 60);
        assert_eq!(id(&cache), "AKID1", "refresh 2 failed; still valid");
        assert_eq!(id(&cache), "AKID1", "refresh 3 failed; still valid");
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
        clock.at(HOUR);
        let err = cache.provide_now().unwrap_err();
        assert!(err.to_string().contains("fetch 4 fails"), "{err}");
        assert_eq!(id(&cache), "AKID5");
    }

    #[test]
    fn concurrent_calls_share_one_refresh() {
        let (cache, _, fetches) = cache(Some(HOUR), vec![], Duration::from_millis(200));
        let barrier = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (cache, barrier) = (Arc::clone(&cache), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    id(&cache)
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), "AKID1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn concurrent_calls_share_a_failed_refresh() {
        let (cache, _, fetches) = cache(Some(HOUR), vec![1], Duration::from_millis(200));
        let barrier = Arc::new(Barrier::new(6));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (cache, barrier) = (Arc::clone(&cache), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    cache.provide_now().unwrap_err().to_string()
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().unwrap().contains("fetch 1 fails"));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    /// Pending on its first fetch, ready on the next.
    #[derive(Debug, Default)]
    struct StallsOnce(AtomicU32);

    impl ProvideCredentials for StallsOnce {
        fn provide_credentials<'a>(&'a self, _cx: &'a ProviderContext) -> CredentialsFuture<'a> {
            if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
                Box::pin(std::future::pending())
            } else {
                super::super::ready(Ok(Credentials::new("LATER", "S", None)))
            }
        }
    }

    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    #[test]
    fn a_dropped_refresh_lets_the_next_caller_refresh() {
        let cache = CredentialsCache::new(StallsOnce::default());
        let cx = ProviderContext::default();
        let waker = std::task::Waker::from(Arc::new(Noop));
        let mut first = cache.provide_credentials(&cx);
        assert!(first
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        drop(first);
        assert_eq!(cache.provide_now().unwrap().access_key_id(), "LATER");
    }

    #[test]
    fn debug_shows_no_secret() {
        let cache = CredentialsCache::new(Credentials::new(
            "AKID",
            "TOPSECRET",
            Some("TOKENVALUE".into()),
        ));
        cache.provide_now().unwrap();
        let shown = format!("{cache:?}");
        assert!(shown.contains("AKID"), "{shown}");
        assert!(
            !shown.contains("TOPSECRET") && !shown.contains("TOKENVALUE"),
            "{shown}"
        );
    }
}
