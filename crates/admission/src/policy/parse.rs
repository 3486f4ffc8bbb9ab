//! `.palisade.yaml` → [`Policy`]. Only the `admission:` section and the
//! shared `dockerfile.trusted_bases` are read; other sections belong to
//! other commands.

use super::{Exemption, ImagePattern, Mode, OnError, Policy, RULE_NAMES, Rules};
use palisade_model::Severity;
use std::time::Duration;
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlLoader};

/// Policy files are small; a bigger one is refused before parsing.
pub const MAX_POLICY: usize = 1 << 20;

type R<T> = Result<T, String>;

pub fn parse(text: &str) -> R<Policy> {
    if text.len() > MAX_POLICY {
        return Err("policy file larger than 1 MiB".into());
    }
    reject_aliases(text)?;
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let mut policy = Policy::default();
    let top = match docs.first() {
        None | Some(Yaml::Null) => return Ok(policy),
        Some(Yaml::Hash(h)) => h,
        Some(_) => return Err("the top level must be a mapping".into()),
    };
    let trusted = match top.get(&Yaml::String("dockerfile".into())) {
        Some(Yaml::Hash(d)) => match d.get(&Yaml::String("trusted_bases".into())) {
            Some(v) => strings(v, "dockerfile.trusted_bases")?,
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let section = match top.get(&Yaml::String("admission".into())) {
        None | Some(Yaml::Null) => return Ok(policy),
        Some(Yaml::Hash(h)) => h,
        Some(_) => return Err("admission: expected a mapping".into()),
    };
    let mut rules_yaml = Hash::new();
    let mut namespaces_yaml = None;
    for (k, v) in section {
        match key(k)? {
            "rules" => rules_yaml = mapping(v, "admission.rules")?.clone(),
            "namespaces" => namespaces_yaml = Some(mapping(v, "admission.namespaces")?),
            "exemptions" => policy.exemptions = exemptions(v)?,
            "cache" => {
                for (k, v) in mapping(v, "admission.cache")? {
                    match key(k)? {
                        "ttl" => policy.cache_ttl = duration(v, "admission.cache.ttl")?,
                        "tag_ttl" => policy.tag_ttl = duration(v, "admission.cache.tag_ttl")?,
                        "size" => {
                            policy.cache_size = count(v, "admission.cache.size", 1, 1_000_000)?
                        }
                        other => {
                            return Err(format!(
                                "admission.cache: unknown key {other:?} (expected ttl, tag_ttl, size)"
                            ));
                        }
                    }
                }
            }
            "limits" => {
                for (k, v) in mapping(v, "admission.limits")? {
                    match key(k)? {
                        "max_connections" => {
                            policy.max_connections =
                                Some(count(v, "admission.limits.max_connections", 1, 1_000_000)?)
                        }
                        "max_handshakes" => {
                            policy.max_handshakes =
                                Some(count(v, "admission.limits.max_handshakes", 1, 100_000)?)
                        }
                        other => {
                            return Err(format!(
                                "admission.limits: unknown key {other:?} (expected max_connections, max_handshakes)"
                            ));
                        }
                    }
                }
            }
            other => {
                return Err(format!(
                    "admission: unknown key {other:?} (expected rules, namespaces, exemptions, cache, limits)"
                ));
            }
        }
    }
    policy.rules = rules(&rules_yaml, &trusted, "admission.rules")?;
    if let Some(ns) = namespaces_yaml {
        for (k, v) in ns {
            let name = key(k)?;
            let pattern = glob::Pattern::new(name)
                .map_err(|e| format!("admission.namespaces: {name:?}: {e}"))?;
            let what = format!("admission.namespaces.{name}");
            let over = mapping(v, &what)?;
            let mut merged = rules_yaml.clone();
            for (k, v) in over {
                let rule = key(k)?;
                // An override replaces the keys it names, rule by rule.
                let mut base = match merged.get(k) {
                    Some(Yaml::Hash(h)) => h.clone(),
                    _ => Hash::new(),
                };
                match v {
                    Yaml::Hash(h) => {
                        for (k2, v2) in h {
                            base.insert(k2.clone(), v2.clone());
                        }
                    }
                    Yaml::String(mode) => {
                        base.insert(Yaml::String("mode".into()), Yaml::String(mode.clone()));
                    }
                    _ => return Err(format!("{what}.{rule}: expected a mapping or a mode")),
                }
                merged.insert(k.clone(), Yaml::Hash(base));
            }
            policy
                .namespaces
                .push((pattern, rules(&merged, &trusted, &what)?));
        }
    }
    Ok(policy)
}

/// The loader copies an alias's node for every use, so a few hundred bytes
/// of nested aliases expand to gigabytes ("billion laughs"). A policy has
/// no need for them: refuse any.
fn reject_aliases(text: &str) -> R<()> {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token().map_err(|e| e.to_string())? {
            (Event::StreamEnd, _) => return Ok(()),
            (Event::Alias(_), mark) => {
                return Err(format!(
                    "line {}: YAML aliases (*name) are not allowed in the policy",
                    mark.line()
                ));
            }
            _ => {}
        }
    }
}

fn key(k: &Yaml) -> R<&str> {
    k.as_str().ok_or_else(|| "keys must be strings".to_string())
}

fn mapping<'a>(v: &'a Yaml, what: &str) -> R<&'a Hash> {
    match v {
        Yaml::Hash(h) => Ok(h),
        _ => Err(format!("{what}: expected a mapping")),
    }
}

fn strings(v: &Yaml, what: &str) -> R<Vec<String>> {
    match v {
        Yaml::String(s) => Ok(vec![s.clone()]),
        Yaml::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{what}: expected strings"))
            })
            .collect(),
        Yaml::Null => Ok(vec![]),
        _ => Err(format!("{what}: expected a string or a list of strings")),
    }
}

fn boolean(v: &Yaml, what: &str) -> R<bool> {
    v.as_bool()
        .ok_or_else(|| format!("{what}: expected true or false"))
}

fn count(v: &Yaml, what: &str, min: i64, max: i64) -> R<usize> {
    match v.as_i64() {
        Some(n) if (min..=max).contains(&n) => Ok(n as usize),
        _ => Err(format!("{what}: expected a number from {min} to {max}")),
    }
}

/// `300`, `300s`, `10m`, `1h`.
fn duration(v: &Yaml, what: &str) -> R<Duration> {
    let bad = || format!("{what}: expected seconds or a duration like 30s, 10m, 1h");
    let secs = match v {
        Yaml::Integer(n) if *n >= 0 => *n as u64,
        Yaml::String(s) => {
            let s = s.trim();
            let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
            let n: u64 = num.parse().map_err(|_| bad())?;
            match unit {
                "" | "s" => n,
                "m" => n.saturating_mul(60),
                "h" => n.saturating_mul(3600),
                _ => return Err(bad()),
            }
        }
        _ => return Err(bad()),
    };
    if secs > 7 * 86_400 {
        return Err(format!("{what}: at most a week"));
    }
    Ok(Duration::from_secs(secs))
}

fn mode(v: &Yaml, what: &str) -> R<Mode> {
    Ok(match v.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("enforce" | "deny") => Mode::Enforce,
        Some("warn") => Mode::Warn,
        Some("audit") => Mode::Audit,
        Some("off" | "disabled") => Mode::Off,
        _ => return Err(format!("{what}.mode: expected enforce, warn, audit or off")),
    })
}

fn rules(h: &Hash, trusted: &[String], what: &str) -> R<Rules> {
    let mut r = Policy::default().rules;
    let mut use_trusted = true;
    for (k, v) in h {
        let rule = key(k)?;
        let w = format!("{what}.{rule}");
        if rule == "on_error" {
            r.on_error = match v.as_str() {
                Some("deny" | "fail") => OnError::Deny,
                Some("allow" | "ignore") => OnError::Allow,
                _ => return Err(format!("{w}: expected deny or allow")),
            };
            continue;
        }
        if !RULE_NAMES.contains(&rule) {
            return Err(format!(
                "{what}: unknown rule {rule:?} (expected {}, on_error)",
                RULE_NAMES.join(", ")
            ));
        }
        // A rule given as just a mode (`run_as_root: enforce`).
        let empty = Hash::new();
        let (m, params) = match v {
            Yaml::String(_) => (mode(v, &w)?, &empty),
            Yaml::Hash(p) => (
                match p.get(&Yaml::String("mode".into())) {
                    Some(m) => mode(m, &w)?,
                    None => Mode::Enforce,
                },
                p,
            ),
            _ => return Err(format!("{w}: expected a mapping or a mode")),
        };
        match rule {
            "registries" => r.registries = m,
            "mutable_refs" => r.mutable_refs = m,
            "signature" => r.signature = m,
            "vulnerabilities" => r.vulnerabilities = m,
            _ => r.run_as_root = m,
        }
        for (pk, pv) in params {
            let p = key(pk)?;
            let pw = format!("{w}.{p}");
            match (rule, p) {
                (_, "mode") => {}
                ("registries", "allowed") => {
                    r.allowed = strings(pv, &pw)?
                        .iter()
                        .map(|s| ImagePattern::parse(s))
                        .collect::<R<_>>()?
                }
                ("registries", "trusted_bases") => use_trusted = boolean(pv, &pw)?,
                ("mutable_refs", "require_digest") => r.require_digest = boolean(pv, &pw)?,
                ("signature", "keys") => r.keys = strings(pv, &pw)?,
                ("vulnerabilities", "max_severity" | "severity") => {
                    r.max_severity = pv
                        .as_str()
                        .and_then(|s| s.parse::<Severity>().ok())
                        .ok_or_else(|| {
                            format!("{pw}: expected a severity (LOW, MEDIUM, HIGH, CRITICAL)")
                        })?
                }
                ("vulnerabilities", "ignore_unfixed") => r.ignore_unfixed = boolean(pv, &pw)?,
                ("vulnerabilities", "trust_attestations") => {
                    r.trust_attestations = boolean(pv, &pw)?
                }
                ("vulnerabilities", "top") => r.top = count(pv, &pw, 1, 50)?,
                _ => return Err(format!("{w}: unknown key {p:?}")),
            }
        }
    }
    if use_trusted && r.registries != Mode::Off {
        for t in trusted {
            r.allowed.push(ImagePattern::parse(t)?);
        }
    }
    if r.signature != Mode::Off && r.keys.is_empty() {
        return Err(format!(
            "{what}.signature: keys: give at least one public key file"
        ));
    }
    if r.trust_attestations && r.keys.is_empty() {
        return Err(format!(
            "{what}.vulnerabilities.trust_attestations needs signature.keys (who signs attestations)"
        ));
    }
    Ok(r)
}

fn exemptions(v: &Yaml) -> R<Vec<Exemption>> {
    let Yaml::Array(items) = v else {
        return Err("admission.exemptions: expected a list".into());
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let w = format!("admission.exemptions[{i}]");
        let mut e = Exemption {
            namespaces: Vec::new(),
            images: Vec::new(),
            rules: Vec::new(),
            reason: String::new(),
            expires: None,
        };
        for (k, v) in mapping(item, &w)? {
            let k = key(k)?;
            let kw = format!("{w}.{k}");
            match k {
                "namespace" | "namespaces" => {
                    e.namespaces = strings(v, &kw)?
                        .iter()
                        .map(|s| glob::Pattern::new(s).map_err(|err| format!("{kw}: {err}")))
                        .collect::<R<_>>()?
                }
                "image" | "images" => {
                    e.images = strings(v, &kw)?
                        .iter()
                        .map(|s| ImagePattern::parse(s))
                        .collect::<R<_>>()?
                }
                "rule" | "rules" => {
                    e.rules = strings(v, &kw)?;
                    if let Some(bad) = e.rules.iter().find(|r| !RULE_NAMES.contains(&r.as_str())) {
                        return Err(format!("{kw}: unknown rule {bad:?}"));
                    }
                }
                "reason" => {
                    e.reason = v
                        .as_str()
                        .ok_or(format!("{kw}: expected text"))?
                        .to_string()
                }
                "expires" => e.expires = Some(date(v, &kw)?),
                other => {
                    return Err(format!(
                        "{w}: unknown key {other:?} (expected namespace, images, rules, reason, expires)"
                    ));
                }
            }
        }
        if e.reason.trim().is_empty() {
            return Err(format!("{w}: a reason is required"));
        }
        if e.namespaces.is_empty() && e.images.is_empty() {
            return Err(format!(
                "{w}: name a namespace or images (an exemption for everything is turning the rule off)"
            ));
        }
        out.push(e);
    }
    Ok(out)
}

/// `YYYY-MM-DD`, a real calendar day.
fn date(v: &Yaml, what: &str) -> R<(i32, u32, u32)> {
    let bad = || format!("{what}: expected a date YYYY-MM-DD");
    let s = v.as_str().ok_or_else(bad)?;
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let y: i32 = parts[0].parse().map_err(|_| bad())?;
    let m: u32 = parts[1].parse().map_err(|_| bad())?;
    let d: u32 = parts[2].parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || d == 0 {
        return Err(bad());
    }
    // Round-trip through day numbers rejects 2027-02-30.
    let days = palisade_report::ignore::days_from_civil(y, m, d);
    if palisade_report::ignore::civil_from_days(days) != (y, m, d) {
        return Err(bad());
    }
    Ok((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
dockerfile:
  trusted_bases: [gcr.io/distroless/]
admission:
  cache: {ttl: 10m, size: 50}
  limits: {max_connections: 256}
  rules:
    registries: {allowed: ["registry.example.com/team-*/*"]}
    mutable_refs: {mode: warn}
    vulnerabilities: {max_severity: HIGH, top: 3}
    run_as_root: enforce
  namespaces:
    dev-*:
      vulnerabilities: audit
      mutable_refs: {mode: off}
  exemptions:
    - namespace: legacy
      images: [docker.io/library/]
      rules: [run_as_root]
      reason: old app being rewritten
      expires: 2027-01-31
"#;

    #[test]
    fn reads_rules_overrides_and_exemptions() {
        let p = parse(SAMPLE).unwrap();
        assert_eq!(p.cache_ttl, Duration::from_secs(600));
        assert_eq!(p.cache_size, 50);
        assert_eq!((p.max_connections, p.max_handshakes), (Some(256), None));
        assert_eq!(p.rules.registries, Mode::Enforce);
        assert_eq!(
            p.rules.allowed.len(),
            2,
            "own list plus the shared trusted_bases"
        );
        assert_eq!(p.rules.mutable_refs, Mode::Warn);
        assert_eq!(p.rules.max_severity, Severity::High);
        assert_eq!(p.rules.run_as_root, Mode::Enforce);
        let dev = p.rules_for("dev-42");
        assert_eq!(dev.vulnerabilities, Mode::Audit);
        assert_eq!(
            dev.max_severity,
            Severity::High,
            "override keeps the other keys"
        );
        assert_eq!(dev.mutable_refs, Mode::Off);
        assert_eq!(p.rules_for("prod").vulnerabilities, Mode::Enforce);
        assert_eq!(p.exemptions[0].expires, Some((2027, 1, 31)));
        assert!(p.exemptions[0].expired((2027, 2, 1)));
        assert!(!p.exemptions[0].expired((2027, 1, 31)));
    }

    #[test]
    fn rejects_typos_and_bad_values() {
        for bad in [
            "admission: {rules: {registrys: enforce}}",
            "admission: {rules: {vulnerabilities: {max_severity: BAD}}}",
            "admission: {rules: {signature: enforce}}",
            "admission: {exemptions: [{namespace: a}]}",
            "admission: {exemptions: [{namespace: a, reason: r, expires: 2027-02-30}]}",
            "admission: {cache: {ttl: 1y}}",
            "admission: {limits: {max_connections: 0}}",
            "admission: {limits: {max_sockets: 5}}",
            "admission: {rules: {run_as_root: sometimes}}",
            "admission: [1]",
            "a: &a [x, x]\nb: &b [*a, *a]\nadmission: {rules: {registries: {allowed: *b}}}",
            "- a",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse("").unwrap(), Policy::default());
    }
}
