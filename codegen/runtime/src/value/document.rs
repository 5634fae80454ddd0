//! Untyped values (`document` shapes).

/// An untyped JSON value, as carried by a `document` shape: `null`, a bool,
/// a number, a string, a list or a map of documents.
pub type Document = serde_json::Value;
