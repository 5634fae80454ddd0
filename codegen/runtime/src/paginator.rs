//! Paginators: the pages of a paginated operation, one call per page.
//!
//! A generated operation with a paginator implements [`Paginated`]: it says
//! where the next page's token is in an output and where it goes in the next
//! input. [`PageStream`] sends the calls through [`invoke`] and stops
//!
//! - when an output has no token (absent or empty: an empty string, list or
//!   map), or its `more_results` flag is false (both decided by
//!   [`Paginated::next_token`]);
//! - after returning the page whose token equals the one just sent (a
//!   service that repeats a token would be asked for the same page forever);
//! - after an error, which it returns.
//!
//! A page with no items but a token is returned and pagination goes on, as
//! every AWS SDK does. [`ItemStream`] gives the items of the pages one by
//! one; [`BlockingPages`] and [`BlockingItems`] are the same as iterators,
//! for code without an async runtime.

use std::collections::VecDeque;
use std::fmt;

use crate::block_on::block_on;
use crate::config::Config;
use crate::error::{BuildError, SdkError};
use crate::operation::{invoke, Operation, ServiceInfo};

/// An operation whose outputs come in pages (a generated operation with a
/// paginator in its model).
pub trait Paginated: Operation {
    /// The tokens that name the next page (a tuple when there are several).
    type Token: Clone + PartialEq;

    /// The token of the page after `output`, or `None` when `output` is
    /// the last page (its tokens are absent or empty, or it says there are
    /// no more results).
    fn next_token(output: &Self::Output) -> Option<Self::Token>;

    /// Puts `token` into `input`, for the next page.
    fn set_token(input: &mut Self::Input, token: Self::Token);
}

enum State<I> {
    /// The next call's input (or why it could not be built).
    Next(Result<I, BuildError>),
    /// Nothing more to send.
    Done,
}

/// The pages of a paginated operation: call [`next`](Self::next) until it
/// returns `None`.
pub struct PageStream<O: Paginated> {
    config: Config,
    service: &'static ServiceInfo,
    state: State<O::Input>,
    sent: Option<O::Token>,
}

impl<O: Paginated> fmt::Debug for PageStream<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("operation", &O::NAME)
            .field("done", &matches!(self.state, State::Done))
            .finish_non_exhaustive()
    }
}

impl<O: Paginated> PageStream<O> {
    /// The pages of `O` from `input` on; an input that could not be built
    /// is the first (and only) item, as a construction failure.
    pub fn new(
        config: Config,
        service: &'static ServiceInfo,
        input: Result<O::Input, BuildError>,
    ) -> Self {
        Self {
            config,
            service,
            state: State::Next(input),
            sent: None,
        }
    }

    /// The next page, its error, or `None` after the last page or an error.
    pub async fn next(&mut self) -> Option<Result<O::Output, SdkError<O::Error>>> {
        let input = match std::mem::replace(&mut self.state, State::Done) {
            State::Done => return None,
            State::Next(Err(error)) => return Some(Err(SdkError::construction_failure(error))),
            State::Next(Ok(input)) => input,
        };
        let result = invoke::<O>(&self.config, self.service, &input).await;
        if let Ok(output) = &result {
            match O::next_token(output) {
                // The service sent back the token it was given: that page
                // is the last one asked for.
                Some(token) if self.sent.as_ref() == Some(&token) => {}
                Some(token) => {
                    let mut input = input;
                    O::set_token(&mut input, token.clone());
                    self.sent = Some(token);
                    self.state = State::Next(Ok(input));
                }
                None => {}
            }
        }
        Some(result)
    }

    /// The same pages as an [`Iterator`], each call waited for on this
    /// thread (see the generated `send_blocking`).
    pub fn blocking(self) -> BlockingPages<O> {
        BlockingPages(self)
    }
}

/// The pages of a paginated operation as an [`Iterator`]; each page is
/// fetched on this thread, without an async runtime.
#[derive(Debug)]
pub struct BlockingPages<O: Paginated>(PageStream<O>);

impl<O: Paginated> Iterator for BlockingPages<O> {
    type Item = Result<O::Output, SdkError<O::Error>>;

    fn next(&mut self) -> Option<Self::Item> {
        block_on(self.0.next())
    }
}

/// The items of every page, one by one: call [`next`](Self::next) until it
/// returns `None`. An error ends the items after being returned.
pub struct ItemStream<O: Paginated, T> {
    pages: PageStream<O>,
    items: fn(O::Output) -> Vec<T>,
    buffer: VecDeque<T>,
}

impl<O: Paginated, T> fmt::Debug for ItemStream<O, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<O: Paginated, T> ItemStream<O, T> {
    /// The items `items` takes out of each of `pages`.
    pub fn new(pages: PageStream<O>, items: fn(O::Output) -> Vec<T>) -> Self {
        Self {
            pages,
            items,
            buffer: VecDeque::new(),
        }
    }

    /// The next item, an error, or `None` after the last item.
    pub async fn next(&mut self) -> Option<Result<T, SdkError<O::Error>>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            match self.pages.next().await? {
                Ok(page) => self.buffer.extend((self.items)(page)),
                Err(error) => return Some(Err(error)),
            }
        }
    }

    /// The same items as an [`Iterator`], each page fetched on this thread.
    pub fn blocking(self) -> BlockingItems<O, T> {
        BlockingItems(self)
    }
}

/// The items of every page as an [`Iterator`]; each page is fetched on
/// this thread, without an async runtime.
#[derive(Debug)]
pub struct BlockingItems<O: Paginated, T>(ItemStream<O, T>);

impl<O: Paginated, T> Iterator for BlockingItems<O, T> {
    type Item = Result<T, SdkError<O::Error>>;

    fn next(&mut self) -> Option<Self::Item> {
        block_on(self.0.next())
    }
}
