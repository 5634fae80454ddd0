//! The clock requests are signed with: this machine's, corrected by what the
//! service said its time was.
//!
//! Devices often have wrong clocks, and AWS rejects a request signed more
//! than a few minutes away from its own time (`RequestTimeTooSkewed`,
//! `Signature expired`). When that happens, [`operation::invoke`] takes the
//! service's time from the response's `Date` header, stores the difference in
//! the configuration's [`ClockOffset`] and signs again; every later request
//! made with that configuration (or a clone) is signed with the corrected
//! time from its first attempt.
//!
//! One response must not be able to break a client for good, so:
//!
//! - an offset is learned only from an error that says the signing time was
//!   rejected (see [`retry`](crate::retry)) and carries a valid `Date`;
//! - a service time more than [`MAX_OFFSET`] (24 hours) from the local
//!   clock is not believed: a clock that far off is not skew to correct but
//!   a broken clock (and TLS certificate checks, which use the local clock,
//!   fail long before), while a `Date` that far off is what a broken proxy
//!   or a captive portal sends. The offset is left as it was and the call
//!   returns the service's error;
//! - a corrected time that cannot be signed (before 1970, after 9999) is
//!   never used: the local clock is;
//! - a wrong offset mends itself: requests signed with it are rejected as
//!   skewed, and the next such response teaches the right one.
//!
//! [`operation::invoke`]: crate::operation::invoke

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::value::DateTime;

/// The largest offset a response can teach, either way.
pub const MAX_OFFSET: Duration = Duration::from_secs(24 * 60 * 60);

/// The last second SigV4 can sign: 9999-12-31T23:59:59Z.
const LAST_SIGNABLE: Duration = Duration::from_secs(253_402_300_799);

/// How far the service's clock is ahead of this machine's, in milliseconds
/// (negative: behind). Clones share one value.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use sdk_runtime::clock::ClockOffset;
///
/// let offset = ClockOffset::default();
/// let local = SystemTime::now();
/// assert!(offset.learn(local + Duration::from_secs(3600), local));
/// assert_eq!(offset.millis(), 3_600_000);
/// assert!(offset.now() > SystemTime::now() + Duration::from_secs(3599));
///
/// // A service time years away is not believed.
/// let year = Duration::from_secs(365 * 86_400);
/// assert!(!offset.learn(local - 100 * year, local));
/// assert_eq!(offset.millis(), 3_600_000);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClockOffset(Arc<AtomicI64>);

impl ClockOffset {
    /// The offset, in milliseconds: service time minus local time.
    pub fn millis(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Sets the offset, e.g. to one a device remembered from an earlier run.
    /// It is not bounded by [`MAX_OFFSET`] (the caller knows best), but
    /// [`now`](Self::now) still never returns a time that cannot be signed.
    pub fn set_millis(&self, millis: i64) {
        self.0.store(millis, Ordering::Relaxed);
    }

    /// Records that the service's time was `service` when the local clock
    /// said `local`, and says whether it did: a service time more than
    /// [`MAX_OFFSET`] away is not believed, and the offset stays as it was.
    #[must_use = "an implausible service time is not learned"]
    pub fn learn(&self, service: SystemTime, local: SystemTime) -> bool {
        let millis = |time: SystemTime| {
            let time = DateTime::from(time);
            i128::from(time.secs()) * 1000 + i128::from(time.subsec_nanos() / 1_000_000)
        };
        let offset = millis(service) - millis(local);
        if offset.unsigned_abs() > MAX_OFFSET.as_millis() {
            return false;
        }
        // Within ±MAX_OFFSET, far inside i64.
        self.set_millis(offset as i64);
        true
    }

    /// The corrected time: the local clock plus the offset. If that would be
    /// a time SigV4 cannot sign (before 1970 or after 9999), or beyond what
    /// `SystemTime` holds, the local clock alone.
    pub fn now(&self) -> SystemTime {
        self.corrected(SystemTime::now())
    }

    fn corrected(&self, local: SystemTime) -> SystemTime {
        let millis = self.millis();
        let shift = Duration::from_millis(millis.unsigned_abs());
        let corrected = if millis >= 0 {
            local.checked_add(shift)
        } else {
            local.checked_sub(shift)
        };
        corrected
            .filter(|time| {
                time.duration_since(UNIX_EPOCH)
                    .is_ok_and(|since| since <= LAST_SIGNABLE)
            })
            .unwrap_or(local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_offsets_both_ways_and_clones_share_them() {
        let offset = ClockOffset::default();
        let clone = offset.clone();
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert!(offset.learn(local - Duration::from_millis(90_500), local));
        assert_eq!(clone.millis(), -90_500);
        let before = SystemTime::now();
        let corrected = clone.now();
        assert!(corrected <= before - Duration::from_secs(90));
        assert!(corrected >= before - Duration::from_secs(91));
        assert!(offset.learn(local, local));
        assert_eq!(clone.millis(), 0);
    }

    #[test]
    fn before_the_epoch_and_extreme_offsets() {
        let offset = ClockOffset::default();
        assert!(offset.learn(
            SystemTime::UNIX_EPOCH - Duration::from_millis(1500),
            SystemTime::UNIX_EPOCH + Duration::from_millis(500),
        ));
        assert_eq!(offset.millis(), -2000);
        // Offsets set by hand that no clock can sign with leave the local clock.
        for millis in [i64::MAX, i64::MIN] {
            offset.set_millis(millis);
            let before = SystemTime::now();
            let now = offset.now();
            assert!(before <= now && now <= SystemTime::now(), "{millis}");
        }
    }

    #[test]
    fn implausible_service_times_are_not_learned() {
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let offset = ClockOffset::default();
        assert!(offset.learn(local + Duration::from_secs(600), local));
        let year_1900 = SystemTime::UNIX_EPOCH - Duration::from_secs(2_208_988_800);
        let year_9999 = SystemTime::UNIX_EPOCH + Duration::from_secs(253_370_764_800);
        let just_over = MAX_OFFSET + Duration::from_millis(1);
        for service in [year_1900, year_9999, local + just_over, local - just_over] {
            assert!(!offset.learn(service, local), "{service:?}");
            assert_eq!(offset.millis(), 600_000, "unchanged");
        }
        assert!(offset.learn(local - MAX_OFFSET, local));
        assert_eq!(offset.millis(), -86_400_000);
    }

    #[test]
    fn corrected_times_stay_signable() {
        let offset = ClockOffset::default();
        offset.set_millis(-10_000);
        // A local clock 5 s after the epoch: 10 s back would be before 1970.
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(5);
        assert_eq!(offset.corrected(local), local);
        offset.set_millis(10_000);
        assert_eq!(offset.corrected(local), local + Duration::from_secs(10));
        let last = SystemTime::UNIX_EPOCH + LAST_SIGNABLE;
        assert_eq!(offset.corrected(last), last);
    }
}
