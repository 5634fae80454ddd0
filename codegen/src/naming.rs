//! The one place where model names become Rust names.
//!
//! Policy:
//! - case conversion by `heck` (`UpperCamelCase` for types and variants,
//!   `snake_case` for members, methods and modules);
//! - characters that cannot appear in a Rust identifier (anything not
//!   `XID_Continue`, as `unicode-ident` checks: `-`, `²`, `①`, control
//!   characters) separate words and are dropped;
//! - a name that starts with a character that can continue but not start an
//!   identifier (a digit of any script) gets a leading `_`;
//! - keywords stay as they are and are emitted as raw identifiers (`r#type`),
//!   except `self`, `super` and `crate`, which cannot be raw and get a
//!   trailing `_`, and `Self`, which becomes `SelfValue`;
//! - a name with nothing left after this is an error.
//!
//! Collisions (two model names that map to one Rust name, or a model name
//! that clashes with a name the generator introduces) are settled by
//! [`Namespace`].

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};
use unicode_ident::{is_xid_continue, is_xid_start};

/// Rust's keywords (strict and reserved, 2021 edition and later).
pub const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// The case a name is converted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Types and enum variants.
    UpperCamel,
    /// Members, methods, modules.
    Snake,
}

/// Converts a model name to a Rust name in `case`, or says why it cannot be one.
///
/// The result is always a valid Rust identifier (as [`unicode_ident`] checks
/// `XID_Start`/`XID_Continue`), possibly a keyword that [`ident`] makes raw.
pub fn sanitize(raw: &str, case: Case) -> Result<String, String> {
    if raw.is_empty() {
        return Err("the name is empty".to_owned());
    }
    // Characters that cannot continue an identifier (`²`, `①`, `-`, control
    // characters) separate words, like spaces; heck would keep `²` and `①`
    // inside a word since they are alphanumeric.
    let spaced: String = raw
        .chars()
        .map(|c| if is_xid_continue(c) { c } else { ' ' })
        .collect();
    let converted = match case {
        Case::UpperCamel => spaced.to_upper_camel_case(),
        Case::Snake => spaced.to_snake_case(),
    };
    // Case conversion can make characters an identifier cannot hold; they go too.
    let mut name: String = converted
        .chars()
        .filter(|c| *c == '_' || is_xid_continue(*c))
        .collect();
    if name.trim_matches('_').is_empty() {
        return Err(format!(
            "`{}` has no characters that can form a Rust identifier",
            raw.escape_debug()
        ));
    }
    // A digit of any script (`2`, `٣`) can continue an identifier but not start it.
    if !name.starts_with(|c: char| c == '_' || is_xid_start(c)) {
        name.insert(0, '_');
    }
    if NOT_RAW.contains(&name.as_str()) {
        // `Self_` would make derived names (`Self_Input`) that are not camel case.
        name.push_str(match case {
            Case::UpperCamel => "Value",
            Case::Snake => "_",
        });
    }
    Ok(name)
}

/// Whether `name` is a Rust identifier (not checking keywords).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || is_xid_start(c))
        && chars.all(is_xid_continue)
        && name != "_"
}

/// The identifier for a name produced by [`sanitize`]: raw for keywords.
pub fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The crate name for a service id: lowercase words joined by `-`
/// (`IoT Jobs Data Plane` -> `iot-jobs-data-plane`).
pub fn crate_name(service_id: &str) -> Result<String, String> {
    let words: Vec<String> = service_id
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        return Err(format!(
            "service id `{service_id}` has no letters or digits for a crate name"
        ));
    }
    let name = words.join("-");
    // Cargo refuses a package named with a digit first or a keyword (a lib
    // `self` cannot even be named), and warns on names it or std uses.
    if name.starts_with(|c: char| c.is_ascii_digit())
        || KEYWORDS.contains(&lib_name(&name).as_str())
        || CARGO_RESERVED.contains(&name.as_str())
    {
        return Ok(format!("aws-{name}"));
    }
    Ok(name)
}

/// Package names Cargo rejects or warns about besides keywords: its own
/// directory names, the standard library's crates, and Windows device names.
const CARGO_RESERVED: &[&str] = &[
    "alloc",
    "aux",
    "build",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "con",
    "core",
    "deps",
    "examples",
    "incremental",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
    "nul",
    "prn",
    "proc-macro",
    "std",
    "test",
];

/// Names the generator derives from names it has already decided. They live
/// in modules of their own (`builders`, an operation's module), where
/// nothing else can take them.
pub mod derived {
    /// The builder of type `name` (`JobExecutionBuilder`).
    pub fn builder(name: &str) -> String {
        format!("{name}Builder")
    }

    /// The fluent builder of operation `name` (`DescribeJobExecutionFluentBuilder`).
    pub fn fluent_builder(name: &str) -> String {
        format!("{name}FluentBuilder")
    }

    /// The synthetic input of operation `name` (`DescribeJobExecutionInput`).
    pub fn input(name: &str) -> String {
        format!("{name}Input")
    }

    /// The synthetic output of operation `name` (`DescribeJobExecutionOutput`).
    pub fn output(name: &str) -> String {
        format!("{name}Output")
    }

    /// The error enum of operation `name` (`DescribeJobExecutionError`).
    pub fn operation_error(name: &str) -> String {
        format!("{name}Error")
    }

    /// The error enum of event stream `name`, in `types::error`
    /// (`ResponseStreamError`).
    pub fn event_stream_error(name: &str) -> String {
        format!("{name}Error")
    }

    /// The accessor of union member `name` (`as_string_value`).
    pub fn union_as(name: &str) -> String {
        format!("as_{name}")
    }

    /// The test of union member `name` (`is_string_value`).
    pub fn union_is(name: &str) -> String {
        format!("is_{name}")
    }

    /// The setter taking the whole `Option` of member `name` (`set_thing_name`).
    pub fn setter(name: &str) -> String {
        format!("set_{name}")
    }

    /// The paginator of operation `name` (`ListTablesPaginator`).
    pub fn paginator(name: &str) -> String {
        format!("{name}Paginator")
    }

    /// The item paginator of operation `name` (`ListTablesPaginatorItems`).
    pub fn paginator_items(name: &str) -> String {
        format!("{name}PaginatorItems")
    }

    /// The builder of waiter `name`, a Rust type name (`WaitUntilTableExists`).
    pub fn waiter(name: &str) -> String {
        format!("WaitUntil{name}")
    }

    /// The client method of waiter `name`, a Rust snake-case name (`wait_until_table_exists`).
    pub fn waiter_method(name: &str) -> String {
        format!("wait_until_{name}")
    }
}

/// Names on the wire that protocols derive from the model's names.
pub mod wire {
    /// EC2 query's request key of a member: `queryName`, else its
    /// `locationName` with the first letter in upper case, else its name.
    pub fn ec2_query_key(
        name: &str,
        location_name: Option<&str>,
        query_name: Option<&str>,
    ) -> String {
        if let Some(query_name) = query_name {
            return query_name.to_owned();
        }
        match location_name {
            Some(location) => {
                let mut chars = location.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
            None => name.to_owned(),
        }
    }

    /// awsQuery's output element: `{operation}Result`.
    pub fn query_result(operation: &str) -> String {
        format!("{operation}Result")
    }
}

/// The services whose clients `sdk-credentials` is built on (their service
/// ids): STS, for roles and web identity, and SSO, for `GetRoleCredentials`.
/// Their crates cannot have the `credentials` feature, which would make
/// them depend on themselves; their users set the exchange by hand
/// (`ConfigBuilder::credentials_exchange`).
pub const CREDENTIALS_SERVICES: &[&str] = &["STS", "SSO"];

/// Whether `service_id` is one of [`CREDENTIALS_SERVICES`].
pub fn is_credentials_service(service_id: &str) -> bool {
    CREDENTIALS_SERVICES.contains(&service_id)
}

/// The names the opt-in `serde` derives give a structure's or union's
/// members: each member's wire name, except that a member whose wire name an
/// earlier member already took (XML lets a flattened list's items carry
/// another member's element name: S3's `Event` and `Events` are both
/// `<Event>`) takes its model name instead, then that name with its position,
/// so that no two fields of one derive share a name.
pub fn serde_names<'a>(members: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut taken = BTreeSet::new();
    let mut names = Vec::new();
    for (position, (model, wire)) in members.into_iter().enumerate() {
        let name = [
            wire.to_owned(),
            model.to_owned(),
            format!("{model}{position}"),
        ]
        .into_iter()
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| format!("{model}_{position}"));
        taken.insert(name.clone());
        names.push(name);
    }
    names
}

/// The library name of a crate (`iot_jobs_data_plane`), as `use` statements spell it.
pub fn lib_name(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// Names the generator introduces, which model names must not take.
pub mod reserved {
    /// Method names a member's getter and setters must not take: the
    /// generator's own methods on structures, builders and fluent builders,
    /// and the methods of std traits (`sub`, `clone`, `next`, ...) that a
    /// reader, and clippy's `should_implement_trait`, would take them for.
    pub const MEMBER_METHODS: &[&str] = &[
        // structures and builders
        "build",
        "builder",
        "from_response",
        // fluent builders
        "send",
        "send_blocking",
        "as_input",
        "into_paginator",
        "wait",
        "wait_blocking",
        "config",
        "config_override",
        "new",
        // std trait methods
        "add",
        "as_mut",
        "as_ref",
        "bitand",
        "bitor",
        "bitxor",
        "borrow",
        "borrow_mut",
        "clone",
        "cmp",
        "default",
        "deref",
        "deref_mut",
        "div",
        "drop",
        "eq",
        "from_iter",
        "from_str",
        "hash",
        "index",
        "index_mut",
        "into_iter",
        "mul",
        "neg",
        "next",
        "not",
        "rem",
        "shl",
        "shr",
        "sub",
    ];

    /// Names an operation's module (which is also its `Client` method and
    /// the stem of its files) must not take: `Client`'s own methods, and the
    /// modules that sit next to the operations' (`protocol/shapes.rs`).
    pub const OPERATION_MODULES: &[&str] =
        &["builders", "clone", "config", "fmt", "from_conf", "shapes"];

    /// Methods a union has besides its members' `as_*`/`is_*`.
    pub const UNION_METHODS: &[&str] = &["is_unknown"];

    /// The catch-all variant of every error enum.
    pub const UNHANDLED: &str = "Unhandled";

    /// The variant for values (enums) and members (unions) this crate does not know.
    pub const UNKNOWN: &str = "Unknown";
}

/// A set of names in one Rust scope that hands out unique names.
///
/// Names are taken in model order, so the result is deterministic: the first
/// model name keeps the plain Rust name, a later one that maps to the same
/// name (or one that clashes with a reserved name) gets a suffix. Whoever
/// claims a name says, through [`renamed_note`], what the model called it.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace in which `reserved` (names the generator introduces) are taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Takes `name`, or, if it is taken, `name` + `suffix` (then with `2`, `3`, ...).
    /// `related` are names derived from the result (a setter `set_x` for a
    /// member `x`) that must be free too; they are taken with it.
    pub fn claim(
        &mut self,
        name: &str,
        suffix: &str,
        related: impl Fn(&str) -> Vec<String>,
    ) -> String {
        // `self_` + `_value` is `self_value`: a doubled `_` is not snake case.
        let stem = match suffix.starts_with('_') {
            true => name.trim_end_matches('_'),
            false => name,
        };
        let mut candidate = name.to_owned();
        let mut n = 1;
        loop {
            let derived = related(&candidate);
            let free = !self.is_taken(&candidate) && derived.iter().all(|d| !self.is_taken(d));
            if free {
                self.taken.insert(candidate.clone());
                self.taken.extend(derived);
                return candidate;
            }
            n += 1;
            candidate = if n == 2 {
                format!("{stem}{suffix}")
            } else {
                format!("{stem}{suffix}{n}")
            };
        }
    }
}

/// The documentation line saying that `rust` stands for the model's `model`
/// because the plain name was taken; `None` when nothing was renamed.
pub fn renamed_note(model: &str, plain: &str, rust: &str) -> Option<String> {
    (plain != rust).then(|| {
        format!("Named `{rust}` in Rust: `{model}` in the model, whose plain name `{plain}` is taken here.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(sanitize("thingName", Case::Snake).unwrap(), "thing_name");
        assert_eq!(
            sanitize("JobExecution", Case::UpperCamel).unwrap(),
            "JobExecution"
        );
        assert_eq!(
            sanitize("IN_PROGRESS", Case::UpperCamel).unwrap(),
            "InProgress"
        );
        assert_eq!(
            sanitize("DescribeJobExecution", Case::Snake).unwrap(),
            "describe_job_execution"
        );
        assert_eq!(sanitize("foo-bar.baz", Case::Snake).unwrap(), "foo_bar_baz");
        assert_eq!(sanitize("t2.micro", Case::UpperCamel).unwrap(), "T2Micro");
        assert_eq!(
            sanitize("application/json", Case::UpperCamel).unwrap(),
            "ApplicationJson"
        );
    }

    #[test]
    fn leading_digits_get_underscore() {
        assert_eq!(sanitize("1", Case::UpperCamel).unwrap(), "_1");
        assert_eq!(sanitize("2xlarge", Case::Snake).unwrap(), "_2xlarge");
    }

    #[test]
    fn names_without_identifier_characters_are_errors() {
        for raw in ["$", "---", "_", "__", "* /", "①", "²", "\r\n", "\u{2028}"] {
            for case in [Case::Snake, Case::UpperCamel] {
                let err = sanitize(raw, case).unwrap_err();
                assert!(err.contains("no characters"), "{raw}: {err}");
            }
        }
        assert_eq!(sanitize("", Case::Snake).unwrap_err(), "the name is empty");
    }

    #[test]
    fn only_identifier_characters_are_kept() {
        // Superscripts and circled digits are alphanumeric but not XID_Continue.
        assert_eq!(sanitize("a²", Case::Snake).unwrap(), "a");
        assert_eq!(sanitize("x¹y", Case::Snake).unwrap(), "x_y");
        assert_eq!(sanitize("x¹y", Case::UpperCamel).unwrap(), "XY");
        assert_eq!(sanitize("①a", Case::UpperCamel).unwrap(), "A");
        // A digit of another script continues but cannot start an identifier.
        assert_eq!(sanitize("٣abc", Case::Snake).unwrap(), "_٣abc");
        assert_eq!(sanitize("a\rb", Case::Snake).unwrap(), "a_b");
        assert_eq!(sanitize("größe", Case::UpperCamel).unwrap(), "Größe");
        assert_eq!(sanitize("名前", Case::Snake).unwrap(), "名前");
    }

    #[test]
    fn every_sanitized_name_is_an_identifier() {
        // Every character of the Basic Multilingual Plane and every 16th of
        // the next two, alone and between letters.
        let chars = (0..0x1_0000u32).chain((0x1_0000..0x3_0000).step_by(16));
        for c in chars.filter_map(char::from_u32) {
            for raw in [
                c.to_string(),
                format!("a{c}"),
                format!("{c}b"),
                format!("a{c}b"),
            ] {
                for case in [Case::Snake, Case::UpperCamel] {
                    if let Ok(name) = sanitize(&raw, case) {
                        assert!(is_identifier(&name), "{raw:?} -> {name:?}");
                        // proc-macro2 panics on an invalid identifier.
                        let _ = ident(&name);
                    }
                }
            }
        }
    }

    #[test]
    fn every_keyword_becomes_a_valid_identifier() {
        for keyword in KEYWORDS {
            for case in [Case::Snake, Case::UpperCamel] {
                let name = sanitize(keyword, case).unwrap();
                let ident = ident(&name);
                // Parsing proves the identifier is usable where a field or type name goes.
                let field: syn::Field = syn::parse_quote!(pub #ident: u8);
                assert_eq!(
                    field.ident.unwrap().to_string().trim_start_matches("r#"),
                    name
                );
                let item: syn::ItemStruct = syn::parse_quote!(pub struct #ident;);
                assert_eq!(item.ident, ident);
            }
        }
    }

    #[test]
    fn non_raw_keywords_get_suffix() {
        assert_eq!(sanitize("self", Case::Snake).unwrap(), "self_");
        assert_eq!(sanitize("Self", Case::UpperCamel).unwrap(), "SelfValue");
        assert_eq!(sanitize("super", Case::Snake).unwrap(), "super_");
        assert_eq!(sanitize("crate", Case::Snake).unwrap(), "crate_");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("match").to_string(), "r#match");
        assert_eq!(ident("thing_name").to_string(), "thing_name");
    }

    #[test]
    fn serde_names_are_wire_names_until_two_share_one() {
        let names = serde_names([
            ("Id", "Id"),
            ("Event", "Event"),
            ("Events", "Event"),
            ("Event1", "Events"),
            ("Other", "Events"),
        ]);
        assert_eq!(names, ["Id", "Event", "Events", "Event1", "Other"]);
        let names = serde_names([("A", "X"), ("X", "A"), ("B", "X")]);
        assert_eq!(names, ["X", "A", "B"]);
        let names = serde_names([("A", "X"), ("X", "X"), ("B", "X"), ("A1", "X")]);
        assert_eq!(names[..3], ["X", "X1", "B"]);
        assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), 4);
    }

    #[test]
    fn crate_names() {
        assert_eq!(
            crate_name("IoT Jobs Data Plane").unwrap(),
            "iot-jobs-data-plane"
        );
        assert_eq!(crate_name("S3").unwrap(), "s3");
        assert_eq!(crate_name("Route 53 Domains").unwrap(), "route-53-domains");
        assert!(crate_name(" - ").is_err());
        // Keywords and names Cargo or std use get a prefix, like a leading digit.
        assert_eq!(crate_name("Self").unwrap(), "aws-self");
        assert_eq!(crate_name("type").unwrap(), "aws-type");
        assert_eq!(crate_name("STD").unwrap(), "aws-std");
        assert_eq!(crate_name("Proc Macro").unwrap(), "aws-proc-macro");
        assert_eq!(crate_name("2fa").unwrap(), "aws-2fa");
    }

    #[test]
    fn namespace_settles_collisions_in_order() {
        let mut ns = Namespace::with_reserved(&["build"]);
        let setter = |n: &str| vec![format!("set_{n}")];
        assert_eq!(ns.claim("foo", "_value", setter), "foo");
        assert_eq!(ns.claim("foo", "_value", setter), "foo_value");
        assert_eq!(ns.claim("foo", "_value", setter), "foo_value3");
        assert_eq!(ns.claim("build", "_value", setter), "build_value");
        // A member `set_bar` would clash with the setter of `bar`.
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("bar", "_value", setter), "bar");
        assert_eq!(ns.claim("set_bar", "_value", setter), "set_bar_value");
        assert!(ns.is_taken("set_set_bar_value"));
    }
}
