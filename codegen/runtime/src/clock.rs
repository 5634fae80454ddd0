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
//! [`operation::invoke`]: crate::operation::invoke

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::value::DateTime;

/// How far the service's clock is ahead of this machine's, in milliseconds
/// (negative: behind). Clones share one value.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use sdk_runtime::clock::ClockOffset;
///
/// let offset = ClockOffset::default();
/// let local = SystemTime::now();
/// offset.learn(local + Duration::from_secs(3600), local);
/// assert_eq!(offset.millis(), 3_600_000);
/// assert!(offset.now() > SystemTime::now() + Duration::from_secs(3599));
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClockOffset(Arc<AtomicI64>);

impl ClockOffset {
    /// The offset, in milliseconds: service time minus local time.
    pub fn millis(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Sets the offset, e.g. to one a device remembered from an earlier run.
    pub fn set_millis(&self, millis: i64) {
        self.0.store(millis, Ordering::Relaxed);
    }

    /// Records that the service's time was `service` when the local clock said `local`.
    pub fn learn(&self, service: SystemTime, local: SystemTime) {
        let millis = |time: SystemTime| {
            let time = DateTime::from(time);
            i128::from(time.secs()) * 1000 + i128::from(time.subsec_nanos() / 1_000_000)
        };
        let offset = (millis(service) - millis(local)).clamp(i64::MIN.into(), i64::MAX.into());
        // Clamped to the range of i64 just above.
        self.set_millis(offset as i64);
    }

    /// The corrected time: the local clock plus the offset. An offset that
    /// would leave the range of `SystemTime` is ignored.
    pub fn now(&self) -> SystemTime {
        let local = SystemTime::now();
        let millis = self.millis();
        let shift = Duration::from_millis(millis.unsigned_abs());
        let corrected = if millis >= 0 {
            local.checked_add(shift)
        } else {
            local.checked_sub(shift)
        };
        corrected.unwrap_or(local)
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
        offset.learn(local - Duration::from_millis(90_500), local);
        assert_eq!(clone.millis(), -90_500);
        let before = SystemTime::now();
        let corrected = clone.now();
        assert!(corrected <= before - Duration::from_secs(90));
        assert!(corrected >= before - Duration::from_secs(91));
        offset.learn(local, local);
        assert_eq!(clone.millis(), 0);
    }

    #[test]
    fn before_the_epoch_and_extreme_offsets() {
        let offset = ClockOffset::default();
        offset.learn(
            SystemTime::UNIX_EPOCH - Duration::from_millis(1500),
            SystemTime::UNIX_EPOCH + Duration::from_millis(500),
        );
        assert_eq!(offset.millis(), -2000);
        offset.set_millis(i64::MAX);
        assert!(offset.now() > SystemTime::now());
        offset.set_millis(i64::MIN);
        assert!(offset.now() < SystemTime::now());
    }
}
