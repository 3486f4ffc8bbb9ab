//! `.palisade.yaml`: the configuration file meant for every palisade
//! command. Top-level keys apply to all commands (`fail_on`); each command
//! reads its own section (`dockerfile:`). Unknown keys are errors, so a
//! typo does not silently disable a setting.

use anyhow::{Context, Result, bail};
use palisade_dockerfile::custom::CustomRule;
use palisade_dockerfile::rules::LabelFormat;
use palisade_model::Severity;
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

/// The `dockerfile:` section.
#[derive(Debug, Clone, Default)]
pub struct DockerfileSection {
    /// Rule ids (ours, DLxxxx or AVD-DS-xxxx) never reported.
    pub ignore: Vec<String>,
    /// Severity per rule id.
    pub severity: Vec<(String, Severity)>,
    /// Curated base images / trusted registries (PAL-DF-006).
    pub trusted_bases: Vec<String>,
    /// Required labels and their value format (PAL-DF-062 … PAL-DF-070).
    pub label_schema: Vec<(String, LabelFormat)>,
    /// Only the labels of `label_schema` are allowed (PAL-DF-063).
    pub strict_labels: bool,
    /// User-defined rules (`rules:`, read by `dockerfile_rules`).
    pub rules: Vec<CustomRule>,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Failure threshold for every command (`--fail-on` overrides it).
    pub fail_on: Option<Severity>,
    pub dockerfile: DockerfileSection,
}

/// Config files are small; refuse anything big (a YAML bomb needs size).
const MAX_CONFIG: u64 = 1 << 20;

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let meta = std::fs::metadata(path).with_context(|| format!("config {}", path.display()))?;
        if meta.len() > MAX_CONFIG {
            bail!("config {}: larger than 1 MiB", path.display());
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("config {}", path.display()))?;
        Config::parse(&text).with_context(|| format!("config {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Config> {
        let docs = YamlLoader::load_from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut config = Config::default();
        let Some(doc) = docs.first() else {
            return Ok(config);
        };
        let Yaml::Hash(top) = doc else {
            if doc.is_null() {
                return Ok(config);
            }
            bail!("the top level must be a mapping");
        };
        for (k, v) in top {
            match key(k)? {
                "fail_on" | "failure-threshold" => config.fail_on = Some(severity(v, "fail_on")?),
                "dockerfile" => {
                    config.dockerfile = dockerfile_section(v)?;
                    config.dockerfile.rules = super::dockerfile_rules::load(text)?;
                }
                // Sections of the other commands are theirs to check.
                "image" | "sbom" | "inspect" | "ignore_file" | "admission" => {}
                other => bail!(
                    "unknown key {other:?} (expected fail_on, dockerfile, image, sbom, admission)"
                ),
            }
        }
        Ok(config)
    }
}

fn key(k: &Yaml) -> Result<&str> {
    k.as_str()
        .ok_or_else(|| anyhow::anyhow!("keys must be strings"))
}

fn strings(v: &Yaml, what: &str) -> Result<Vec<String>> {
    match v {
        Yaml::String(s) => Ok(vec![s.clone()]),
        Yaml::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| anyhow::anyhow!("{what}: expected strings"))
            })
            .collect(),
        Yaml::Null => Ok(vec![]),
        _ => bail!("{what}: expected a string or a list of strings"),
    }
}

fn severity(v: &Yaml, what: &str) -> Result<Severity> {
    let s = v
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("{what}: expected a severity"))?;
    // hadolint's names map onto ours.
    let s = match s.to_ascii_lowercase().as_str() {
        "error" => "HIGH",
        "warning" => "MEDIUM",
        "style" => "LOW",
        _ => s,
    };
    s.parse::<Severity>()
        .map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

fn dockerfile_section(v: &Yaml) -> Result<DockerfileSection> {
    let mut out = DockerfileSection::default();
    let Yaml::Hash(h) = v else {
        if v.is_null() {
            return Ok(out);
        }
        bail!("dockerfile: expected a mapping");
    };
    for (k, v) in h {
        match key(k)? {
            "ignore" | "ignored" => out.ignore = strings(v, "dockerfile.ignore")?,
            "trusted_bases" | "trustedRegistries" => {
                out.trusted_bases = strings(v, "dockerfile.trusted_bases")?
            }
            "severity" => {
                let Yaml::Hash(m) = v else {
                    bail!("dockerfile.severity: expected a mapping of rule id to severity")
                };
                for (id, sev) in m {
                    out.severity
                        .push((key(id)?.to_string(), severity(sev, "dockerfile.severity")?));
                }
            }
            "label_schema" | "label-schema" => {
                let Yaml::Hash(m) = v else {
                    bail!("dockerfile.label_schema: expected a mapping of label to format")
                };
                for (label, format) in m {
                    let name = format.as_str().unwrap_or_default();
                    let f = LabelFormat::parse(name).ok_or_else(|| {
                        anyhow::anyhow!(
                            "dockerfile.label_schema: {}: format {name:?} is not one of text, url, semver, hash, rfc3339, spdx, email",
                            key(label).unwrap_or("?")
                        )
                    })?;
                    out.label_schema.push((key(label)?.to_string(), f));
                }
            }
            "strict_labels" | "strict-labels" => {
                out.strict_labels = v.as_bool().ok_or_else(|| {
                    anyhow::anyhow!("dockerfile.strict_labels: expected true or false")
                })?
            }
            // Read with positions by `dockerfile_rules`.
            "rules" => {}
            other => bail!(
                "dockerfile: unknown key {other:?} (expected ignore, severity, trusted_bases, label_schema, strict_labels, rules)"
            ),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_config() {
        let c = Config::parse(
            "fail_on: high\ndockerfile:\n  ignore: [DL3008, PAL-DF-011]\n  severity:\n    PAL-DF-017: medium\n    DL3015: error\n  trusted_bases: docker.io/library/\n",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.dockerfile.ignore, ["DL3008", "PAL-DF-011"]);
        assert_eq!(
            c.dockerfile.severity,
            [
                ("PAL-DF-017".into(), Severity::Medium),
                ("DL3015".into(), Severity::High)
            ]
        );
        assert_eq!(c.dockerfile.trusted_bases, ["docker.io/library/"]);
        let c = Config::parse(
            "dockerfile:\n  label_schema: {org.opencontainers.image.source: url}\n  strict_labels: true\n",
        )
        .unwrap();
        assert_eq!(
            c.dockerfile.label_schema,
            [("org.opencontainers.image.source".into(), LabelFormat::Url)]
        );
        assert!(c.dockerfile.strict_labels);
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(
            Config::parse("fail_on: severe\n")
                .unwrap_err()
                .to_string()
                .contains("severe")
        );
        assert!(
            Config::parse("dockerfile:\n  ignroe: [x]\n")
                .unwrap_err()
                .to_string()
                .contains("ignroe")
        );
        assert!(Config::parse("[1, 2]\n").is_err());
        assert!(Config::parse("a: [unclosed\n").is_err());
        assert!(Config::parse("").unwrap().dockerfile.ignore.is_empty());
        assert!(
            Config::parse("dockerfile:\n  label_schema: {a: color}\n")
                .unwrap_err()
                .to_string()
                .contains("color")
        );
    }
}
