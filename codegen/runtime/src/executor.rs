//! Which executor the runtime's defaults may use on this thread: the
//! current tokio runtime, or none because the thread is blocking in
//! [`block_on`](crate::block_on::block_on).
//!
//! A thread inside `block_on` (a generated `send_blocking`, a blocking
//! paginator or waiter) cannot drive a tokio runtime that is current on it:
//! that runtime's driver runs on the same blocked thread, so a connection or
//! a timer registered with it would never complete. The defaults (the
//! transport, the sleep between attempts, a credential process) therefore
//! ask [`tokio_runtime`] rather than `tokio::runtime::Handle::try_current`.

use std::cell::Cell;

thread_local! {
    /// Whether this thread is inside `block_on`.
    static BLOCKING: Cell<bool> = const { Cell::new(false) };
}

/// Marks the thread as blocking until dropped (restoring what it was, so
/// nested `block_on` calls unwind correctly, panics included).
pub(crate) struct BlockingScope(bool);

impl BlockingScope {
    pub(crate) fn enter() -> Self {
        Self(
            BLOCKING
                .try_with(|flag| flag.replace(true))
                .unwrap_or(false),
        )
    }
}

impl Drop for BlockingScope {
    fn drop(&mut self) {
        let _ = BLOCKING.try_with(|flag| flag.set(self.0));
    }
}

/// The tokio runtime the defaults may use: the current one, unless the
/// thread is inside `block_on`.
#[cfg(feature = "rt-tokio")]
pub(crate) fn tokio_runtime() -> Option<tokio::runtime::Handle> {
    if BLOCKING.try_with(Cell::get).unwrap_or(false) {
        return None;
    }
    tokio::runtime::Handle::try_current().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_marks_the_thread_and_restores_it() {
        let flag = || BLOCKING.with(Cell::get);
        assert!(!flag());
        {
            let _outer = BlockingScope::enter();
            assert!(flag());
            {
                let _inner = BlockingScope::enter();
                assert!(flag());
            }
            assert!(flag(), "an inner scope restores the outer one's mark");
        }
        assert!(!flag());
    }

    #[cfg(feature = "rt-tokio")]
    #[test]
    fn inside_block_on_the_current_runtime_is_not_used() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let _guard = runtime.enter();
        assert!(tokio_runtime().is_some());
        assert!(crate::block_on::block_on(async {
            tokio_runtime().is_none()
        }));
        assert!(tokio_runtime().is_some());
    }
}
