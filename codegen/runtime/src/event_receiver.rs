//! The events of an operation whose output is an event stream.
//!
//! An [`EventReceiver`] is the output member of such an operation: each
//! [`recv`](EventReceiver::recv) gives the next event of the stream's union,
//! `Ok(None)` at its end, or the error the stream carried (a modeled error
//! of the union, an unmodeled one, or bytes that do not decode). Like
//! [`ByteStream`](crate::value::ByteStream) outputs, the response body is
//! read whole before the call returns; the receiver decodes its messages one
//! by one as they are asked for.
//!
//! The core knows no wire format: the protocol layer supplies an
//! [`EventSource`] that reads messages and turns them into events.

use std::fmt;

use crate::error::SdkError;

/// Where an [`EventReceiver`]'s events come from: the protocol layer's
/// message decoder and the operation's event reader.
pub trait EventSource<T, E>: Send {
    /// The next event, `Ok(None)` at the end of the stream.
    fn next_event(&mut self) -> Result<Option<T>, SdkError<E>>;
}

/// The receiving end of an event stream: events of type `T` (the stream's
/// union), errors of type `E` (the union's error members and `Unhandled`).
pub struct EventReceiver<T, E> {
    source: Box<dyn EventSource<T, E>>,
    done: bool,
}

impl<T, E> EventReceiver<T, E> {
    /// A receiver reading from `source`.
    pub fn new(source: impl EventSource<T, E> + 'static) -> Self {
        EventReceiver {
            source: Box::new(source),
            done: false,
        }
    }

    /// A receiver of these events, then the end of the stream (for tests,
    /// and for outputs built by hand).
    pub fn from_events(events: Vec<T>) -> Self
    where
        T: Send + 'static,
        E: 'static,
    {
        struct Fixed<T>(std::vec::IntoIter<T>);
        impl<T: Send, E> EventSource<T, E> for Fixed<T> {
            fn next_event(&mut self) -> Result<Option<T>, SdkError<E>> {
                Ok(self.0.next())
            }
        }
        Self::new(Fixed(events.into_iter()))
    }

    /// The next event; `Ok(None)` at the end of the stream. After an error
    /// or the end, every call returns `Ok(None)`.
    pub async fn recv(&mut self) -> Result<Option<T>, SdkError<E>> {
        self.recv_blocking()
    }

    /// [`recv`](Self::recv) without an async runtime (the body is already
    /// read, so this never waits on the network).
    pub fn recv_blocking(&mut self) -> Result<Option<T>, SdkError<E>> {
        if self.done {
            return Ok(None);
        }
        let next = self.source.next_event();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next
    }

    /// Every event left, up to the end of the stream or the first error.
    pub fn collect_blocking(&mut self) -> Result<Vec<T>, SdkError<E>> {
        let mut events = Vec::new();
        while let Some(event) = self.recv_blocking()? {
            events.push(event);
        }
        Ok(events)
    }
}

/// A receiver of no events (what an output built by hand starts with).
impl<T: Send + 'static, E: 'static> Default for EventReceiver<T, E> {
    fn default() -> Self {
        Self::from_events(Vec::new())
    }
}

impl<T, E> fmt::Debug for EventReceiver<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventReceiver")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BuildError;

    struct Failing(u32);
    impl EventSource<u32, fmt::Error> for Failing {
        fn next_event(&mut self) -> Result<Option<u32>, SdkError<fmt::Error>> {
            self.0 += 1;
            if self.0 < 3 {
                Ok(Some(self.0))
            } else {
                Err(SdkError::construction_failure(BuildError::config("broken")))
            }
        }
    }

    #[test]
    fn events_then_end() {
        let mut receiver: EventReceiver<u32, fmt::Error> = EventReceiver::from_events(vec![1, 2]);
        assert_eq!(receiver.recv_blocking().unwrap(), Some(1));
        assert_eq!(crate::block_on::block_on(receiver.recv()).unwrap(), Some(2));
        assert_eq!(receiver.recv_blocking().unwrap(), None);
        assert_eq!(receiver.recv_blocking().unwrap(), None);
    }

    #[test]
    fn an_error_ends_the_stream() {
        let mut receiver = EventReceiver::new(Failing(0));
        assert!(format!("{receiver:?}").contains("EventReceiver"));
        assert!(receiver.collect_blocking().is_err());
        assert_eq!(receiver.recv_blocking().unwrap(), None);
    }
}
