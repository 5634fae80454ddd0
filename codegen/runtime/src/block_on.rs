//! A minimal executor: runs one future to completion on the current thread.
//!
//! Enough for tests and for driving a transport whose futures block or are
//! ready at once; it is not a general-purpose async runtime.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    /// This thread's waker, made once: a call then costs no allocation.
    static WAKER: Waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
}

/// Polls `future` on this thread, parking between wake-ups, and returns its output.
///
/// Called where a tokio runtime is current (a `send_blocking` inside
/// `#[tokio::main]`), it still completes: the call then goes through the
/// blocking transport and sleeps on this thread, blocking that runtime's
/// worker meanwhile (use `send().await` there).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let _blocking = crate::executor::BlockingScope::enter();
    let mut future = pin!(future);
    // During the thread's teardown the thread-local may be gone already.
    let waker = WAKER
        .try_with(Waker::clone)
        .unwrap_or_else(|_| Waker::from(Arc::new(ThreadWaker(thread::current()))));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn returns_ready_output() {
        assert_eq!(block_on(async { 40 + 2 }), 42);
    }

    /// A future that is woken from another thread must still complete.
    #[test]
    fn wakes_from_another_thread() {
        struct Flag(Arc<AtomicBool>, bool);
        impl Future for Flag {
            type Output = &'static str;
            fn poll(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<Self::Output> {
                if self.0.load(Ordering::SeqCst) {
                    return Poll::Ready("done");
                }
                if !self.1 {
                    self.1 = true;
                    let flag = Arc::clone(&self.0);
                    let waker = cx.waker().clone();
                    thread::spawn(move || {
                        thread::sleep(Duration::from_millis(10));
                        flag.store(true, Ordering::SeqCst);
                        waker.wake();
                    });
                }
                Poll::Pending
            }
        }
        assert_eq!(
            block_on(Flag(Arc::new(AtomicBool::new(false)), false)),
            "done"
        );
    }
}
