//! The obstacle-course crate (generated from the test model
//! `model/obstacle-course`, built with `#![deny(warnings)]`)
//! on the wire: every binding location of one operation, payloads, hostile
//! names, in both directions, through the sans-IO functions.

use obstacle_course::operation::bind_everything::BindEverythingInput;
use obstacle_course::protocol::{bind_everything, echo_union, put_tree};
use obstacle_course::types::{Choice, Everything, Option as Kind, Tree};
use sdk_runtime::__private::bytes::Bytes;
use sdk_runtime::DateTime;

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Bytes> {
    let mut response = http::Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response.body(Bytes::from(body.to_owned())).unwrap()
}

#[test]
fn every_request_binding_of_one_operation() {
    let at = DateTime::from_secs(784_111_777);
    let input = BindEverythingInput::builder()
        .id("a b")
        .path("x/y z")
        .count(3)
        .flag(true)
        .since(at)
        .tags("t1")
        .tags("t,2")
        .filters("k", vec!["v1".to_owned(), "v2".to_owned()])
        .token("tok")
        .at(at)
        .at_iso(at)
        .big(-9)
        .ratio(1.5)
        .names("n1")
        .names("n,2")
        .times(at)
        .json("{\"a\":1}")
        .option(Kind::Some)
        .meta("one", "1")
        .idem("fixed")
        .body(Everything::builder().text("body text").build().unwrap())
        .build()
        .unwrap();
    let request = bind_everything::serialize_request(&input).unwrap();
    assert_eq!(request.method(), "POST");
    let uri = request.uri().to_string();
    assert!(
        uri.starts_with("/bind/a%20b/x/y%20z?fixed=1&flag-only&"),
        "{uri}"
    );
    for param in [
        "count=3",
        "flag=true",
        "since=1994-11-06T08%3A49%3A37Z",
        "tag=t1",
        "tag=t%2C2",
        "k=v1",
        "k=v2",
    ] {
        assert!(uri.contains(param), "{param} in {uri}");
    }
    let header = |name: &str| {
        request
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert_eq!(header("x-token"), "tok");
    assert_eq!(header("x-at"), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(header("x-at-iso"), "1994-11-06T08:49:37Z");
    assert_eq!(header("x-big"), "-9");
    assert_eq!(header("x-ratio"), "1.5");
    assert_eq!(header("x-names"), "n1, \"n,2\"");
    assert_eq!(header("x-times"), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(header("x-json"), "eyJhIjoxfQ==");
    assert_eq!(header("x-option"), "Some");
    assert_eq!(header("x-meta-one"), "1");
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"idem": "fixed", "body": {"text": "body text"}})
    );
}

#[test]
fn every_response_binding_of_one_operation() {
    let response = response(
        201,
        &[
            ("x-token", "tok"),
            ("x-at", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("x-names", "a, \"b,c\""),
            (
                "x-times",
                "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
            ),
            ("x-meta-one", "1"),
            ("x-json", "eyJhIjoxfQ=="),
        ],
        r#"{"body": {"text": "t", "option": "type", "choice": {"unknown": "u"},
            "tree": {"children": [{"label": "leaf"}], "byName": {"n": {"label": "m"}}, "parent": {"label": "p"}},
            "cube": [[["deep"]]], "whenIso": "1994-11-06T08:49:37Z", "whenHttp": "Sun, 06 Nov 1994 08:49:37 GMT",
            "whenOverridden": "Sun, 06 Nov 1994 08:49:37 GMT", "when": 784111777, "doc": {"a": [1, null]}}}"#,
    );
    let output = bind_everything::parse_response(&response).unwrap();
    let at = DateTime::from_secs(784_111_777);
    assert_eq!(output.status(), Some(201));
    assert_eq!(output.token(), Some("tok"));
    assert_eq!(output.at(), Some(at));
    assert_eq!(
        output.names(),
        Some(&["a".to_owned(), "b,c".to_owned()][..])
    );
    assert_eq!(output.times().map(<[DateTime]>::len), Some(2));
    assert_eq!(output.meta().unwrap()["one"], "1");
    assert_eq!(output.json(), Some("{\"a\":1}"));
    let body = output.body().unwrap();
    assert_eq!(body.option(), Some(&Kind::Type));
    // The union member named `unknown` is a member like any other.
    assert_eq!(
        body.choice().unwrap().as_unknown_value(),
        Some(&"u".to_owned())
    );
    let tree = body.tree().unwrap();
    assert_eq!(tree.children().unwrap()[0].label(), Some("leaf"));
    assert_eq!(tree.by_name().unwrap()["n"].label(), Some("m"));
    assert_eq!(tree.parent().unwrap().label(), Some("p"));
    assert_eq!(body.cube().unwrap()[0][0][0], "deep");
    for time in [
        body.when_iso(),
        body.when_http(),
        body.when_overridden(),
        body.when(),
    ] {
        assert_eq!(time, Some(at));
    }
}

#[test]
fn payloads_and_unions_round_trip() {
    let tree = Tree::builder()
        .label("root")
        .choice(Choice::Again(Box::new(Choice::Text("t".to_owned()))))
        .build();
    let input = obstacle_course::operation::put_tree::PutTreeInput::builder()
        .name("n")
        .tree(tree.clone())
        .build()
        .unwrap();
    let request = put_tree::serialize_request(&input).unwrap();
    assert_eq!(request.uri(), "/trees/n");
    let body = std::str::from_utf8(request.body()).unwrap().to_owned();
    assert_eq!(body, r#"{"label":"root","choice":{"again":{"text":"t"}}}"#);
    let output = put_tree::parse_response(&response(200, &[], &body)).unwrap();
    assert_eq!(output.tree(), Some(&tree));

    // A union member this crate does not know is kept by name.
    let output = echo_union::parse_response(&response(200, &[], r#"{"later": 1}"#)).unwrap();
    assert_eq!(output.choice(), Some(&Choice::Unknown("later".to_owned())));
}
