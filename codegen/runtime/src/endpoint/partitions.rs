//! AWS partitions (`aws`, `aws-cn`, `aws-us-gov`, the ISO ones, ...) from
//! botocore's `partitions.json` (v1.1, botocore 1.44.8, AWS data,
//! Apache-2.0), embedded: a region is found by name, else by the first
//! partition whose `regionRegex` it matches (so a region newer than this
//! crate still resolves in its partition), else it is in `aws`.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// botocore 1.44.8's `botocore/data/partitions.json`.
const PARTITIONS_JSON: &str = include_str!("partitions.json");

/// One partition and what the rules read of it.
#[derive(Debug)]
pub struct Partition {
    /// The partition's id (`aws-cn`).
    pub id: String,
    regions: Vec<String>,
    region_regex: regex_lite::Regex,
    /// `name`, `dnsSuffix`, `dualStackDnsSuffix`, `supportsFIPS`, `supportsDualStack`, `implicitGlobalRegion`.
    pub outputs: Map<String, Value>,
}

fn load() -> Vec<Partition> {
    // The embedded file is checked by this module's tests; a failure here is
    // a broken build of the runtime itself.
    let document: Value = serde_json::from_str(PARTITIONS_JSON).expect("embedded partitions.json");
    let mut partitions = Vec::new();
    for entry in document["partitions"].as_array().into_iter().flatten() {
        let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
        let regions = entry["regions"]
            .as_object()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default();
        let region_regex =
            regex_lite::Regex::new(&text("regionRegex")).expect("embedded partitions.json regex");
        let mut outputs = entry["outputs"].as_object().cloned().unwrap_or_default();
        outputs.insert("name".to_owned(), Value::String(text("id")));
        partitions.push(Partition {
            id: text("id"),
            regions,
            region_regex,
            outputs,
        });
    }
    partitions
}

fn all() -> &'static [Partition] {
    static PARTITIONS: OnceLock<Vec<Partition>> = OnceLock::new();
    PARTITIONS.get_or_init(load)
}

/// The partition of `region`: listed by name, else the first whose
/// `regionRegex` matches, else `aws` (the first).
pub fn partition(region: &str) -> &'static Partition {
    let partitions = all();
    partitions
        .iter()
        .find(|p| p.regions.iter().any(|r| r == region))
        .or_else(|| partitions.iter().find(|p| p.region_regex.is_match(region)))
        .unwrap_or(&partitions[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_resolve_by_name_then_by_pattern() {
        assert_eq!(partition("us-east-1").id, "aws");
        assert_eq!(partition("cn-north-1").id, "aws-cn");
        assert_eq!(
            partition("cn-north-1").outputs["dnsSuffix"],
            "amazonaws.com.cn"
        );
        assert_eq!(partition("us-gov-west-1").id, "aws-us-gov");
        // Not in partitions.json, but matching a partition's regionRegex.
        assert_eq!(partition("cn-southwest-9").id, "aws-cn");
        assert_eq!(partition("us-isob-south-7").id, "aws-iso-b");
        assert_eq!(partition("mx-north-9").id, "aws");
        // Matching nothing: the default partition.
        assert_eq!(partition("nowhere").id, "aws");
        assert_eq!(partition("us-east-1").outputs["name"], "aws");
    }
}
