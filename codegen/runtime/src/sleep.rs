//! Waiting between retries: the [`AsyncSleep`] seam and its default.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The future an [`AsyncSleep`] returns.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Waits for a while; [`operation::invoke`](crate::operation::invoke) sleeps
/// through one before each retry.
///
/// Set one with [`ConfigBuilder::sleep_impl`](crate::ConfigBuilder::sleep_impl)
/// to run retries on another executor's timer, or to not wait at all in
/// tests ([`testing::InstantSleep`](crate::testing::InstantSleep)).
pub trait AsyncSleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// A sleep shared between clones of a configuration.
#[derive(Clone, Debug)]
pub struct SharedAsyncSleep(Arc<dyn AsyncSleep>);

impl SharedAsyncSleep {
    /// Shares `sleep`.
    pub fn new(sleep: impl AsyncSleep + 'static) -> Self {
        Self(Arc::new(sleep))
    }
}

impl AsyncSleep for SharedAsyncSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.sleep(duration)
    }
}

/// The sleep used when none is configured.
///
/// With the `rt-tokio` feature, inside a tokio runtime (and not inside
/// [`block_on`](crate::block_on::block_on)), it is tokio's timer
/// (the runtime needs its time driver, which `#[tokio::main]` and
/// `Runtime::new` enable). Anywhere else, the future blocks the thread that
/// polls it ([`std::thread::sleep`]): right for
/// [`block_on`](crate::block_on::block_on) and the generated `send_blocking`,
/// wrong for an async executor, which should get an [`AsyncSleep`] of its own.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultSleep;

impl AsyncSleep for DefaultSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        #[cfg(feature = "rt-tokio")]
        if crate::executor::tokio_runtime().is_some() {
            return Box::pin(tokio::time::sleep(duration));
        }
        Box::pin(async move { std::thread::sleep(duration) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;
    use std::time::Instant;

    #[test]
    fn default_sleep_waits_outside_a_runtime() {
        let start = Instant::now();
        block_on(DefaultSleep.sleep(Duration::from_millis(20)));
        assert!(start.elapsed() >= Duration::from_millis(20));
    }

    #[cfg(feature = "rt-tokio")]
    #[test]
    fn default_sleep_uses_the_tokio_timer_inside_a_runtime() {
        use std::task::{Context, Poll, Waker};

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let _context = runtime.enter();
        // A timer's future is pending at first; a thread sleep would block,
        // then be ready.
        let mut sleep = DefaultSleep.sleep(Duration::from_millis(50));
        let poll = sleep.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        assert_eq!(poll, Poll::Pending);
        runtime.block_on(sleep);
    }
}
