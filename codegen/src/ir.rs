//! The resolved model: what the emitters read.
//!
//! Every reference is checked and is an index, every Rust name is decided,
//! recursion is boxed and docs are rustdoc Markdown. Emitters make no naming
//! or validation decisions of their own.

/// Index of a shape in [`Service::shapes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShapeId(pub usize);

/// A service, ready to emit.
#[derive(Debug)]
pub struct Service {
    /// The model file, as named in generated headers (`model/iot-jobs-data-plane/service-2.json`).
    pub model_file: String,
    /// The crate's package name (`iot-jobs-data-plane`).
    pub crate_name: String,
    /// `metadata.serviceId`.
    pub service_id: String,
    /// `metadata.serviceFullName`, else the service id.
    pub full_name: String,
    /// `metadata.endpointPrefix`.
    pub endpoint_prefix: String,
    /// The endpoint rule set in its compact form (see [`crate::endpoints`]), if the model has one.
    pub endpoint_rules: Option<String>,
    /// `metadata.signingName`, else the endpoint prefix.
    pub signing_name: String,
    /// `metadata.apiVersion`.
    pub api_version: String,
    /// The wire protocol the crate speaks.
    pub protocol: Protocol,
    /// The service's documentation.
    pub docs: Vec<String>,
    /// Every shape, sorted by model name.
    pub shapes: Vec<Shape>,
    /// Every operation, sorted by model name.
    pub operations: Vec<Operation>,
    /// Every error shape some operation returns, sorted by model name.
    pub errors: Vec<ShapeId>,
    /// Operations the generator leaves out, with the reason, sorted by name.
    pub left_out: Vec<(String, String)>,
    /// Paginators (`paginators-1.json`), sorted by operation.
    pub paginators: Vec<Paginator>,
    /// Waiters (`waiters-2.json`), sorted by name.
    pub waiters: Vec<Waiter>,
    /// The endpoint parameters a configuration may set for every call
    /// (`clientContextParams`: S3's `ForcePathStyle`), sorted by name.
    pub client_context_params: Vec<String>,
}

impl Service {
    /// The paginator of the operation named `name`, if it has one.
    pub fn paginator_for(&self, name: &str) -> Option<&Paginator> {
        self.paginators
            .iter()
            .find(|p| self.operations[p.operation].name == name)
    }
}

impl Service {
    /// Whether values of shape `id` are an event stream (read through a receiver).
    pub fn is_event_stream(&self, id: ShapeId) -> bool {
        matches!(&self.shape(id).kind, ShapeKind::Union(u) if u.event_stream.is_some())
    }

    /// The member of `structure` that is an event stream, and the stream.
    pub fn event_stream_member<'a>(
        &'a self,
        structure: &'a Structure,
    ) -> Option<(usize, &'a Member, &'a Union)> {
        structure
            .members
            .iter()
            .enumerate()
            .find_map(|(i, member)| match &self.shape(member.target).kind {
                ShapeKind::Union(union) if union.event_stream.is_some() => Some((i, member, union)),
                _ => None,
            })
    }

    /// The shape with this id.
    pub fn shape(&self, id: ShapeId) -> &Shape {
        &self.shapes[id.0]
    }
}

/// The wire protocol of a service: a shape codec (how values are written
/// and read) and a binding (where they travel in an HTTP message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// `rest-json` (`aws.protocols#restJson1`): the JSON codec on the REST
    /// binding (URI labels, query, headers, payload, status code).
    RestJson,
    /// `json` (`aws.protocols#awsJson1_0` / `awsJson1_1`): the JSON codec on
    /// the RPC binding (`POST /`, `X-Amz-Target`, the whole input as body).
    AwsJson(AwsJson),
    /// `query` (`aws.protocols#awsQuery`): form-encoded requests (`Action`,
    /// `Version`, flattened keys) on the RPC binding, XML responses inside
    /// `<{Operation}Result>`, errors in `ErrorResponse/Error`.
    AwsQuery,
    /// `ec2` (`aws.protocols#ec2Query`): awsQuery with EC2's naming
    /// (`queryName`, capitalised `locationName`, lists always flattened),
    /// unwrapped results and errors in `Response/Errors/Error`.
    Ec2Query,
    /// `smithy-rpc-v2-cbor` (`smithy.protocols#rpcv2Cbor`): the CBOR codec on
    /// the RPC binding (`POST /service/{name}/operation/{operation}`,
    /// `smithy-protocol: rpc-v2-cbor`, the whole input as body).
    RpcV2Cbor(RpcV2Cbor),
    /// rest-xml (`aws.protocols#restXml`): the REST binding with XML bodies.
    RestXml,
}

impl Protocol {
    /// The protocol's name in models (`metadata.protocol`).
    pub fn model_name(&self) -> &'static str {
        match self {
            Protocol::RestJson => "rest-json",
            Protocol::AwsJson(_) => "json",
            Protocol::AwsQuery => "query",
            Protocol::Ec2Query => "ec2",
            Protocol::RpcV2Cbor(_) => "smithy-rpc-v2-cbor",
            Protocol::RestXml => "rest-xml",
        }
    }

    /// The format of body timestamps no member or shape sets: epoch seconds
    /// in JSON and CBOR (where the codec writes them as tag 1), RFC 3339 in
    /// XML and query bodies.
    pub fn body_timestamp_format(&self) -> TimestampFormat {
        match self {
            Protocol::RestJson | Protocol::AwsJson(_) | Protocol::RpcV2Cbor(_) => {
                TimestampFormat::EpochSeconds
            }
            Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml => {
                TimestampFormat::DateTime
            }
        }
    }

    /// Whether bodies are XML (responses) and form-encoded query (requests):
    /// the runtime's `xml` feature.
    pub fn is_query(&self) -> bool {
        matches!(self, Protocol::AwsQuery | Protocol::Ec2Query)
    }

    /// Whether members are bound by HTTP traits (`location`, `payload`,
    /// `requestUri`); in RPC protocols every member travels in the body.
    pub fn is_rest(&self) -> bool {
        matches!(self, Protocol::RestJson | Protocol::RestXml)
    }
}

/// What Smithy RPC v2 CBOR needs beyond the model's shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcV2Cbor {
    /// The service's name in request paths (`metadata.targetPrefix`, as
    /// botocore takes it): `/service/{name}/operation/{operation}`.
    pub service_name: String,
    /// `metadata.awsQueryCompatible`: requests say `x-amzn-query-mode: true`
    /// and error codes come from `x-amzn-query-error` when it is present.
    pub query_compatible: bool,
}

/// What awsJson needs beyond the model's shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsJson {
    /// `metadata.jsonVersion`: `1.0` or `1.1`, the content type's version.
    pub version: JsonVersion,
    /// `metadata.targetPrefix`: `X-Amz-Target` is `{prefix}.{operation}`.
    pub target_prefix: String,
    /// `metadata.awsQueryCompatible`: requests say `x-amzn-query-mode: true`
    /// and error codes come from `x-amzn-query-error` when it is present.
    pub query_compatible: bool,
}

/// The awsJson version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonVersion {
    V1_0,
    V1_1,
}

impl JsonVersion {
    /// The request content type (`application/x-amz-json-1.0`).
    pub fn content_type(self) -> &'static str {
        match self {
            JsonVersion::V1_0 => "application/x-amz-json-1.0",
            JsonVersion::V1_1 => "application/x-amz-json-1.1",
        }
    }
}

/// A shape of the model.
#[derive(Debug)]
pub struct Shape {
    /// Name in the model.
    pub name: String,
    /// Rust type name, unique in its module (only meaningful for emitted kinds).
    pub rust_name: String,
    /// Documentation lines.
    pub docs: Vec<String>,
    /// What it is.
    pub kind: ShapeKind,
    /// Whether a type is emitted for it in `types` (or `types::error`):
    /// it is reachable from an operation other than as its top-level input
    /// or output.
    pub emitted: bool,
    /// Reachable from an operation input: needs a JSON serializer.
    pub serialized: bool,
    /// Reachable from an operation output or error: needs a JSON deserializer.
    pub deserialized: bool,
    /// How a list or map is named in XML and query bodies.
    pub xml: XmlNames,
}

/// The names a list's or map's parts take in XML and query bodies, from the
/// model's `locationName`s; `None` means the protocol's default (`member`,
/// `entry`, `key`, `value`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlNames {
    /// The items of a list are not wrapped in an element of the member's
    /// own (`flattened` on the shape).
    pub flattened: bool,
    /// The shape's own `xmlNamespace`.
    pub namespace: Option<XmlNamespace>,
    /// The `xmlNamespace` of a list's items (its member reference's, else the item shape's).
    pub member_namespace: Option<XmlNamespace>,
    /// The `xmlNamespace` of a map's keys.
    pub key_namespace: Option<XmlNamespace>,
    /// The `xmlNamespace` of a map's values.
    pub value_namespace: Option<XmlNamespace>,
    /// A list's item element (`member.locationName`).
    pub member: Option<String>,
    /// EC2 query: a list item's key (`member.queryName`).
    pub member_query: Option<String>,
    /// A map's key element (`key.locationName`).
    pub key: Option<String>,
    /// A map's value element (`value.locationName`).
    pub value: Option<String>,
}

/// The kinds of shapes and what each carries.
/// An XML namespace declaration: the attribute (`xmlns`, `xmlns:prefix`)
/// and the URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlNamespace {
    pub attribute: String,
    pub uri: String,
}

#[derive(Debug)]
pub enum ShapeKind {
    String,
    Enum(Vec<EnumVariant>),
    Boolean,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    Blob,
    /// A blob sent or received as a whole HTTP body (`streaming: true`).
    StreamingBlob,
    /// A point in time, with the format its shape declares, if any.
    Timestamp {
        format: Option<TimestampFormat>,
    },
    /// Untyped JSON (`document: true`).
    Document,
    List {
        member: ShapeId,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
    },
    Structure(Structure),
    /// A structure of which exactly one member is set (`union: true`).
    Union(Union),
}

/// A union: its members, and the enum variant each becomes.
#[derive(Debug, Clone)]
pub struct Union {
    /// Members in model order.
    pub structure: Structure,
    /// The Rust variant name of each member, in the same order; none is `Unknown`.
    pub variants: Vec<String>,
    /// Set when the union is an event stream (`eventstream: true`): its
    /// members are then the events, and its error members are here.
    pub event_stream: Option<EventStream>,
}

/// What an event stream carries beside its events.
#[derive(Debug, Clone)]
pub struct EventStream {
    /// The members that target error structures: the exceptions a message
    /// may carry (`:exception-type` is the member's name), in model order.
    pub errors: Vec<Member>,
    /// The Rust name of the stream's error enum, in `types::error`.
    pub error_rust_name: String,
}

/// How a timestamp is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    /// Seconds since the epoch (`unixTimestamp`).
    EpochSeconds,
    /// RFC 3339 (`iso8601`).
    DateTime,
    /// IMF-fixdate (`rfc822`).
    HttpDate,
}

/// One value of a string enum.
#[derive(Debug)]
pub struct EnumVariant {
    /// The wire value.
    pub value: String,
    /// The Rust variant name.
    pub rust_name: String,
}

/// A structure's members and traits; also used for synthetic operation inputs and outputs.
#[derive(Debug, Clone)]
pub struct Structure {
    /// Members in model order.
    pub members: Vec<Member>,
    /// Set when the structure is an error shape.
    pub error: Option<ErrorInfo>,
    /// Index of the member bound to the whole body, if any.
    pub payload: Option<usize>,
}

impl Structure {
    /// Whether any member is required.
    pub fn has_required(&self) -> bool {
        self.members.iter().any(|m| m.required)
    }

    /// Members serialized in a JSON body object (no location, not the payload).
    pub fn body_members(&self) -> impl Iterator<Item = &Member> {
        self.members
            .iter()
            .enumerate()
            .filter(|(i, m)| m.location == Location::Body && Some(*i) != self.payload)
            .map(|(_, m)| m)
    }
}

/// What an error shape says about itself.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// The code that names it on the wire: `error.code`, else the shape's name.
    pub code: String,
    /// The HTTP status the service answers it with.
    pub http_status: Option<u16>,
    /// Whether it is the server's fault (retrying may help).
    pub server_fault: bool,
}

/// A structure member.
#[derive(Debug, Clone)]
pub struct Member {
    /// Name in the model.
    pub name: String,
    /// Rust field and method name (unescaped; [`crate::naming::ident`] makes the identifier).
    pub rust_name: String,
    /// Name on the wire: JSON key, header name, query key or URI label.
    pub wire_name: String,
    /// Target shape.
    pub target: ShapeId,
    /// Required by the model.
    pub required: bool,
    /// Where the member travels in a request or response.
    pub location: Location,
    /// Stored as `Box<T>` to break a recursive cycle.
    pub boxed: bool,
    /// Its target is `sensitive`: `Debug` shows a placeholder for it.
    pub sensitive: bool,
    /// The format of the timestamps the value holds (itself, or in its lists
    /// and maps); `None` when it holds none.
    pub timestamp_format: Option<TimestampFormat>,
    /// A string carrying JSON, sent base64-encoded in a header (`jsonvalue`).
    pub json_value: bool,
    /// Filled with a fresh token when not set (`idempotencyToken`).
    pub idempotency_token: bool,
    /// Part of the host name (`hostLabel`).
    pub host_label: bool,
    /// The member's `locationName`, when the model gives one (XML element
    /// and query key; EC2 query capitalises it).
    pub location_name: Option<String>,
    /// EC2 query: the member's request key (`queryName`).
    pub query_name: Option<String>,
    /// A list or map member whose items are not wrapped (`flattened` on the
    /// member or on its target).
    pub flattened: bool,
    /// XML: an attribute of the structure's element (`xmlAttribute`).
    pub xml_attribute: bool,
    /// XML: the namespace declared on the member's element (the
    /// reference's `xmlNamespace`, else its shape's).
    pub xml_namespace: Option<XmlNamespace>,
    /// Documentation lines.
    pub docs: Vec<String>,
}

/// Where a member travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A member of the JSON body (or the body itself, as the payload).
    Body,
    /// A URI label.
    Uri,
    /// A query-string parameter.
    Query,
    /// An HTTP header.
    Header,
    /// HTTP headers whose names start with the wire name (a map member).
    Headers,
    /// The HTTP status code (outputs).
    StatusCode,
}

/// An operation.
#[derive(Debug)]
pub struct Operation {
    /// Name in the model (`DescribeJobExecution`).
    pub name: String,
    /// Rust type name of the operation (`DescribeJobExecution`).
    pub rust_name: String,
    /// Module and client method name (`describe_job_execution`).
    pub module: String,
    /// Documentation lines.
    pub docs: Vec<String>,
    /// HTTP method, upper case.
    pub method: String,
    /// The request URI's path, split into literals and labels (`/` in RPC protocols).
    pub path: Vec<PathSegment>,
    /// A literal query in the request URI (`acl` of `/{Bucket}?acl`).
    pub literal_query: Option<String>,
    /// The synthetic input (`DescribeJobExecutionInput`).
    pub input: OperationShape,
    /// The synthetic output (`DescribeJobExecutionOutput`).
    pub output: OperationShape,
    /// Error shapes, in model order.
    pub errors: Vec<ShapeId>,
    /// A prefix for the endpoint's host, with labels (`endpoint.hostPrefix`).
    pub host_prefix: Option<Vec<PathSegment>>,
    /// awsQuery: the output's wrapping element, when the model names it
    /// (`resultWrapper`; the protocol's default is `{Operation}Result`).
    pub result_wrapper: Option<String>,
    /// Whether requests carry a `Content-MD5` header.
    pub checksum_required: bool,
    /// The endpoint parameters the operation binds, in the order they are
    /// set (a later one wins): `operationContextParams`, then input members
    /// with `contextParam`, then `staticContextParams`.
    pub endpoint_context: Vec<ContextParam>,
    /// Whether requests go unsigned (`authtype: none`, or `auth` of only
    /// `smithy.api#noAuth`).
    pub unsigned: bool,
}

/// An endpoint parameter an operation binds per call.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextParam {
    /// The rule set's parameter name (`ResourceArn`).
    pub name: String,
    /// Where its value comes from.
    pub source: ContextSource,
}

/// Where an operation's endpoint parameter comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextSource {
    /// `staticContextParams`: a fixed value (a string, a boolean or a list of strings).
    Static(serde_json::Value),
    /// `contextParam` on the input member of this model name.
    Member(String),
    /// `operationContextParams`: a JMESPath path over the input.
    Path(String),
}

/// A synthetic input or output of an operation.
#[derive(Debug)]
pub struct OperationShape {
    /// Rust type name, unique in the operation's module.
    pub rust_name: String,
    /// XML: the root element of the body (the reference's `locationName`).
    pub xml_name: Option<String>,
    /// XML: the namespace declared on the body's root (the reference's `xmlNamespace`).
    pub xml_namespace: Option<XmlNamespace>,
    /// The model shape it was made from, if the operation names one.
    pub source: Option<ShapeId>,
    /// Its members.
    pub structure: Structure,
    /// Documentation lines.
    pub docs: Vec<String>,
}

/// A piece of a request URI's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// Text sent as is.
    Literal(String),
    /// The value of an input member (index into the input's members).
    Label { member: usize, greedy: bool },
}

/// A paginator, checked against its operation: every expression compiles
/// over the output (see [`crate::jmespath`]).
#[derive(Debug)]
pub struct Paginator {
    /// The operation (index into [`Service::operations`]).
    pub operation: usize,
    /// Each token: the input member it goes to (index into the input's
    /// members) and the expression that reads it from an output.
    pub tokens: Vec<(usize, String)>,
    /// The input member that sets the page size, if any.
    pub limit: Option<usize>,
    /// An expression that is false on the last page, if any.
    pub more_results: Option<String>,
    /// The expressions of the results each page holds.
    pub result_keys: Vec<String>,
    /// The first result key's item shape, when it is a list: what `items()` gives.
    pub items: Option<ShapeId>,
    /// Expressions of values that are the same on every page.
    pub non_aggregate_keys: Vec<String>,
}

/// A waiter, checked against its operation.
#[derive(Debug)]
pub struct Waiter {
    /// Name in the model (`TableExists`).
    pub name: String,
    /// The builder's Rust type name (`WaitUntilTableExists`).
    pub rust_name: String,
    /// The client method (`wait_until_table_exists`).
    pub method: String,
    /// The operation it calls (index into [`Service::operations`]).
    pub operation: usize,
    /// Documentation lines.
    pub docs: Vec<String>,
    /// The shortest wait between attempts, in seconds.
    pub delay: u64,
    /// How many calls at most.
    pub max_attempts: u32,
    /// The acceptors, in order.
    pub acceptors: Vec<Acceptor>,
}

/// One acceptor of a waiter.
#[derive(Debug)]
pub struct Acceptor {
    pub matcher: Matcher,
    pub state: AcceptorState,
    /// What it matches, as the model says it.
    pub description: String,
}

/// What an acceptor means when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    Success,
    Failure,
    Retry,
}

/// What an acceptor tests.
#[derive(Debug)]
pub enum Matcher {
    /// The expression's value equals `expected` (`path`).
    Path { expr: String, expected: Expected },
    /// Every value of the projection equals `expected`, and there is one (`pathAll`).
    PathAll { expr: String, expected: Expected },
    /// Some value of the projection equals `expected` (`pathAny`).
    PathAny { expr: String, expected: Expected },
    /// The response's HTTP status (`status`).
    Status(u16),
    /// The call failed with this error code (`error`).
    ErrorCode(String),
    /// The call failed (`error` with `true`) or did not (`false`).
    Failed(bool),
}

/// The value a path acceptor expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    String(String),
    Bool(bool),
}
