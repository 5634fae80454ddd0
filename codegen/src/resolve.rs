//! Resolve: checks a loaded model and turns it into the IR.
//!
//! Every shape reference is checked, every Rust name is decided here (through
//! [`crate::naming`]), recursive members are boxed, and documentation is
//! converted to rustdoc. All problems are collected and reported together.

use std::collections::{BTreeMap, BTreeSet};

use crate::docs::html_to_rustdoc;
use crate::error::{Error, Problem};
use crate::ir::{
    AwsJson, ContextParam, ContextSource, EnumVariant, ErrorInfo, EventStream, JsonVersion,
    Location, Member, Operation, OperationShape, PathSegment, Protocol, RpcV2Cbor, Service, Shape,
    ShapeId, ShapeKind, Structure, TimestampFormat, Union, XmlNames, XmlNamespace,
};
use crate::model;
use crate::naming::{self, Case, Namespace};

/// The protocols this generator speaks, by their model names, in the order
/// it prefers them when a model offers several (`metadata.protocols`).
///
/// The order is botocore's (`json`, `rest-json`, `rest-xml`,
/// `smithy-rpc-v2-cbor`, `query`, `ec2`) restricted to what is supported:
/// a client then speaks the same wire as botocore, whose protocol suites
/// prove this generator. So a service listing `smithy-rpc-v2-cbor` and
/// `json` (CloudWatch, for one) speaks awsJson, as botocore does, and only
/// services that offer CBOR alone (or with `query`) speak CBOR.
pub const SUPPORTED_PROTOCOLS: &[&str] = &[
    "json",
    "rest-json",
    "rest-xml",
    "smithy-rpc-v2-cbor",
    "query",
    "ec2",
];

/// Chooses the protocol of a model: the first of [`SUPPORTED_PROTOCOLS`]
/// that `protocols` lists when it lists any, else `protocol`. The error
/// names the key and says what is supported.
pub fn choose_protocol(
    protocol: &str,
    protocols: &[String],
) -> Result<&'static str, (&'static str, String)> {
    let supported = SUPPORTED_PROTOCOLS
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if protocols.is_empty() {
        SUPPORTED_PROTOCOLS
            .iter()
            .copied()
            .find(|p| *p == protocol)
            .ok_or_else(|| {
                (
                    "metadata.protocol",
                    format!("protocol `{protocol}` is not supported (this generator supports {supported})"),
                )
            })
    } else {
        SUPPORTED_PROTOCOLS
            .iter()
            .copied()
            .find(|p| protocols.iter().any(|offered| offered == p))
            .ok_or_else(|| {
                let offered = protocols
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    "metadata.protocols",
                    format!("none of the protocols {offered} is supported (this generator supports {supported})"),
                )
            })
    }
}

use crate::naming::reserved::{
    MEMBER_METHODS, OPERATION_MODULES, UNHANDLED, UNION_METHODS, UNKNOWN,
};

/// How deep lists and maps may nest in one another without a structure in
/// between (`list<map<list<...>>>`). The generator spells such a type out
/// (`Vec<HashMap<String, Vec<...>>>`), and rustc, syn and the serializers
/// recurse over it; botocore 1.44.8 nests four deep at most (Amazon
/// Location's `GeofenceGeometryMultiPolygonList`).
pub const MAX_NESTING: usize = 16;

/// How many shapes deep a type may reach, counting every structure, union,
/// list and map on the longest way down (the shapes of a cycle count once
/// each). rustc follows a type's fields to check its drop glue and gives up
/// at its recursion limit (128), which a chain of 65 boxed structures or 33
/// levels of structure, map and list already reaches; 48 shapes stay below
/// it in every combination. botocore 1.44.8 reaches 23 at most (Agents for
/// Amazon Bedrock Runtime).
pub const MAX_DEPTH: usize = 48;

/// Resolves `model`, read from `file`.
pub fn resolve(file: &str, model: &model::Model) -> Result<Service, Error> {
    let mut cx = Resolver {
        model,
        protocol: Protocol::RestJson,
        ids: model
            .shapes
            .keys()
            .enumerate()
            .map(|(i, name)| (name.as_str(), ShapeId(i)))
            .collect(),
        problems: Vec::new(),
    };
    let service = cx.service(file);
    if cx.problems.is_empty() {
        Ok(service)
    } else {
        Err(Error::resolve(file, cx.problems))
    }
}

struct Resolver<'m> {
    model: &'m model::Model,
    /// The service's protocol, decided first: it says how members bind.
    protocol: Protocol,
    ids: BTreeMap<&'m str, ShapeId>,
    problems: Vec<Problem>,
}

impl<'m> Resolver<'m> {
    fn problem(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            at: at.into(),
            message: message.into(),
        });
    }

    fn name(&mut self, at: &str, raw: &str, case: Case) -> String {
        naming::sanitize(raw, case).unwrap_or_else(|message| {
            self.problem(at, message);
            // A placeholder keeps resolution going so that every problem is reported.
            "invalid".to_owned()
        })
    }

    fn lookup(&mut self, at: &str, name: &str) -> ShapeId {
        match self.ids.get(name) {
            Some(id) => *id,
            None => {
                self.problem(at, format!("refers to unknown shape `{name}`"));
                ShapeId(usize::MAX)
            }
        }
    }

    fn service(&mut self, file: &str) -> Service {
        let meta = &self.model.metadata;
        self.protocol = self.protocol();
        let service_id = meta
            .service_id
            .clone()
            .or_else(|| meta.service_full_name.clone())
            .unwrap_or_default();
        let crate_name = naming::crate_name(&service_id).unwrap_or_else(|message| {
            self.problem("metadata.serviceId", message);
            String::new()
        });
        let endpoint_prefix = meta.endpoint_prefix.clone().unwrap_or_else(|| {
            self.problem("metadata.endpointPrefix", "is missing");
            String::new()
        });

        let mut shapes: Vec<Shape> = self
            .model
            .shapes
            .iter()
            .map(|(name, shape)| self.shape(name, shape))
            .collect();
        // Every reference must be known before structures can be checked against their targets.
        if !self.problems.is_empty() {
            return self.empty_service(file, crate_name, service_id, endpoint_prefix);
        }
        self.check_targets(&shapes);
        if let Err((shape, message)) = check_depth(&shapes) {
            self.problem(format!("shape `{}`", shape.escape_debug()), message);
        }
        resolve_timestamp_formats(&mut shapes, self.protocol.body_timestamp_format());
        box_recursion(&mut shapes);

        let mut modules = Namespace::with_reserved(OPERATION_MODULES);
        let mut left_out = Vec::new();
        let mut operations = Vec::new();
        for (name, op) in &self.model.operations {
            match self.event_stream_left_out(op) {
                Some(reason) => left_out.push((name.clone(), reason)),
                None => operations.push(self.operation(name, op, &shapes, &mut modules)),
            }
        }
        mark_emitted(&mut shapes, &operations);
        name_types(&mut shapes);

        let errors: BTreeSet<ShapeId> = operations
            .iter()
            .flat_map(|op| op.errors.iter().copied())
            .collect();
        Service {
            model_file: file.to_owned(),
            crate_name,
            full_name: meta
                .service_full_name
                .clone()
                .unwrap_or_else(|| service_id.clone()),
            service_id,
            signing_name: meta
                .signing_name
                .clone()
                .unwrap_or_else(|| endpoint_prefix.clone()),
            endpoint_prefix,
            endpoint_rules: None,
            api_version: meta.api_version.clone(),
            protocol: self.protocol.clone(),
            docs: docs(self.model.documentation.as_deref()),
            shapes,
            operations,
            errors: errors.into_iter().collect(),
            left_out,
            paginators: Vec::new(),
            waiters: Vec::new(),
            client_context_params: self.model.client_context_params.keys().cloned().collect(),
        }
    }

    /// The service's protocol and what it needs from the metadata.
    fn protocol(&mut self) -> Protocol {
        let meta = &self.model.metadata;
        match choose_protocol(&meta.protocol, &meta.protocols) {
            Ok("json") => {
                let version = match meta.json_version.as_deref() {
                    Some("1.0") => JsonVersion::V1_0,
                    Some("1.1") => JsonVersion::V1_1,
                    Some(other) => {
                        self.problem(
                            "metadata.jsonVersion",
                            format!("`{other}` is not an awsJson version (`1.0` or `1.1`)"),
                        );
                        JsonVersion::V1_0
                    }
                    None => {
                        self.problem(
                            "metadata.jsonVersion",
                            "is missing (the json protocol needs it)",
                        );
                        JsonVersion::V1_0
                    }
                };
                let target_prefix = meta.target_prefix.clone().unwrap_or_default();
                // It becomes part of the `X-Amz-Target` header value.
                if target_prefix.is_empty() || !target_prefix.bytes().all(|b| b.is_ascii_graphic())
                {
                    self.problem(
                        "metadata.targetPrefix",
                        "must be present and printable ASCII without spaces (the json protocol sends it in `X-Amz-Target`)",
                    );
                }
                Protocol::AwsJson(AwsJson {
                    version,
                    target_prefix,
                    query_compatible: meta.aws_query_compatible.is_some(),
                })
            }
            Ok("query") => Protocol::AwsQuery,
            Ok("ec2") => Protocol::Ec2Query,
            Ok("smithy-rpc-v2-cbor") => {
                let service_name = meta.target_prefix.clone().unwrap_or_default();
                // It becomes a segment of every request's path.
                if service_name.is_empty()
                    || !service_name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
                {
                    self.problem(
                        "metadata.targetPrefix",
                        "must be present and hold only letters, digits, `-`, `.`, `_` and `~` (the smithy-rpc-v2-cbor protocol sends it in the request path)",
                    );
                }
                Protocol::RpcV2Cbor(RpcV2Cbor {
                    service_name,
                    query_compatible: meta.aws_query_compatible.is_some(),
                })
            }
            Ok("rest-xml") => Protocol::RestXml,
            Ok(_) => Protocol::RestJson,
            Err((at, message)) => {
                self.problem(at, message);
                Protocol::RestJson
            }
        }
    }

    /// Why `op` is left out for its event streams, if it is: an input
    /// stream (sending events needs a duplex connection, not supported
    /// yet), an output stream in a protocol without event streams (awsQuery,
    /// EC2 query), or in a REST output, a stream that is not the payload.
    fn event_stream_left_out(&self, op: &model::Operation) -> Option<String> {
        let stream = |shape_ref: &Option<model::ShapeRef>| {
            let shape_ref = shape_ref.as_ref()?;
            let shape = self.model.shapes.get(&shape_ref.shape)?;
            shape.members.0.iter().find_map(|(name, member)| {
                let target = self.model.shapes.get(&member.shape)?;
                target.eventstream.then(|| {
                    let payload = shape.payload.as_deref() == Some(name.as_str())
                        || shape_ref.payload.as_deref() == Some(name.as_str());
                    (format!("{}.{name}", shape_ref.shape), payload)
                })
            })
        };
        if let Some((member, _)) = stream(&op.input) {
            return Some(format!(
                "its `{member}` is an input event stream, which this generator does not support yet"
            ));
        }
        let (member, payload) = stream(&op.output)?;
        if self.protocol.is_query() {
            Some(format!(
                "its `{member}` is an event stream, which the {} protocol does not carry",
                self.protocol.model_name()
            ))
        } else if self.protocol.is_rest() && !payload {
            Some(format!(
                "its `{member}` is an event stream that is not the output's payload, which the REST binding needs"
            ))
        } else {
            None
        }
    }

    fn empty_service(
        &self,
        file: &str,
        crate_name: String,
        service_id: String,
        endpoint_prefix: String,
    ) -> Service {
        Service {
            model_file: file.to_owned(),
            crate_name,
            full_name: service_id.clone(),
            service_id,
            signing_name: endpoint_prefix.clone(),
            endpoint_prefix,
            endpoint_rules: None,
            api_version: String::new(),
            protocol: self.protocol.clone(),
            docs: Vec::new(),
            shapes: Vec::new(),
            operations: Vec::new(),
            errors: Vec::new(),
            left_out: Vec::new(),
            paginators: Vec::new(),
            waiters: Vec::new(),
            client_context_params: Vec::new(),
        }
    }

    fn shape(&mut self, name: &str, shape: &model::Shape) -> Shape {
        let at = format!("shape `{}`", name.escape_debug());
        // Structures, unions and enums become Rust types named after the shape.
        let named =
            (shape.type_name == "structure" && !shape.document) || shape.enum_values.is_some();
        if name.is_empty() || named {
            if let Err(message) = naming::sanitize(name, Case::UpperCamel) {
                self.problem(&at, message);
            }
        }
        let kind = match shape.type_name.as_str() {
            "string" => match &shape.enum_values {
                Some(values) => ShapeKind::Enum(self.enum_variants(&at, values)),
                None => ShapeKind::String,
            },
            // A single character, in older models; a string on the wire.
            "character" => ShapeKind::String,
            "boolean" => ShapeKind::Boolean,
            "byte" => ShapeKind::Byte,
            "short" => ShapeKind::Short,
            "integer" => ShapeKind::Integer,
            "long" => ShapeKind::Long,
            "float" => ShapeKind::Float,
            "double" => ShapeKind::Double,
            "blob" if shape.streaming => ShapeKind::StreamingBlob,
            "blob" => ShapeKind::Blob,
            "list" => match &shape.member {
                Some(member) => ShapeKind::List {
                    member: self.lookup(&format!("{at}, list member"), &member.shape),
                },
                None => {
                    self.problem(&at, "list has no `member`");
                    ShapeKind::String
                }
            },
            "map" => match (&shape.key, &shape.value) {
                (Some(key), Some(value)) => ShapeKind::Map {
                    key: self.lookup(&format!("{at}, map key"), &key.shape),
                    value: self.lookup(&format!("{at}, map value"), &value.shape),
                },
                _ => {
                    self.problem(&at, "map needs both `key` and `value`");
                    ShapeKind::String
                }
            },
            "timestamp" => ShapeKind::Timestamp {
                format: self.timestamp_format(&at, shape.timestamp_format.as_deref()),
            },
            "structure" if shape.document => ShapeKind::Document,
            "structure" if shape.eventstream => {
                let mut structure = self.structure(&at, name, shape, true);
                // The members naming error structures are the stream's
                // exceptions; the others are its events.
                let (errors, events) = structure.members.drain(..).partition(|member| {
                    shape
                        .members
                        .0
                        .iter()
                        .find(|(n, _)| *n == member.name)
                        .and_then(|(_, m)| self.model.shapes.get(&m.shape))
                        .is_some_and(|target| target.exception || target.error.is_some())
                });
                structure.members = events;
                let variants = self.union_variants(&at, &structure);
                ShapeKind::Union(Union {
                    structure,
                    variants,
                    event_stream: Some(EventStream {
                        errors,
                        error_rust_name: String::new(),
                    }),
                })
            }
            "structure" if shape.union => {
                let structure = self.structure(&at, name, shape, true);
                let variants = self.union_variants(&at, &structure);
                ShapeKind::Union(Union {
                    structure,
                    variants,
                    event_stream: None,
                })
            }
            "structure" => ShapeKind::Structure(self.structure(&at, name, shape, false)),
            other @ ("bigInteger" | "bigDecimal") => {
                self.problem(&at, format!("shape type `{other}` is not supported yet"));
                ShapeKind::String
            }
            other => {
                self.problem(&at, format!("unknown shape type `{other}`"));
                ShapeKind::String
            }
        };
        Shape {
            name: name.to_owned(),
            rust_name: String::new(),
            docs: docs(shape.documentation.as_deref()),
            kind,
            emitted: false,
            serialized: false,
            deserialized: false,
            xml: XmlNames {
                flattened: shape.flattened,
                namespace: shape.xml_namespace.as_ref().map(xml_namespace),
                member_namespace: self.ref_namespace(shape.member.as_ref()),
                key_namespace: self.ref_namespace(shape.key.as_ref()),
                value_namespace: self.ref_namespace(shape.value.as_ref()),
                member: shape.member.as_ref().and_then(|m| m.location_name.clone()),
                member_query: shape.member.as_ref().and_then(|m| m.query_name.clone()),
                key: shape.key.as_ref().and_then(|m| m.location_name.clone()),
                value: shape.value.as_ref().and_then(|m| m.location_name.clone()),
            },
        }
    }

    /// The `xmlNamespace` of a list's or map's item reference, else of the
    /// shape it names.
    fn ref_namespace(&self, shape_ref: Option<&model::ShapeRef>) -> Option<XmlNamespace> {
        let shape_ref = shape_ref?;
        shape_ref
            .xml_namespace
            .as_ref()
            .or_else(|| {
                self.model
                    .shapes
                    .get(&shape_ref.shape)
                    .and_then(|s| s.xml_namespace.as_ref())
            })
            .map(xml_namespace)
    }

    fn timestamp_format(&mut self, at: &str, format: Option<&str>) -> Option<TimestampFormat> {
        match format? {
            "unixTimestamp" => Some(TimestampFormat::EpochSeconds),
            "iso8601" => Some(TimestampFormat::DateTime),
            "rfc822" => Some(TimestampFormat::HttpDate),
            other => {
                self.problem(at, format!("unknown timestampFormat `{other}`"));
                None
            }
        }
    }

    /// The Rust variant name of each member of a union.
    fn union_variants(&mut self, at: &str, structure: &Structure) -> Vec<String> {
        let mut names = Namespace::with_reserved(&[UNKNOWN]);
        structure
            .members
            .iter()
            .map(|member| {
                let plain = self.name(
                    &format!("{at}, member `{}`", member.name),
                    &member.name,
                    Case::UpperCamel,
                );
                names.claim(&plain, "Value", |_| Vec::new())
            })
            .collect()
    }

    fn enum_variants(&mut self, at: &str, values: &[String]) -> Vec<EnumVariant> {
        let mut names = Namespace::with_reserved(&[UNKNOWN]);
        let mut seen = BTreeSet::new();
        let mut variants = Vec::new();
        for value in values {
            if !seen.insert(value.as_str()) {
                self.problem(at, format!("enum value `{value}` is listed twice"));
                continue;
            }
            let plain = self.name(
                &format!("{at}, enum value `{value}`"),
                value,
                Case::UpperCamel,
            );
            let rust_name = names.claim(&plain, "Value", |_| Vec::new());
            variants.push(EnumVariant {
                value: value.clone(),
                rust_name,
            });
        }
        variants
    }

    /// A structure's members; a union's (`union`) also get `as_*` and `is_*` methods.
    fn structure(&mut self, at: &str, name: &str, shape: &model::Shape, union: bool) -> Structure {
        let mut names = Namespace::with_reserved(MEMBER_METHODS);
        if union {
            names = Namespace::with_reserved(&[MEMBER_METHODS, UNION_METHODS].concat());
        }
        let mut members = Vec::new();
        for (member_name, member) in &shape.members.0 {
            let member_at = format!("{at}, member `{}`", member_name.escape_debug());
            let target = self.lookup(&member_at, &member.shape);
            let plain = self.name(&member_at, member_name, Case::Snake);
            let rust_name = names.claim(&plain, "_value", |n| {
                let mut related = vec![naming::derived::setter(n)];
                if union {
                    related.push(naming::derived::union_as(n));
                    related.push(naming::derived::union_is(n));
                }
                related
            });
            let mut member_docs = docs(member.documentation.as_deref());
            if let Some(note) = naming::renamed_note(member_name, &plain, &rust_name) {
                if member_docs.is_empty() {
                    member_docs.push(format!("The `{member_name}` member."));
                }
                member_docs.extend([String::new(), note]);
            }
            // A member's serialization traits are its own, else its shape's
            // (botocore merges them the same way).
            let target_shape = self.model.shapes.get(&member.shape);
            let location_name = member
                .location_name
                .clone()
                .or_else(|| target_shape.and_then(|t| t.location_name.clone()));
            if member.eventheader {
                let kind = target_shape.map_or("", |t| t.type_name.as_str());
                if !matches!(
                    kind,
                    "boolean"
                        | "byte"
                        | "short"
                        | "integer"
                        | "long"
                        | "string"
                        | "blob"
                        | "timestamp"
                        | ""
                ) {
                    self.problem(
                        &member_at,
                        format!(
                            "is an `eventheader` of type `{kind}`; event headers carry booleans, integers, strings, blobs and timestamps"
                        ),
                    );
                }
            }
            // RPC protocols put every member in the body; `location` is an HTTP binding trait.
            // An event's `eventheader` members travel in its message's headers, in any protocol.
            let location = match member
                .eventheader
                .then_some("header")
                .or(member.location.as_deref())
                .or_else(|| target_shape.and_then(|t| t.location.as_deref()))
                .filter(|_| self.protocol.is_rest() || member.eventheader)
            {
                None => Location::Body,
                Some("uri") => Location::Uri,
                Some("querystring") => Location::Query,
                Some("header") => Location::Header,
                Some("headers") => Location::Headers,
                Some("statusCode") => Location::StatusCode,
                Some(other) => {
                    self.problem(
                        &member_at,
                        format!("location `{other}` is not supported yet"),
                    );
                    Location::Body
                }
            };
            members.push(Member {
                name: member_name.clone(),
                rust_name,
                // A header map without a prefix holds every header.
                wire_name: match (&location_name, location) {
                    (Some(name), _) => name.clone(),
                    (None, Location::Headers) => String::new(),
                    (None, _) => member_name.clone(),
                },
                target,
                required: shape.required.contains(member_name),
                location,
                boxed: false,
                sensitive: self
                    .model
                    .shapes
                    .get(&member.shape)
                    .is_some_and(|target| target.sensitive),
                timestamp_format: self
                    .timestamp_format(&member_at, member.timestamp_format.as_deref()),
                json_value: member.jsonvalue,
                idempotency_token: member.idempotency_token,
                host_label: member.host_label,
                location_name,
                query_name: member.query_name.clone(),
                flattened: member.flattened
                    || self
                        .model
                        .shapes
                        .get(&member.shape)
                        .is_some_and(|target| target.flattened),
                xml_attribute: member.xml_attribute,
                xml_namespace: member
                    .xml_namespace
                    .as_ref()
                    .or_else(|| {
                        self.model
                            .shapes
                            .get(&member.shape)
                            .and_then(|target| target.xml_namespace.as_ref())
                    })
                    .map(xml_namespace),
                docs: member_docs,
            });
        }
        for required in &shape.required {
            if !members.iter().any(|m| &m.name == required) {
                self.problem(at, format!("required member `{required}` is not a member"));
            }
        }
        let payload = shape
            .payload
            .as_ref()
            .filter(|_| self.protocol.is_rest())
            .and_then(|payload| {
                let index = members.iter().position(|m| &m.name == payload);
                if index.is_none() {
                    self.problem(at, format!("payload `{payload}` is not a member"));
                }
                index
            })
            // An event's `eventpayload` member is its message's payload.
            .or_else(|| shape.members.0.iter().position(|(_, m)| m.eventpayload));
        let error = (shape.exception || shape.error.is_some()).then(|| ErrorInfo {
            code: shape
                .error
                .as_ref()
                .and_then(|e| e.code.clone())
                .filter(|code| !code.is_empty())
                .unwrap_or_else(|| name.to_owned()),
            http_status: shape.error.as_ref().and_then(|e| e.http_status_code),
            server_fault: shape.fault,
        });
        Structure {
            members,
            error,
            payload,
        }
    }

    /// Checks what members, lists and maps point at, now that all shapes exist.
    fn check_targets(&mut self, shapes: &[Shape]) {
        for shape in shapes {
            let at = format!("shape `{}`", shape.name.escape_debug());
            if let Err(message) = check_nesting(shapes, shape) {
                self.problem(&at, message);
            }
            match &shape.kind {
                ShapeKind::Map { key, .. }
                    if !matches!(shapes[key.0].kind, ShapeKind::String | ShapeKind::Enum(_)) =>
                {
                    self.problem(
                        &at,
                        format!("map key `{}` is not a string shape", shapes[key.0].name),
                    );
                }
                ShapeKind::Structure(structure) | ShapeKind::Union(Union { structure, .. }) => {
                    for member in &structure.members {
                        if let Err(message) = check_binding(shapes, member) {
                            self.problem(format!("{at}, member `{}`", member.name), message);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn operation(
        &mut self,
        name: &str,
        op: &model::Operation,
        shapes: &[Shape],
        modules: &mut Namespace,
    ) -> Operation {
        let at = format!("operation `{}`", name.escape_debug());
        let rust_name = self.name(&at, name, Case::UpperCamel);
        let plain_module = self.name(&at, name, Case::Snake);
        let module = modules.claim(&plain_module, "_op", |_| Vec::new());
        let mut op_docs = docs(op.documentation.as_deref());
        if let Some(note) = naming::renamed_note(name, &plain_module, &module) {
            if op_docs.is_empty() {
                op_docs.push(format!("The `{name}` operation."));
            }
            op_docs.extend([String::new(), note]);
        }
        let http = op.http.as_ref();
        // RPC protocols send every operation as `POST /`; REST ones as the model binds it.
        let method = if self.protocol.is_rest() {
            let method = http.and_then(|h| h.method.as_deref()).unwrap_or_default();
            if !matches!(
                method.to_ascii_uppercase().as_str(),
                "GET" | "PUT" | "POST" | "DELETE" | "HEAD" | "PATCH" | "OPTIONS"
            ) {
                self.problem(&at, format!("HTTP method `{method}` is not supported"));
            }
            method.to_ascii_uppercase()
        } else {
            "POST".to_owned()
        };
        let input = self.operation_shape(
            &at,
            op.input.as_ref(),
            shapes,
            naming::derived::input(&rust_name),
        );
        let mut output = self.operation_shape(
            &at,
            op.output.as_ref(),
            shapes,
            naming::derived::output(&rust_name),
        );
        // A response has no URI or query: members an output binds there are
        // read from the body, as botocore's parsers read them.
        for member in &mut output.structure.members {
            if matches!(member.location, Location::Uri | Location::Query) {
                member.location = Location::Body;
            }
        }
        let (path, literal_query) = if self.protocol.is_rest() {
            match http.and_then(|h| h.request_uri.as_deref()) {
                Some(uri) => {
                    let (uri, placed) = self.without_context_label(op, uri);
                    self.request_uri(&at, &uri, &input.structure, placed.as_deref())
                }
                None => {
                    self.problem(&at, "has no `http.requestUri`");
                    (Vec::new(), None)
                }
            }
        } else {
            (vec![PathSegment::Literal("/".to_owned())], None)
        };
        let mut errors = Vec::new();
        for error in &op.errors {
            let error_at = format!("{at}, error `{}`", error.shape);
            let id = self.lookup(&error_at, &error.shape);
            if id.0 == usize::MAX {
                continue;
            }
            match &shapes[id.0].kind {
                ShapeKind::Structure(s) if s.error.is_some() => {
                    if !errors.contains(&id) {
                        errors.push(id);
                    }
                }
                _ => self.problem(&error_at, "is not an error structure (`exception: true`)"),
            }
        }
        let host_prefix = op
            .endpoint
            .as_ref()
            .and_then(|e| e.host_prefix.as_deref())
            .map(|prefix| self.host_prefix(&at, prefix, &input.structure));
        Operation {
            name: name.to_owned(),
            rust_name,
            module,
            docs: op_docs,
            method,
            path,
            literal_query,
            input,
            output,
            errors,
            host_prefix,
            result_wrapper: op.output.as_ref().and_then(|o| o.result_wrapper.clone()),
            unsigned: op.authtype.as_deref() == Some("none")
                || (!op.auth.is_empty() && op.auth.iter().all(|a| a == "smithy.api#noAuth")),
            checksum_required: op.http_checksum_required
                || op
                    .http_checksum
                    .as_ref()
                    .is_some_and(|c| c.request_checksum_required),
            endpoint_context: self.endpoint_context(op),
        }
    }

    /// `uri` without a leading label (`/{Bucket}`) whose input member is an
    /// endpoint `contextParam` of the same name: the endpoint rules place
    /// that value (in the host, or path style in the endpoint's path), so
    /// the path must not repeat it (botocore strips it the same way,
    /// `remove_bucket_from_url_paths_from_model`). `/{Bucket}/{Key+}`
    /// becomes `/{Key+}`, `/{Bucket}?acl` becomes `/?acl`.
    fn without_context_label(&self, op: &model::Operation, uri: &str) -> (String, Option<String>) {
        let Some(rest) = uri.strip_prefix("/{") else {
            return (uri.to_owned(), None);
        };
        let Some((label, after)) = rest.split_once('}') else {
            return (uri.to_owned(), None);
        };
        if label.ends_with('+') || !(after.is_empty() || after.starts_with(['/', '?'])) {
            return (uri.to_owned(), None);
        }
        let bound = op
            .input
            .as_ref()
            .and_then(|i| self.model.shapes.get(&i.shape))
            .and_then(|shape| shape.members.0.iter().find(|(name, _)| name == label))
            .is_some_and(|(_, m)| {
                m.location.as_deref() == Some("uri")
                    && m.context_param.as_ref().is_some_and(|c| c.name == label)
            });
        if !bound {
            return (uri.to_owned(), None);
        }
        let path = if after.starts_with('/') {
            after.to_owned()
        } else {
            format!("/{after}")
        };
        (path, Some(label.to_owned()))
    }

    /// The endpoint parameters `op` binds (checked against the rule set by
    /// [`crate::endpoints::check_context`]). `contextParam` counts on the
    /// input's top-level members only, as Smithy specifies.
    fn endpoint_context(&self, op: &model::Operation) -> Vec<ContextParam> {
        let mut params: Vec<ContextParam> = op
            .operation_context_params
            .iter()
            .map(|(name, p)| ContextParam {
                name: name.clone(),
                source: ContextSource::Path(p.path.clone()),
            })
            .collect();
        if let Some(shape) = op
            .input
            .as_ref()
            .and_then(|i| self.model.shapes.get(&i.shape))
        {
            for (member, m) in &shape.members.0 {
                if let Some(context) = &m.context_param {
                    params.push(ContextParam {
                        name: context.name.clone(),
                        source: ContextSource::Member(member.clone()),
                    });
                }
            }
        }
        params.extend(
            op.static_context_params
                .iter()
                .map(|(name, p)| ContextParam {
                    name: name.clone(),
                    source: ContextSource::Static(p.value.clone()),
                }),
        );
        params
    }

    fn operation_shape(
        &mut self,
        at: &str,
        shape_ref: Option<&model::ShapeRef>,
        shapes: &[Shape],
        rust_name: String,
    ) -> OperationShape {
        let Some(shape_ref) = shape_ref else {
            return OperationShape {
                rust_name,
                xml_name: None,
                xml_namespace: None,
                source: None,
                structure: Structure {
                    members: Vec::new(),
                    error: None,
                    payload: None,
                },
                docs: Vec::new(),
            };
        };
        let id = self.lookup(at, &shape_ref.shape);
        let (structure, docs) = match shapes.get(id.0).map(|s| (&s.kind, &s.docs)) {
            Some((ShapeKind::Structure(structure), docs)) => {
                let mut structure = structure.clone();
                structure.error = None;
                // A `payload` on the reference binds that member to the body.
                if let Some(payload) = shape_ref
                    .payload
                    .as_ref()
                    .filter(|_| self.protocol.is_rest())
                {
                    match structure.members.iter().position(|m| &m.name == payload) {
                        Some(index) => structure.payload = Some(index),
                        None => self.problem(
                            at,
                            format!(
                                "payload `{payload}` is not a member of `{}`",
                                shape_ref.shape
                            ),
                        ),
                    }
                }
                (structure, docs.clone())
            }
            _ => {
                if id.0 != usize::MAX {
                    self.problem(
                        at,
                        format!("input/output `{}` is not a structure", shape_ref.shape),
                    );
                }
                (
                    Structure {
                        members: Vec::new(),
                        error: None,
                        payload: None,
                    },
                    Vec::new(),
                )
            }
        };
        OperationShape {
            rust_name,
            xml_name: shape_ref.location_name.clone(),
            xml_namespace: shape_ref.xml_namespace.as_ref().map(xml_namespace),
            source: Some(id),
            structure,
            docs,
        }
    }

    /// Splits a host prefix (`foo.{label}.`) into literals and `hostLabel` members.
    fn host_prefix(&mut self, at: &str, prefix: &str, input: &Structure) -> Vec<PathSegment> {
        let mut segments = Vec::new();
        let mut rest = prefix;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                self.problem(at, format!("host prefix `{prefix}` has an unclosed `{{`"));
                return segments;
            };
            let label = &rest[open + 1..close];
            match input
                .members
                .iter()
                .position(|m| m.host_label && m.name == label)
            {
                Some(member) => segments.push(PathSegment::Label {
                    member,
                    greedy: false,
                }),
                None => self.problem(
                    at,
                    format!("host prefix label `{{{label}}}` has no `hostLabel` input member"),
                ),
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        segments
    }

    /// Splits a request URI into path segments, checking labels against the input's `uri` members.
    /// `placed` names a label the endpoint rules place instead (see
    /// `without_context_label`): its member is in no path segment.
    fn request_uri(
        &mut self,
        at: &str,
        uri: &str,
        input: &Structure,
        placed: Option<&str>,
    ) -> (Vec<PathSegment>, Option<String>) {
        let (path, query) = match uri.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (uri, None),
        };
        if !path.starts_with('/') {
            self.problem(at, format!("request URI `{uri}` does not start with `/`"));
        }
        let mut segments = Vec::new();
        let mut used = BTreeSet::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                self.problem(at, format!("request URI `{uri}` has an unclosed `{{`"));
                return (segments, query);
            };
            let label = &rest[open + 1..close];
            let (label, greedy) = match label.strip_suffix('+') {
                Some(label) => (label, true),
                None => (label, false),
            };
            let member = input
                .members
                .iter()
                .position(|m| m.location == Location::Uri && m.wire_name == label);
            match member {
                Some(member) => {
                    used.insert(member);
                    segments.push(PathSegment::Label { member, greedy });
                }
                None => self.problem(
                    at,
                    format!("request URI label `{{{label}}}` has no input member with location `uri` and that name"),
                ),
            }
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        for (i, member) in input.members.iter().enumerate() {
            if member.location == Location::Uri
                && !used.contains(&i)
                && placed != Some(member.wire_name.as_str())
            {
                self.problem(
                    format!("{at}, input member `{}`", member.name),
                    format!(
                        "has location `uri` but the request URI `{uri}` has no `{{{}}}`",
                        member.wire_name
                    ),
                );
            }
        }
        (segments, query)
    }
}

/// Whether values of the shape are written as one piece of text in a URI,
/// query or header.
fn is_scalar(kind: &ShapeKind) -> bool {
    !matches!(
        kind,
        ShapeKind::List { .. }
            | ShapeKind::Map { .. }
            | ShapeKind::Structure(_)
            | ShapeKind::Union(_)
            | ShapeKind::Document
    )
}

/// Checks that a member's target can travel where the member is bound.
fn check_binding(shapes: &[Shape], member: &Member) -> Result<(), String> {
    let target = &shapes[member.target.0];
    let scalar_list = |id: ShapeId| match &shapes[id.0].kind {
        ShapeKind::List { member } => is_scalar(&shapes[member.0].kind),
        kind => is_scalar(kind),
    };
    let ok = match member.location {
        Location::Body => true,
        Location::Uri => is_scalar(&target.kind),
        Location::Header => scalar_list(member.target),
        Location::Query => match &target.kind {
            ShapeKind::Map { value, .. } => scalar_list(*value),
            _ => scalar_list(member.target),
        },
        Location::Headers => {
            matches!(&target.kind, ShapeKind::Map { value, .. } if matches!(shapes[value.0].kind, ShapeKind::String))
        }
        Location::StatusCode => matches!(target.kind, ShapeKind::Integer),
    };
    if !ok {
        return Err(format!(
            "a {:?} binding cannot carry `{}`",
            member.location, target.name
        ));
    }
    // `jsonvalue` changes how a header carries a string; elsewhere it only describes the content.
    if member.json_value
        && member.location == Location::Header
        && !matches!(target.kind, ShapeKind::String)
    {
        return Err("a `jsonvalue` header must target a string".to_owned());
    }
    Ok(())
}

/// The shape a list or map holds (a map's value), or `None` for other shapes.
fn element(kind: &ShapeKind) -> Option<ShapeId> {
    match kind {
        ShapeKind::List { member } => Some(*member),
        ShapeKind::Map { value, .. } => Some(*value),
        _ => None,
    }
}

/// Checks that lists and maps nested directly in one another end, within
/// [`MAX_NESTING`] levels, in something else.
fn check_nesting(shapes: &[Shape], shape: &Shape) -> Result<(), String> {
    let mut chain = vec![shape.name.as_str()];
    let mut kind = &shape.kind;
    while let Some(next) = element(kind) {
        let next = &shapes[next.0];
        if next.name == shape.name {
            return Err(format!(
                "holds itself through lists and maps only ({} -> {}), a type without end; put a structure in the cycle",
                chain.join(" -> "),
                shape.name
            ));
        }
        if chain.len() > MAX_NESTING {
            return Err(format!(
                "nests lists and maps more than {MAX_NESTING} deep ({} -> ...) or reaches such a cycle; put a structure in between",
                chain[..4].join(" -> ")
            ));
        }
        chain.push(&next.name);
        kind = &next.kind;
    }
    Ok(())
}

/// The shapes a value of `kind` holds: a structure's or union's members, a
/// list's member, a map's value (its key is a string).
fn children(kind: &ShapeKind) -> Vec<ShapeId> {
    match kind {
        ShapeKind::Structure(s) | ShapeKind::Union(Union { structure: s, .. }) => {
            s.members.iter().map(|m| m.target).collect()
        }
        _ => element(kind).into_iter().collect(),
    }
}

/// Checks that no type reaches more than [`MAX_DEPTH`] shapes deep; on
/// failure, names the shape that starts the deepest chain. Iterative
/// throughout (Tarjan's components, then the longest path over them), so a
/// hostile chain thousands deep cannot exhaust the stack.
fn check_depth(shapes: &[Shape]) -> Result<(), (String, String)> {
    let edges: Vec<Vec<ShapeId>> = shapes.iter().map(|s| children(&s.kind)).collect();
    let n = shapes.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
    let (mut component, mut sizes) = (vec![0; n], Vec::<usize>::new());
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut calls = vec![(root, 0)];
        (index[root], low[root], on_stack[root]) = (next, next, true);
        stack.push(root);
        next += 1;
        while let Some((v, position)) = calls.last_mut() {
            let v = *v;
            if let Some(w) = edges[v].get(*position).map(|id| id.0) {
                *position += 1;
                if index[w] == usize::MAX {
                    (index[w], low[w], on_stack[w]) = (next, next, true);
                    stack.push(w);
                    next += 1;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some((u, _)) = calls.last() {
                low[*u] = low[*u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut size = 0;
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = sizes.len();
                    size += 1;
                    if w == v {
                        break;
                    }
                }
                sizes.push(size);
            }
        }
    }
    // Tarjan completes a component after every component it reaches, so
    // components in numbering order see their successors' depths first.
    let mut successors = vec![Vec::new(); sizes.len()];
    for (v, targets) in edges.iter().enumerate() {
        for w in targets {
            if component[w.0] != component[v] {
                successors[component[v]].push(component[w.0]);
            }
        }
    }
    let mut depth = vec![0; sizes.len()];
    for c in 0..sizes.len() {
        depth[c] = sizes[c] + successors[c].iter().map(|s| depth[*s]).max().unwrap_or(0);
    }
    let deepest = (0..n).max_by_key(|v| (depth[component[*v]], std::cmp::Reverse(*v)));
    let Some(start) = deepest.filter(|v| depth[component[*v]] > MAX_DEPTH) else {
        return Ok(());
    };
    let mut chain = vec![shapes[start].name.as_str()];
    let mut at = start;
    while chain.len() < 4 {
        let Some(w) = edges[at]
            .iter()
            .map(|id| id.0)
            .filter(|w| *w != at)
            .max_by_key(|w| depth[component[*w]])
        else {
            break;
        };
        chain.push(&shapes[w].name);
        at = w;
    }
    Err((
        shapes[start].name.clone(),
        format!(
            "its type reaches {} shapes deep ({} -> ...), more than {MAX_DEPTH}, beyond what rustc can check; flatten the chain or make part of it a document",
            depth[component[start]],
            chain.join(" -> ")
        ),
    ))
}

/// The timestamp shape a value holds directly or through lists and maps.
/// Bounded by the number of shapes, so a cycle of lists and maps (reported
/// by [`check_nesting`]) ends too.
fn timestamp_within(shapes: &[Shape], id: ShapeId) -> Option<&ShapeKind> {
    let mut kind = &shapes[id.0].kind;
    for _ in 0..=shapes.len() {
        match kind {
            ShapeKind::Timestamp { .. } => return Some(kind),
            _ => kind = &shapes[element(kind)?.0].kind,
        }
    }
    None
}

/// Decides the timestamp format of every member that holds timestamps: the
/// member's own, else its timestamp shape's, else the default of where the
/// member travels (epoch seconds in JSON, HTTP dates in headers, RFC 3339 in
/// URIs and queries).
fn resolve_timestamp_formats(shapes: &mut [Shape], body_default: TimestampFormat) {
    let formats: Vec<Vec<Option<TimestampFormat>>> = shapes
        .iter()
        .map(|shape| match &shape.kind {
            ShapeKind::Structure(s) | ShapeKind::Union(Union { structure: s, .. }) => s
                .members
                .iter()
                .map(|member| {
                    let Some(ShapeKind::Timestamp { format }) =
                        timestamp_within(shapes, member.target)
                    else {
                        return None;
                    };
                    Some(
                        member
                            .timestamp_format
                            .or(*format)
                            .unwrap_or(match member.location {
                                Location::Header | Location::Headers => TimestampFormat::HttpDate,
                                Location::Uri | Location::Query => TimestampFormat::DateTime,
                                Location::Body | Location::StatusCode => body_default,
                            }),
                    )
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    for (shape, formats) in shapes.iter_mut().zip(formats) {
        if let ShapeKind::Structure(s) | ShapeKind::Union(Union { structure: s, .. }) =
            &mut shape.kind
        {
            for (member, format) in s.members.iter_mut().zip(formats) {
                member.timestamp_format = format;
            }
        }
    }
}

fn docs(html: Option<&str>) -> Vec<String> {
    html.map(html_to_rustdoc).unwrap_or_default()
}

/// Marks which shapes get a Rust type in `types` (those reachable through
/// members, lists and maps from operation inputs, outputs and errors) and in
/// which directions they travel.
fn mark_emitted(shapes: &mut [Shape], operations: &[Operation]) {
    let inputs = operations
        .iter()
        .flat_map(|op| op.input.structure.members.iter().map(|m| m.target));
    for id in reachable(shapes, inputs.collect()) {
        shapes[id.0].serialized = true;
    }
    let outputs = operations.iter().flat_map(|op| {
        let members = op.output.structure.members.iter().map(|m| m.target);
        members.chain(op.errors.iter().copied())
    });
    for id in reachable(shapes, outputs.collect()) {
        shapes[id.0].deserialized = true;
    }
    for shape in shapes.iter_mut() {
        shape.emitted = shape.serialized || shape.deserialized;
    }
}

/// The shapes reachable from `roots` through members, list members and map values.
fn reachable(shapes: &[Shape], mut stack: Vec<ShapeId>) -> BTreeSet<ShapeId> {
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match &shapes[id.0].kind {
            ShapeKind::List { member } => stack.push(*member),
            ShapeKind::Map { key, value } => stack.extend([*key, *value]),
            ShapeKind::Structure(s) => stack.extend(s.members.iter().map(|m| m.target)),
            ShapeKind::Union(union) => {
                stack.extend(union.structure.members.iter().map(|m| m.target));
                if let Some(stream) = &union.event_stream {
                    stack.extend(stream.errors.iter().map(|m| m.target));
                }
            }
            _ => {}
        }
    }
    seen
}

/// Gives every emitted structure and enum a unique Rust type name in its
/// module (`types` or, for errors, `types::error`).
fn name_types(shapes: &mut [Shape]) {
    let mut types = Namespace::default();
    let mut errors = Namespace::with_reserved(&[UNHANDLED]);
    for shape in shapes.iter_mut().filter(|s| s.emitted) {
        let namespace = match &shape.kind {
            ShapeKind::Structure(s) if s.error.is_some() => &mut errors,
            ShapeKind::Structure(_) | ShapeKind::Union(_) | ShapeKind::Enum(_) => &mut types,
            _ => continue,
        };
        // Shape names were checked when the shape was read; this cannot fail here.
        let plain =
            naming::sanitize(&shape.name, Case::UpperCamel).unwrap_or_else(|_| shape.name.clone());
        shape.rust_name = namespace.claim(&plain, "Shape", |_| Vec::new());
    }
    // An event stream's error enum: `{Stream}Error` beside the error shapes.
    for shape in shapes.iter_mut().filter(|s| s.emitted) {
        if let ShapeKind::Union(Union {
            event_stream: Some(stream),
            ..
        }) = &mut shape.kind
        {
            let plain = naming::derived::event_stream_error(&shape.rust_name);
            stream.error_rust_name = errors.claim(&plain, "Stream", |_| Vec::new());
        }
    }
}

/// Boxes every member whose target structure can reach the member's own
/// structure through members held by value: the cycles that would
/// otherwise make a type of infinite size.
fn box_recursion(shapes: &mut [Shape]) {
    // Edges through members held by value: structures and unions (lists and maps already indirect).
    let by_value = |id: &ShapeId| {
        matches!(
            shapes[id.0].kind,
            ShapeKind::Structure(_) | ShapeKind::Union(_)
        )
    };
    let edges: Vec<Vec<ShapeId>> = shapes
        .iter()
        .map(|shape| match &shape.kind {
            ShapeKind::Structure(s) | ShapeKind::Union(Union { structure: s, .. }) => s
                .members
                .iter()
                .map(|m| m.target)
                .filter(by_value)
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let reaches = |from: ShapeId, to: ShapeId| -> bool {
        let mut seen = vec![false; edges.len()];
        let mut stack = vec![from];
        while let Some(id) = stack.pop() {
            if id == to {
                return true;
            }
            if !std::mem::replace(&mut seen[id.0], true) {
                stack.extend(edges[id.0].iter().copied());
            }
        }
        false
    };
    let mut boxed = Vec::new();
    for (i, targets) in edges.iter().enumerate() {
        for target in targets {
            if reaches(*target, ShapeId(i)) {
                boxed.push((i, *target));
            }
        }
    }
    for (i, target) in boxed {
        if let ShapeKind::Structure(s) | ShapeKind::Union(Union { structure: s, .. }) =
            &mut shapes[i].kind
        {
            for member in s.members.iter_mut().filter(|m| m.target == target) {
                member.boxed = true;
            }
        }
    }
}

/// The declaration of an `xmlNamespace` trait.
fn xml_namespace(namespace: &model::XmlNamespace) -> XmlNamespace {
    match namespace {
        model::XmlNamespace::Uri(uri) => XmlNamespace {
            attribute: "xmlns".to_owned(),
            uri: uri.clone(),
        },
        model::XmlNamespace::Prefixed { prefix, uri } => XmlNamespace {
            attribute: match prefix.as_deref().filter(|p| !p.is_empty()) {
                Some(prefix) => format!("xmlns:{prefix}"),
                None => "xmlns".to_owned(),
            },
            uri: uri.clone(),
        },
    }
}
