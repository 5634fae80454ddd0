//! The XML codec: a response body becomes a small tree of [`Element`]s
//! (quick-xml tokenizes, resolves entities and character references), which
//! the generated readers walk by element name; a request body is written by
//! the generated [`XmlWrite`] impls through an [`XmlWriter`] (quick-xml's
//! writer, which escapes text and attribute values).
//!
//! Names are compared without their namespace prefix (`ns:Foo` is `Foo`),
//! as botocore does; attributes keep their qualified names (`xsi:type`).
//! Text is the concatenation of an element's text, CDATA and references;
//! a value's text is read with [`FromParam`], the text rules that headers
//! use (numbers trimmed, `NaN` / `Infinity` / `-Infinity`, `true` /
//! `false`, blobs base64).
//!
//! Limits: elements nest at most [`MAX_DEPTH`] deep, so a hostile body
//! cannot exhaust the stack of the readers or of dropping the tree.

use std::fmt;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::protocol::rest::param::{Formatted, FromParam, ToParam};
use crate::value::{DateTime, TimestampFormat};

/// How deep elements may nest in a response (the deepest AWS response
/// shapes nest a few dozen levels, lists and maps included).
pub const MAX_DEPTH: usize = 256;

/// An XML body that cannot be read, or a value in it that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    message: String,
}

impl XmlError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid XML body: {}", self.message)
    }
}

impl std::error::Error for XmlError {}

/// An element: its local name, attributes, child elements and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    name: String,
    qualified: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    /// The element's name without namespace prefix.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The child elements, in document order.
    pub fn children(&self) -> &[Element] {
        &self.children
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The element's text (its character data, references resolved).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The element's name as written, with any namespace prefix.
    pub fn qualified_name(&self) -> &str {
        &self.qualified
    }

    /// Every attribute (qualified name, value), in document order.
    pub fn attribute_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of the attribute with the qualified name `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_owned()
}

fn start(event: &quick_xml::events::BytesStart<'_>) -> Result<Element, XmlError> {
    let qualified: String = event.name().as_ref().to_owned();
    let mut element = Element {
        name: local(&qualified),
        qualified,
        ..Element::default()
    };
    for attribute in event.attributes() {
        let attribute = attribute.map_err(|e| XmlError::new(e.to_string()))?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::new(e.to_string()))?
            .into_owned();
        element.attributes.push((key, value));
    }
    Ok(element)
}

/// Parses a whole body into its root element.
pub fn parse(body: &[u8]) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(body).map_err(|_| XmlError::new("the body is not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError::new(format!("at byte {}: {e}", reader.error_position())))?;
        let finished = match event {
            Event::Start(event) => {
                if root.is_some() {
                    return Err(XmlError::new("content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::new(format!(
                        "elements nest more than {MAX_DEPTH} deep"
                    )));
                }
                stack.push(start(&event)?);
                None
            }
            Event::Empty(event) => Some(start(&event)?),
            Event::End(_) => stack.pop(),
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text.xml10_content());
                } else if !text.xml10_content().trim().is_empty() {
                    return Err(XmlError::new("text outside the root element"));
                }
                None
            }
            Event::CData(data) => {
                let data = data.xml10_content();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&data),
                    None => return Err(XmlError::new("CDATA outside the root element")),
                }
                None
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|e| XmlError::new(e.to_string()))?
                {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference.into_inner();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| XmlError::new(format!("unknown entity `&{name};`")))?
                            .to_owned()
                    }
                };
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&resolved),
                    None => return Err(XmlError::new("a reference outside the root element")),
                }
                None
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => None,
        };
        if let Some(element) = finished {
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None if root.is_none() => root = Some(element),
                None => return Err(XmlError::new("more than one root element")),
            }
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::new("the body ends inside an element"));
    }
    root.ok_or_else(|| XmlError::new("no root element"))
}

/// A value read from an element: scalars from its text, structures,
/// unions and enums by generated impls.
pub trait XmlRead: Sized {
    /// Reads the value of `element`; `format` is the timestamp format of
    /// the member it belongs to.
    fn read_xml(element: &Element, format: TimestampFormat) -> Result<Self, XmlError>;
}

macro_rules! scalar_read {
    ($($ty:ty),*) => {$(
        impl XmlRead for $ty {
            fn read_xml(element: &Element, _format: TimestampFormat) -> Result<Self, XmlError> {
                scalar(element)
            }
        }
    )*};
}

scalar_read!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    f32,
    f64,
    crate::value::Blob
);

impl XmlRead for DateTime {
    fn read_xml(element: &Element, format: TimestampFormat) -> Result<Self, XmlError> {
        DateTime::parse(element.text().trim(), format)
            .map_err(|e| XmlError::new(format!("<{}>: {e}", element.name())))
    }
}

/// The text of `element` as a scalar.
pub fn scalar<T: FromParam>(element: &Element) -> Result<T, XmlError> {
    T::from_param(element.text()).map_err(|e| XmlError::new(format!("<{}>: {e}", element.name())))
}

/// The items of a wrapped list: every child element of `element`, each
/// read by `item`.
pub fn list<T>(
    element: &Element,
    item: impl Fn(&Element) -> Result<T, XmlError>,
) -> Result<Vec<T>, XmlError> {
    element.children().iter().map(item).collect()
}

/// One entry of a map: its `key` and `value` children, read by `read_key`
/// and `read_value`. An entry without a key or value fails.
pub fn entry<K, V>(
    entry: &Element,
    key: &str,
    value: &str,
    read_key: impl Fn(&Element) -> Result<K, XmlError>,
    read_value: impl Fn(&Element) -> Result<V, XmlError>,
) -> Result<(K, V), XmlError> {
    let missing = |part: &str| XmlError::new(format!("<{}> has no <{part}>", entry.name()));
    let k = read_key(entry.child(key).ok_or_else(|| missing(key))?)?;
    let v = read_value(entry.child(value).ok_or_else(|| missing(value))?)?;
    Ok((k, v))
}

/// A wrapped map: every child element of `element` is an entry.
pub fn map<K: std::hash::Hash + Eq, V>(
    element: &Element,
    key: &str,
    value: &str,
    read_key: impl Fn(&Element) -> Result<K, XmlError>,
    read_value: impl Fn(&Element) -> Result<V, XmlError>,
) -> Result<std::collections::HashMap<K, V>, XmlError> {
    element
        .children()
        .iter()
        .map(|e| entry(e, key, value, &read_key, &read_value))
        .collect()
}

/// The value of the attribute `name` of `element`, read with [`FromParam`];
/// `None` when the element has no such attribute.
pub fn attribute<T: FromParam>(element: &Element, name: &str) -> Result<Option<T>, XmlError> {
    element
        .attribute(name)
        .map(|text| {
            T::from_param(text)
                .map_err(|e| XmlError::new(format!("<{}> attribute `{name}`: {e}", element.name())))
        })
        .transpose()
}

/// A namespace declaration: the attribute (`xmlns` or `xmlns:prefix`) and
/// the URI.
pub type Namespace = Option<(&'static str, &'static str)>;

/// Writes an XML document element by element. Text and attribute values are
/// escaped by quick-xml; names come from the model.
pub struct XmlWriter {
    writer: quick_xml::Writer<Vec<u8>>,
}

impl fmt::Debug for XmlWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XmlWriter")
            .field("written", &self.writer.get_ref().len())
            .finish()
    }
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// An empty document.
    pub fn new() -> Self {
        Self {
            writer: quick_xml::Writer::new(Vec::with_capacity(256)),
        }
    }

    fn write(&mut self, event: Event<'_>) {
        // Writing into a `Vec` cannot fail.
        let _ = self.writer.write_event(event);
    }

    /// Opens `<name>` with the namespace declaration and the attributes
    /// that have a value.
    pub fn start(&mut self, name: &str, namespace: Namespace, attributes: &[(&str, Option<&str>)]) {
        let mut start = quick_xml::events::BytesStart::new(name);
        if let Some(declaration) = namespace {
            start.push_attribute(declaration);
        }
        for (key, value) in attributes {
            if let Some(value) = value {
                start.push_attribute((*key, *value));
            }
        }
        self.write(Event::Start(start));
    }

    /// Closes `</name>`.
    pub fn end(&mut self, name: &str) {
        self.write(Event::End(quick_xml::events::BytesEnd::new(name)));
    }

    /// `<name>text</name>`.
    pub fn text_element(&mut self, name: &str, namespace: Namespace, text: &str) {
        self.start(name, namespace, &[]);
        if !text.is_empty() {
            self.write(Event::Text(quick_xml::events::BytesText::new(text)));
        }
        self.end(name);
    }

    /// The document's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.writer.into_inner()
    }
}

/// A value written as an element: scalars as their text, structures,
/// unions and enums by generated impls.
pub trait XmlWrite {
    /// Writes `self` as the element `name` (with `namespace` declared on
    /// it); `format` is the timestamp format of the member it belongs to.
    fn write_xml(
        &self,
        writer: &mut XmlWriter,
        name: &str,
        namespace: Namespace,
        format: TimestampFormat,
    );
}

impl<T: XmlWrite + ?Sized> XmlWrite for Box<T> {
    fn write_xml(
        &self,
        writer: &mut XmlWriter,
        name: &str,
        namespace: Namespace,
        format: TimestampFormat,
    ) {
        (**self).write_xml(writer, name, namespace, format);
    }
}

macro_rules! scalar_write {
    ($($ty:ty),*) => {$(
        impl XmlWrite for $ty {
            fn write_xml(&self, writer: &mut XmlWriter, name: &str, namespace: Namespace, _format: TimestampFormat) {
                writer.text_element(name, namespace, &self.to_param());
            }
        }
    )*};
}

scalar_write!(
    str,
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    f32,
    f64,
    crate::value::Blob
);

impl XmlWrite for DateTime {
    fn write_xml(
        &self,
        writer: &mut XmlWriter,
        name: &str,
        namespace: Namespace,
        format: TimestampFormat,
    ) {
        writer.text_element(name, namespace, &Formatted(self, format).to_param());
    }
}

/// A whole document: `value` as the root element `name`.
pub fn document<T: XmlWrite + ?Sized>(value: &T, name: &str, namespace: Namespace) -> Vec<u8> {
    let mut writer = XmlWriter::new();
    value.write_xml(&mut writer, name, namespace, TimestampFormat::DateTime);
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_names_text_and_attributes() {
        let root = parse(
            br#"<?xml version="1.0"?><a:Root xmlns:a="urn:x" id="7"><B>x &amp; y&#33;</B><B><![CDATA[<c>]]></B><E/></a:Root>"#,
        )
        .unwrap();
        assert_eq!(root.name(), "Root");
        assert_eq!(root.attribute("id"), Some("7"));
        assert_eq!(root.children().len(), 3);
        assert_eq!(root.children()[0].text(), "x & y!");
        assert_eq!(root.children()[1].text(), "<c>");
        assert_eq!(root.child("E").unwrap().text(), "");
    }

    #[test]
    fn broken_bodies_fail_cleanly() {
        for body in [
            &b""[..],
            b"<a>",
            b"<a></b>",
            b"<a/><b/>",
            b"text",
            b"<a>&bogus;</a>",
            b"\xff\xfe",
        ] {
            assert!(parse(body).is_err(), "{body:?}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("deep"));
        let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn scalars_lists_and_maps() {
        let root = parse(
            b"<R><n> 12 </n><f>-Infinity</f><t>true</t><l><m>1</m><m>2</m></l><d><entry><k>a</k><v>1</v></entry></d></R>",
        )
        .unwrap();
        let n: i32 = scalar(root.child("n").unwrap()).unwrap();
        assert_eq!(n, 12);
        let f: f64 = scalar(root.child("f").unwrap()).unwrap();
        assert_eq!(f, f64::NEG_INFINITY);
        assert!(bool::read_xml(root.child("t").unwrap(), TimestampFormat::DateTime).unwrap());
        let l = list(root.child("l").unwrap(), scalar::<i32>).unwrap();
        assert_eq!(l, [1, 2]);
        let d = map(
            root.child("d").unwrap(),
            "k",
            "v",
            scalar::<String>,
            scalar::<i64>,
        )
        .unwrap();
        assert_eq!(d["a"], 1);
        assert!(scalar::<i32>(root.child("t").unwrap()).is_err());
    }

    #[test]
    fn writer_escapes_and_round_trips() {
        let mut writer = XmlWriter::new();
        writer.start(
            "Root",
            Some(("xmlns:x", "urn:a&b")),
            &[("id", Some("1 < 2 \"q\"")), ("skip", None)],
        );
        writer.text_element("A", None, "x & <y>");
        "text"
            .to_owned()
            .write_xml(&mut writer, "S", None, TimestampFormat::DateTime);
        true.write_xml(&mut writer, "B", None, TimestampFormat::DateTime);
        f64::NEG_INFINITY.write_xml(&mut writer, "F", None, TimestampFormat::DateTime);
        writer.text_element("E", None, "");
        writer.end("Root");
        let body = writer.finish();
        let root = parse(&body).unwrap();
        assert_eq!(root.name(), "Root");
        assert_eq!(root.attribute("xmlns:x"), Some("urn:a&b"));
        assert_eq!(root.attribute("id"), Some("1 < 2 \"q\""));
        assert_eq!(root.attribute("skip"), None);
        assert_eq!(root.child("A").unwrap().text(), "x & <y>");
        assert_eq!(root.child("S").unwrap().text(), "text");
        assert_eq!(root.child("B").unwrap().text(), "true");
        assert_eq!(root.child("F").unwrap().text(), "-Infinity");
        assert_eq!(root.child("E").unwrap().text(), "");
        let n: Option<i32> = attribute(&parse(b"<a n=\"7\"/>").unwrap(), "n").unwrap();
        assert_eq!(n, Some(7));
        assert!(attribute::<i32>(&parse(b"<a n=\"x\"/>").unwrap(), "n").is_err());
    }
}
