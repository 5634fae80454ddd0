//! Load: serde types that mirror the AWS JSON service-model format.
//!
//! These types say what the file says and nothing more: names stay strings,
//! references stay unresolved, keys the generator does not use yet are
//! ignored. [`crate::resolve`] turns them into the checked IR.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Error;

/// A whole service model (`service-2.json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub metadata: Metadata,
    #[serde(default)]
    pub documentation: Option<String>,
    #[serde(default)]
    pub operations: BTreeMap<String, Operation>,
    #[serde(default)]
    pub shapes: BTreeMap<String, Shape>,
    /// Endpoint parameters a client sets for every call (`ForcePathStyle`).
    #[serde(default)]
    pub client_context_params: BTreeMap<String, ClientContextParam>,
}

/// One entry of `clientContextParams`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientContextParam {
    /// `string` or `boolean`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub documentation: Option<String>,
}

/// One entry of an operation's `staticContextParams`.
#[derive(Debug, Deserialize)]
pub struct StaticContextParam {
    pub value: serde_json::Value,
}

/// One entry of an operation's `operationContextParams`: a JMESPath
/// expression over the input.
#[derive(Debug, Deserialize)]
pub struct OperationContextParam {
    pub path: String,
}

/// A member's `contextParam`: the endpoint parameter it binds.
#[derive(Debug, Deserialize)]
pub struct ContextParam {
    pub name: String,
}

/// The model's `metadata`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: String,
    #[serde(default)]
    pub endpoint_prefix: Option<String>,
    pub protocol: String,
    #[serde(default)]
    pub protocols: Vec<String>,
    #[serde(default)]
    pub service_full_name: Option<String>,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default)]
    pub signing_name: Option<String>,
    #[serde(default)]
    pub uid: Option<String>,
    /// `1.0` or `1.1` (awsJson).
    #[serde(default)]
    pub json_version: Option<String>,
    /// The prefix of `X-Amz-Target` (awsJson).
    #[serde(default)]
    pub target_prefix: Option<String>,
    /// Present (an empty object) when the service answers errors with the
    /// codes of its former awsQuery protocol (`x-amzn-query-error`).
    #[serde(default)]
    pub aws_query_compatible: Option<serde_json::Value>,
}

/// One entry of `operations`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    #[serde(default)]
    pub name: Option<String>,
    /// The HTTP binding; RPC protocols may leave it out.
    #[serde(default)]
    pub http: Option<Http>,
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    #[serde(default)]
    pub documentation: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub endpoint: Option<Endpoint>,
    #[serde(default)]
    pub http_checksum_required: bool,
    #[serde(default)]
    pub http_checksum: Option<HttpChecksum>,
    /// Endpoint parameters the operation fixes.
    #[serde(default)]
    pub static_context_params: BTreeMap<String, StaticContextParam>,
    /// Endpoint parameters taken from the input by JMESPath paths.
    #[serde(default)]
    pub operation_context_params: BTreeMap<String, OperationContextParam>,
    /// botocore's `authtype` (`none`: unsigned, `v4`, `bearer`, ...).
    #[serde(default)]
    pub authtype: Option<String>,
    /// The auth schemes the operation accepts, in order (`smithy.api#noAuth`).
    #[serde(default)]
    pub auth: Vec<String>,
}

/// An operation's `endpoint` trait.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    #[serde(default)]
    pub host_prefix: Option<String>,
}

/// An operation's `httpChecksum` trait.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpChecksum {
    #[serde(default)]
    pub request_checksum_required: bool,
}

/// An operation's HTTP binding.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub request_uri: Option<String>,
    #[serde(default)]
    pub response_code: Option<u16>,
}

/// A reference to a shape, as operations and members hold it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    pub shape: String,
    #[serde(default)]
    pub documentation: Option<String>,
    /// The element name of a list's or map's items, keys or values (XML,
    /// query).
    #[serde(default)]
    pub location_name: Option<String>,
    /// EC2 query: the key of a list's items (rarely set on list members).
    #[serde(default)]
    pub query_name: Option<String>,
    /// awsQuery: the element of an operation's output that wraps its
    /// members (`GetCallerIdentityResult`).
    #[serde(default)]
    pub result_wrapper: Option<String>,
    /// REST: the member bound to the body, set on an operation's input or
    /// output reference rather than on the shape (botocore merges a
    /// reference's serialization traits into its shape's).
    #[serde(default)]
    pub payload: Option<String>,
    /// XML: the namespace declared on the element (rest-xml requests).
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
}

/// An `xmlNamespace` trait: a URI, or a URI and a prefix.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum XmlNamespace {
    Uri(String),
    Prefixed {
        #[serde(default)]
        prefix: Option<String>,
        uri: String,
    },
}

/// One entry of `shapes`. Which keys apply depends on `type`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub type_name: String,
    #[serde(default)]
    pub documentation: Option<String>,
    // structure
    #[serde(default)]
    pub members: OrderedMap<Member>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub payload: Option<String>,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub fault: bool,
    #[serde(default)]
    pub error: Option<ErrorTrait>,
    #[serde(default)]
    pub union: bool,
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub eventstream: bool,
    /// The value is a secret (a token, a key): never shown by `Debug`.
    #[serde(default)]
    pub sensitive: bool,
    // blob
    #[serde(default)]
    pub streaming: bool,
    // timestamp
    #[serde(default)]
    pub timestamp_format: Option<String>,
    // string
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    // list
    #[serde(default)]
    pub member: Option<ShapeRef>,
    // map
    #[serde(default)]
    pub key: Option<ShapeRef>,
    #[serde(default)]
    pub value: Option<ShapeRef>,
    #[serde(default)]
    pub deprecated: bool,
    // list, map (XML, query): items without a wrapping element
    #[serde(default)]
    pub flattened: bool,
    /// XML: the namespace declared on the shape's elements.
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    /// Serialization traits a shape may carry for the members that target
    /// it (a member's own win), as botocore merges them.
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub location_name: Option<String>,
}

/// A structure's `error` trait.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorTrait {
    #[serde(default)]
    pub http_status_code: Option<u16>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub sender_fault: bool,
}

/// A structure member.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub shape: String,
    #[serde(default)]
    pub documentation: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub location_name: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub timestamp_format: Option<String>,
    #[serde(default)]
    pub jsonvalue: bool,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub host_label: bool,
    /// The endpoint parameter the member's value binds (input members).
    #[serde(default)]
    pub context_param: Option<ContextParam>,
    /// EC2 query: the member's request key.
    #[serde(default)]
    pub query_name: Option<String>,
    /// XML, query: a list or map member without a wrapping element.
    #[serde(default)]
    pub flattened: bool,
    /// XML: the member is an attribute of its structure's element.
    #[serde(default)]
    pub xml_attribute: bool,
    /// XML: the namespace declared on the member's element.
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    /// A member of an event structure carried in a message header.
    #[serde(default)]
    pub eventheader: bool,
    /// The member of an event structure that is the message's payload.
    #[serde(default)]
    pub eventpayload: bool,
}

/// A JSON object's entries in file order.
///
/// Member order is part of the model (it decides the order of fields in the
/// generated structs), so members are kept as a list, not a sorted map.
#[derive(Debug)]
pub struct OrderedMap<T>(pub Vec<(String, T)>);

impl<T> Default for OrderedMap<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OrderedMap<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for EntriesVisitor<T> {
            type Value = OrderedMap<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, T)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, T>()? {
                    if entries.iter().any(|(existing, _)| *existing == key) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate member `{key}`"
                        )));
                    }
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

/// Parses a model from its JSON text; `path` names the file in errors.
pub fn parse(path: &str, text: &str) -> Result<Model, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let model: Model = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let at = e.path().to_string();
        Error::load(path, at, e.into_inner())
    })?;
    deserializer
        .end()
        .map_err(|e| Error::load(path, String::new(), e))?;
    Ok(model)
}

/// A service's paginators (`paginators-1.json`).
#[derive(Debug, Default, Deserialize)]
pub struct Paginators {
    /// By operation name.
    #[serde(default)]
    pub pagination: BTreeMap<String, Paginator>,
}

/// One string or a list of them (`"NextToken"` or `["A", "B"]`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings, in order.
    pub fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(one) => vec![one.as_str()],
            OneOrMany::Many(many) => many.iter().map(String::as_str).collect(),
        }
    }
}

/// One operation's paginator.
#[derive(Debug, Deserialize)]
pub struct Paginator {
    pub input_token: OneOrMany,
    pub output_token: OneOrMany,
    #[serde(default)]
    pub result_key: Option<OneOrMany>,
    #[serde(default)]
    pub limit_key: Option<String>,
    #[serde(default)]
    pub more_results: Option<String>,
    #[serde(default)]
    pub non_aggregate_keys: Vec<String>,
}

/// A service's waiters (`waiters-2.json`).
#[derive(Debug, Default, Deserialize)]
pub struct Waiters {
    #[serde(default)]
    pub version: Option<u32>,
    /// By waiter name.
    #[serde(default)]
    pub waiters: BTreeMap<String, Waiter>,
}

/// One waiter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiter {
    pub operation: String,
    /// Seconds between attempts (the shortest wait).
    pub delay: u64,
    pub max_attempts: u32,
    #[serde(default)]
    pub description: Option<String>,
    pub acceptors: Vec<Acceptor>,
}

/// One acceptor of a waiter.
#[derive(Debug, Deserialize)]
pub struct Acceptor {
    /// `path`, `pathAll`, `pathAny`, `status` or `error`.
    pub matcher: String,
    /// `success`, `failure` or `retry`.
    pub state: String,
    #[serde(default)]
    pub argument: Option<String>,
    pub expected: serde_json::Value,
}

/// Parses a `paginators-1.json` or `waiters-2.json`; `path` names the file
/// in errors. `extras`, the `*.sdk-extras.json` beside it (path and text),
/// is merged in first, as botocore's loader does (`botocore/loaders.py`,
/// `ExtrasProcessor`): its `merge` object goes into the file's JSON
/// recursively ([`deep_merge`]); its other keys (`version`) are not read.
pub fn parse_extra<T: serde::de::DeserializeOwned>(
    path: &str,
    text: &str,
    extras: Option<(&str, &str)>,
) -> Result<T, Error> {
    let Some((extras_path, extras_text)) = extras else {
        return parse_json(path, text);
    };
    let mut value: serde_json::Value = parse_json(path, text)?;
    let extras: Extras = parse_json(extras_path, extras_text)?;
    if let Some(merge) = extras.merge {
        let serde_json::Value::Object(base) = &mut value else {
            let why = <serde_json::Error as serde::de::Error>::custom(
                "expected an object to merge the sdk-extras into",
            );
            return Err(Error::load(path, String::new(), why));
        };
        deep_merge(base, merge);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let at = e.path().to_string();
        Error::load(
            &extended_name(path, Some((extras_path, ""))),
            at,
            e.into_inner(),
        )
    })
}

/// How errors name `path` once `extras` (path and text) are merged into it:
/// `<path> (with <extras path>)`.
pub fn extended_name(path: &str, extras: Option<(&str, &str)>) -> String {
    match extras {
        Some((extras_path, _)) => format!("{path} (with {extras_path})"),
        None => path.to_owned(),
    }
}

/// An `*.sdk-extras.json` file: what botocore merges into the file it sits beside.
#[derive(Debug, Deserialize)]
struct Extras {
    #[serde(default)]
    merge: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Merges `extra` into `base` as `botocore.utils.deep_merge` does: a key
/// whose values are objects on both sides merges them; any other value of
/// `extra` replaces (or adds) the key's.
pub fn deep_merge(
    base: &mut serde_json::Map<String, serde_json::Value>,
    extra: serde_json::Map<String, serde_json::Value>,
) {
    for (key, value) in extra {
        match (base.get_mut(&key), value) {
            (Some(serde_json::Value::Object(inner)), serde_json::Value::Object(more)) => {
                deep_merge(inner, more)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Parses JSON text into `T`; errors name `path` and the JSON path.
fn parse_json<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let at = e.path().to_string();
        Error::load(path, at, e.into_inner())
    })?;
    deserializer
        .end()
        .map_err(|e| Error::load(path, String::new(), e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        match value {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn deep_merge_merges_objects_and_replaces_the_rest() {
        let mut base = object(json!({
            "pagination": {"A": {"input_token": "T", "result_key": ["X"]}, "B": {"input_token": "U"}},
            "version": 1
        }));
        deep_merge(
            &mut base,
            object(json!({
                "pagination": {"A": {"non_aggregate_keys": ["K"], "result_key": ["Y"]}, "C": {}},
                "version": 2
            })),
        );
        assert_eq!(
            serde_json::Value::Object(base),
            json!({
                "pagination": {
                    "A": {"input_token": "T", "result_key": ["Y"], "non_aggregate_keys": ["K"]},
                    "B": {"input_token": "U"},
                    "C": {}
                },
                "version": 2
            })
        );
    }
}
