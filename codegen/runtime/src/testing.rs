//! An in-memory transport for tests: canned responses, recorded requests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

use crate::http::{
    ConnectorError, ConnectorErrorKind, HttpClient, HttpFuture, HttpRequest, HttpResponse,
};

/// A transport that answers each request with the next queued response and
/// records the requests, so a test can check exactly what was sent.
///
/// Clones share the queue and the record.
///
/// ```
/// use sdk_runtime::testing::ReplayClient;
///
/// let client = ReplayClient::new();
/// client.push_response(200, r#"{"ok":true}"#);
/// assert_eq!(client.requests().len(), 0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReplayClient {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    responses: VecDeque<Result<HttpResponse, ConnectorError>>,
    requests: Vec<HttpRequest>,
}

impl ReplayClient {
    /// A client with nothing queued.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock left consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a response with `status` and `body`.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status code (100 to 999).
    pub fn push_response(&self, status: u16, body: impl Into<Bytes>) {
        let response = http::Response::builder()
            .status(status)
            .body(body.into())
            .expect("a status code and a body make a valid response");
        self.push(response);
    }

    /// Queues a complete response.
    pub fn push(&self, response: HttpResponse) {
        self.state().responses.push_back(Ok(response));
    }

    /// Queues a transport failure.
    pub fn push_failure(&self, error: ConnectorError) {
        self.state().responses.push_back(Err(error));
    }

    /// The requests sent so far, oldest first.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state().requests.clone()
    }

    /// The last request sent.
    pub fn last_request(&self) -> Option<HttpRequest> {
        self.state().requests.last().cloned()
    }
}

impl HttpClient for ReplayClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        let mut state = self.state();
        state.requests.push(request);
        let next = state.responses.pop_front().unwrap_or_else(|| {
            Err(ConnectorError::new(
                ConnectorErrorKind::Other,
                "ReplayClient has no response queued",
            ))
        });
        Box::pin(std::future::ready(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;

    #[test]
    fn replays_in_order_and_records() {
        let client = ReplayClient::new();
        client.push_response(200, "one");
        client.push_response(500, "two");
        let request = || {
            http::Request::builder()
                .uri("/x")
                .body(Bytes::new())
                .unwrap()
        };
        let first = block_on(client.send(request())).unwrap();
        let second = block_on(client.send(request())).unwrap();
        assert_eq!(first.body(), "one");
        assert_eq!(second.status(), 500);
        let third = block_on(client.send(request())).unwrap_err();
        assert_eq!(third.kind(), ConnectorErrorKind::Other);
        assert_eq!(client.requests().len(), 3);
    }
}
