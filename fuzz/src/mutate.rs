//! Seeded structural mutation of service models.
//!
//! A case is a base model and a seed; the same pair always gives the same
//! mutated model, so a finding is reproduced from its seed alone. Mutations
//! act on the model's structure (shapes, members, operations, references),
//! not only on its bytes: hostile names, cycles through lists and maps, deep
//! nesting, dangling and retargeted references, wrong shape types and
//! bindings, control characters in any string, flipped traits.

use serde_json::{json, Map, Value};

/// The models mutations start from: name and JSON text.
pub const BASES: &[(&str, &str)] = &[
    (
        "iot-jobs-data-plane",
        include_str!("../../model/iot-jobs-data-plane/service-2.json"),
    ),
    (
        "obstacle-course",
        include_str!("../../model/obstacle-course/service-2.json"),
    ),
];

/// A small, fast pseudo-random generator (SplitMix64): deterministic per seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// [`Rng::pick`] for strings, where `&&str` would not coerce.
    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// Names that have broken, or could break, naming: not identifiers, keywords,
/// prelude and generator names, Unicode, control characters.
pub const HOSTILE_NAMES: &[&str] = &[
    "",
    "_",
    "__",
    "a²",
    "x¹",
    "①",
    "٣abc",
    "²",
    "self",
    "Self",
    "super",
    "crate",
    "type",
    "r#type",
    "fn",
    "async",
    "Config",
    "config",
    "Shapes",
    "shapes",
    "builders",
    "new",
    "build",
    "builder",
    "send",
    "send_blocking",
    "as_input",
    "from_conf",
    "Unknown",
    "unknown",
    "UnknownValue",
    "Unhandled",
    "is_unknown",
    "as_str",
    "code",
    "message",
    "Message",
    "Option",
    "Some",
    "None",
    "String",
    "Vec",
    "Result",
    "Ok",
    "Err",
    "Box",
    "std",
    "core",
    "Error",
    "Client",
    "error",
    "types",
    "operation",
    "protocol",
    "primitives",
    "SERVICE",
    "clone",
    "default",
    "fmt",
    "set_name",
    "\r",
    "a\rb",
    "a\nb",
    "a\u{2028}b",
    "\u{2029}",
    "\u{85}",
    "\u{0}",
    "\u{1b}[31m",
    "名前",
    "größe",
    "ǅemo",
    "İstanbul",
    "a-b",
    "a.b",
    "a b",
    "1abc",
    "0",
    "9",
    "\"",
    "\\",
    "'",
    "{}",
    "{",
    "}",
    "*/",
    "/*",
    "//",
    "`",
    "``",
    "<b>",
    "</p>",
    "&amp;",
    "&#0;",
    "\u{202e}abc",
    "\u{feff}",
    "\u{200d}",
    "a\u{301}",
    "ABC",
    "aBC",
    "HTTPServer",
    "x__y",
    "ß",
    "ﬁ",
    "ΣΑΣ",
];

/// Strings spliced into other strings.
const INSERTS: &[&str] = &[
    "\r", "\n", "\r\n", "\u{2028}", "\u{2029}", "\u{85}", "\u{0}", "\u{7}", "\u{1b}", "\t", "\"",
    "\\", "*/", "/*", "`", "{", "}", "<", ">", "&", "#", "]", "[", "\u{202e}", "\u{feff}", "²",
];

const SHAPE_TYPES: &[&str] = &[
    "string",
    "boolean",
    "byte",
    "short",
    "integer",
    "long",
    "float",
    "double",
    "blob",
    "timestamp",
    "list",
    "map",
    "structure",
    "bigInteger",
    "bigDecimal",
    "union",
    "",
];

const LOCATIONS: &[&str] = &[
    "uri",
    "querystring",
    "header",
    "headers",
    "statusCode",
    "body",
    "",
];

const REQUEST_URIS: &[&str] = &[
    "/",
    "",
    "/{x}",
    "/{thingName}",
    "/a/{thingName+}",
    "/{",
    "/x?y",
    "/x?y=z&w",
    "/x?{",
    "no-slash",
    "/{thingName}/{thingName}",
    "/{}",
    "/{+}",
    "/a%2Fb",
];

const HOST_PREFIXES: &[&str] = &["{thingName}.", "{", "a.{thingName}.", "", "{x}", "data-"];

const TIMESTAMP_FORMATS: &[&str] = &["unixTimestamp", "iso8601", "rfc822", "bogus", ""];

/// The name of the base model of case `seed`.
pub fn base(seed: u64) -> &'static str {
    Rng::new(seed).pick(BASES).0
}

/// The operations a case generates (`codegen.json`'s choice): `None` for
/// all, else a few of the model's, sometimes with one it does not have.
pub fn operations(seed: u64, text: &str) -> Option<Vec<String>> {
    let mut rng = Rng::new(seed ^ 0x6f70_7321);
    if !rng.chance(20) {
        return None;
    }
    let model: Value = serde_json::from_str(text).ok()?;
    let mut chosen: Vec<String> = keys(&model["operations"])
        .into_iter()
        .filter(|_| rng.chance(40))
        .collect();
    if rng.chance(20) {
        chosen.push(hostile(&mut rng));
    }
    Some(chosen)
}

/// The mutated model for `seed` (base chosen by the seed too), and the base's name.
pub fn case(seed: u64) -> (&'static str, String) {
    let mut rng = Rng::new(seed);
    let (name, text) = *rng.pick(BASES);
    let mut model: Value = serde_json::from_str(text).expect("base models are JSON");
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        mutate(&mut model, &mut rng);
    }
    // Last, as it can break the structure the others index into: a key
    // removed, or a value of another JSON type, anywhere.
    if rng.chance(25) {
        break_anywhere(&mut model, &mut rng);
    }
    // Some cases also break the text itself.
    let mut text = model.to_string();
    if rng.chance(5) && !text.is_empty() {
        let at = floor_char_boundary(&text, rng.below(text.len()));
        match rng.below(3) {
            0 => text.truncate(at),
            1 => {
                let insert = *rng.pick(&["{", "]", ",", "\"", "null"]);
                text.insert_str(at, insert)
            }
            _ => {
                let end = floor_char_boundary(&text, (at + 1 + rng.below(16)).min(text.len()));
                text.replace_range(at..end, "");
            }
        }
    }
    (name, text)
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn hostile(rng: &mut Rng) -> String {
    let name = (*rng.pick(HOSTILE_NAMES)).to_owned();
    match rng.below(6) {
        0 => format!("{name}{}", rng.pick(HOSTILE_NAMES)),
        1 => format!("Get{name}"),
        2 => "a".repeat(1 + rng.below(300)),
        _ => name,
    }
}

fn keys(object: &Value) -> Vec<String> {
    object
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn shapes_of_type(model: &Value, wanted: &str) -> Vec<String> {
    model["shapes"]
        .as_object()
        .map(|shapes| {
            shapes
                .iter()
                .filter(|(_, s)| s["type"] == wanted)
                .map(|(n, _)| n.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Renames a key of `object`, keeping the other keys' order.
fn rename_key(object: &mut Value, from: &str, to: &str) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let old = std::mem::take(map);
    let mut renamed = Map::new();
    for (key, value) in old {
        renamed.insert(if key == from { to.to_owned() } else { key }, value);
    }
    *map = renamed;
}

/// Replaces every `"shape": from` reference with `to`.
fn retarget_all(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "shape" && child == from {
                    *child = Value::String(to.to_owned());
                } else {
                    retarget_all(child, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget_all(v, from, to)),
        _ => {}
    }
}

/// Paths to every value below `value` (JSON pointers).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// A random structure member: (shape, member).
fn random_member(model: &Value, rng: &mut Rng) -> Option<(String, String)> {
    let structures = shapes_of_type(model, "structure");
    if structures.is_empty() {
        return None;
    }
    let shape = rng.pick(&structures).clone();
    let members = keys(&model["shapes"][&shape]["members"]);
    if members.is_empty() {
        return None;
    }
    let member = rng.pick(&members).clone();
    Some((shape, member))
}

/// Adds a member holding `target` to a random structure.
fn attach(model: &mut Value, rng: &mut Rng, name: &str, target: &str) {
    let structures = shapes_of_type(model, "structure");
    if structures.is_empty() {
        return;
    }
    let shape = rng.pick(&structures).clone();
    model["shapes"][&shape]["members"][name] = json!({"shape": target});
}

/// Removes a key, or puts a value of another JSON type, anywhere in `model`.
fn break_anywhere(model: &mut Value, rng: &mut Rng) {
    match rng.below(2) {
        0 => {
            let mut all = Vec::new();
            pointers(model, String::new(), &mut all);
            all.retain(|p| !p.is_empty());
            if !all.is_empty() {
                let pointer = rng.pick(&all).clone();
                let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
                let key = key.replace("~1", "/").replace("~0", "~");
                match model.pointer_mut(parent) {
                    Some(Value::Object(map)) => {
                        map.remove(&key);
                    }
                    Some(Value::Array(items)) => {
                        if let Ok(i) = key.parse::<usize>() {
                            if i < items.len() {
                                items.remove(i);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {
            let mut all = Vec::new();
            pointers(model, String::new(), &mut all);
            let pointer = rng.pick(&all).clone();
            let replacement = match rng.below(6) {
                0 => json!(null),
                1 => json!(true),
                2 => json!(-1),
                3 => json!([]),
                4 => json!({}),
                _ => json!(hostile(rng)),
            };
            if let Some(v) = model.pointer_mut(&pointer) {
                *v = replacement;
            }
        }
    }
}

/// One structural mutation.
pub fn mutate(model: &mut Value, rng: &mut Rng) {
    let shape_names = keys(&model["shapes"]);
    match rng.below(16) {
        // Rename a shape, usually with its references.
        0 if !shape_names.is_empty() => {
            let from = rng.pick(&shape_names).clone();
            let to = hostile(rng);
            rename_key(&mut model["shapes"], &from, &to);
            if rng.chance(85) {
                retarget_all(model, &from, &to);
            }
        }
        // Rename a member (and, usually, what names it).
        1 => {
            if let Some((shape, member)) = random_member(model, rng) {
                let to = hostile(rng);
                rename_key(&mut model["shapes"][&shape]["members"], &member, &to);
                if rng.chance(70) {
                    if let Some(required) = model["shapes"][&shape]["required"].as_array_mut() {
                        for r in required.iter_mut().filter(|r| **r == member) {
                            *r = Value::String(to.clone());
                        }
                    }
                }
            }
        }
        // Rename an operation.
        2 => {
            let ops = keys(&model["operations"]);
            if !ops.is_empty() {
                let from = rng.pick(&ops).clone();
                rename_key(&mut model["operations"], &from, &hostile(rng));
            }
        }
        // Point a member somewhere else: any shape, or nowhere.
        3 if !shape_names.is_empty() => {
            if let Some((shape, member)) = random_member(model, rng) {
                let to = if rng.chance(80) {
                    rng.pick(&shape_names).clone()
                } else {
                    hostile(rng)
                };
                model["shapes"][&shape]["members"][&member]["shape"] = Value::String(to);
            }
        }
        // Cycles through lists and maps.
        4 => {
            let n = rng.below(1000);
            let (a, b) = (format!("CycA{n}"), format!("CycB{n}"));
            let text = shapes_of_type(model, "string").first().cloned();
            let key = text.unwrap_or_else(|| "String".to_owned());
            match rng.below(4) {
                0 => model["shapes"][&a] = json!({"type": "list", "member": {"shape": a}}),
                1 => {
                    model["shapes"][&a] =
                        json!({"type": "map", "key": {"shape": key}, "value": {"shape": a}})
                }
                2 => {
                    model["shapes"][&a] = json!({"type": "list", "member": {"shape": b}});
                    model["shapes"][&b] =
                        json!({"type": "map", "key": {"shape": key}, "value": {"shape": a}});
                }
                _ => {
                    // Through a structure: legal, must be boxed or indirect.
                    model["shapes"][&a] = json!({"type": "list", "member": {"shape": b}});
                    model["shapes"][&b] = json!({"type": "structure", "members": {
                        "next": {"shape": a}, "me": {"shape": b}
                    }});
                }
            }
            attach(model, rng, &format!("cycle{n}"), &a);
        }
        // Deep nesting.
        5 => {
            let depth = *rng.pick(&[2usize, 8, 15, 16, 17, 40, 130, 300]);
            let n = rng.below(1000);
            let text = shapes_of_type(model, "string").first().cloned();
            let end = text.unwrap_or_else(|| "String".to_owned());
            let through_structures = rng.chance(30);
            for level in 0..depth {
                let name = format!("Deep{n}x{level}");
                let next = if level + 1 == depth {
                    end.clone()
                } else {
                    format!("Deep{n}x{}", level + 1)
                };
                model["shapes"][&name] = match (through_structures, level % 3) {
                    (true, 0) => {
                        json!({"type": "structure", "members": {"inner": {"shape": next}}})
                    }
                    (_, 1) => {
                        json!({"type": "map", "key": {"shape": end}, "value": {"shape": next}})
                    }
                    _ => json!({"type": "list", "member": {"shape": next}}),
                };
            }
            attach(model, rng, &format!("deep{n}"), &format!("Deep{n}x0"));
        }
        // Control characters spliced into any string.
        6 => {
            let mut all = Vec::new();
            pointers(model, String::new(), &mut all);
            let strings: Vec<String> = all
                .into_iter()
                .filter(|p| model.pointer(p).is_some_and(Value::is_string))
                .collect();
            if !strings.is_empty() {
                let pointer = rng.pick(&strings).clone();
                let insert = *rng.pick(INSERTS);
                if let Some(Value::String(s)) = model.pointer_mut(&pointer) {
                    let at = floor_char_boundary(s, rng.below(s.len() + 1).min(s.len()));
                    s.insert_str(at, insert);
                }
            }
        }
        // A wrong shape type.
        7 if !shape_names.is_empty() => {
            let shape = rng.pick(&shape_names).clone();
            model["shapes"][&shape]["type"] = json!(rng.pick(SHAPE_TYPES));
        }
        // A member bound elsewhere.
        8 => {
            if let Some((shape, member)) = random_member(model, rng) {
                let m = &mut model["shapes"][&shape]["members"][&member];
                m["location"] = json!(rng.pick(LOCATIONS));
                if rng.chance(50) {
                    m["locationName"] = json!(hostile(rng));
                }
            }
        }
        // Enum values.
        9 => {
            let n = rng.below(1000);
            let mut values: Vec<String> = (0..1 + rng.below(5)).map(|_| hostile(rng)).collect();
            if rng.chance(20) {
                values.push(values[0].clone());
            }
            model["shapes"][format!("Enum{n}")] = json!({"type": "string", "enum": values});
            attach(model, rng, &format!("enum{n}"), &format!("Enum{n}"));
        }
        // Flip a trait.
        10 if !shape_names.is_empty() => {
            let shape = rng.pick(&shape_names).clone();
            let flag = *rng.pick(&[
                "union",
                "document",
                "exception",
                "fault",
                "streaming",
                "eventstream",
                "sensitive",
            ]);
            model["shapes"][&shape][flag] = json!(rng.chance(80));
            if rng.chance(30) {
                model["shapes"][&shape]["error"] =
                    json!({"httpStatusCode": rng.pick(&[0, 200, 404, 500, 999, 65535])});
            }
        }
        // Request URIs and host prefixes.
        11 => {
            let ops = keys(&model["operations"]);
            if !ops.is_empty() {
                let op = rng.pick(&ops).clone();
                if rng.chance(60) {
                    model["operations"][&op]["http"]["requestUri"] = json!(rng.pick(REQUEST_URIS));
                } else {
                    model["operations"][&op]["endpoint"] =
                        json!({"hostPrefix": rng.pick(HOST_PREFIXES)});
                }
                if rng.chance(20) {
                    model["operations"][&op]["http"]["method"] =
                        json!(rng.pick(&["get", "PATCH", "TRACE", "", "G ET"]));
                }
            }
        }
        // Timestamp formats.
        12 => {
            let format = json!(rng.pick(TIMESTAMP_FORMATS));
            if rng.chance(50) {
                if let Some((shape, member)) = random_member(model, rng) {
                    model["shapes"][&shape]["members"][&member]["timestampFormat"] = format;
                }
            } else {
                let timestamps = shapes_of_type(model, "timestamp");
                if !timestamps.is_empty() {
                    let shape = rng.pick(&timestamps).clone();
                    model["shapes"][&shape]["timestampFormat"] = format;
                }
            }
        }
        // Hostile metadata.
        13 => {
            let field = *rng.pick(&[
                "serviceId",
                "serviceFullName",
                "endpointPrefix",
                "signingName",
                "apiVersion",
                "protocol",
            ]);
            model["metadata"][field] = json!(hostile(rng));
        }
        // A new member with a hostile name, anywhere it may travel.
        14 if !shape_names.is_empty() => {
            let target = rng.pick(&shape_names).clone();
            let structures = shapes_of_type(model, "structure");
            if !structures.is_empty() {
                let shape = rng.pick(&structures).clone();
                let mut member = json!({"shape": target});
                if rng.chance(50) {
                    member["location"] = json!(rng.pick(LOCATIONS));
                    member["locationName"] = json!(hostile(rng));
                }
                if rng.chance(20) {
                    model["shapes"][&shape]["payload"] = json!(hostile(rng));
                }
                model["shapes"][&shape]["members"][hostile(rng)] = member;
            }
        }
        // Documentation with deep or broken markup.
        _ => {
            let depth = *rng.pick(&[1usize, 10, 100, 5000]);
            let tag = *rng.pick(&["b", "p", "ul><li", "a href=\"x", "code", "pre", "i"]);
            let mut doc = format!("<{tag}>").repeat(depth);
            doc.push_str(&hostile(rng));
            if !shape_names.is_empty() && rng.chance(70) {
                let shape = rng.pick(&shape_names).clone();
                model["shapes"][&shape]["documentation"] = json!(doc);
            } else {
                model["documentation"] = json!(doc);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_never_panics() {
        // Seeds 777000 on once made a mutation index into a boolean.
        for seed in (0..300).chain(777_000..777_300) {
            let (base, _) = case(seed);
            assert_eq!(base, super::base(seed));
        }
    }

    #[test]
    fn a_seed_always_gives_the_same_case() {
        for seed in [0, 1, 42, u64::MAX] {
            assert_eq!(case(seed), case(seed));
        }
        assert_ne!(case(1).1, case(2).1);
    }

    #[test]
    fn the_bases_generate() {
        for (name, text) in BASES {
            codegen::generate(&format!("model/{name}.json"), text, &crate::options())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
