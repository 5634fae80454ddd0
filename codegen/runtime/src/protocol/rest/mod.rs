//! The REST binding: members bound to the URI's path and query, to headers,
//! to the status code and to the body (the body itself is the codec's).

pub mod headers;
pub mod param;
pub mod uri;
