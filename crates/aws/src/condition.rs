//! Condition operators.
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html

use crate::arn;
use crate::policy::{Condition, split_operator};
use crate::request::Request;
use crate::variables::{self, Piece};
use std::net::IpAddr;

/// Evaluates one condition (one operator, one key, its values) against the request.
pub fn holds(cond: &Condition, request: &Request) -> bool {
    let Some((qualifier, base, if_exists)) = split_operator(&cond.operator) else {
        return false;
    };
    let present: &[String] = request.context_values(&cond.key).unwrap_or(&[]);
    if base == "Null" {
        // "true": the key must be absent; "false": present.
        return cond
            .values
            .iter()
            .any(|v| match v.to_ascii_lowercase().as_str() {
                "true" => present.is_empty(),
                "false" => !present.is_empty(),
                _ => false,
            });
    }
    let negated = is_negated(base);
    if present.is_empty() {
        return match qualifier {
            // An empty or absent set makes ForAllValues true, ForAnyValue false.
            Some("ForAllValues") => true,
            Some(_) => if_exists,
            None => if_exists || negated,
        };
    }
    // Policy values after variable substitution; unresolvable ones match nothing.
    let policy_values: Vec<Vec<Piece>> = cond
        .values
        .iter()
        .filter_map(|v| {
            if substitutes_variables(base) {
                variables::substitute(v, request)
            } else {
                Some(v.chars().map(Piece::Literal).collect())
            }
        })
        .collect();
    let value_ok = |value: &str| {
        let any = policy_values.iter().any(|p| matches_one(base, p, value));
        if negated { !any } else { any }
    };
    match qualifier {
        Some("ForAllValues") => present.iter().all(|v| value_ok(v)),
        Some(_) => present.iter().any(|v| value_ok(v)),
        // Single-valued operator: a negated operator needs every request
        // value to miss every policy value; a positive one any match.
        None if negated => present.iter().all(|v| value_ok(v)),
        None => present.iter().any(|v| value_ok(v)),
    }
}

fn is_negated(base: &str) -> bool {
    matches!(
        base,
        "StringNotEquals"
            | "StringNotEqualsIgnoreCase"
            | "StringNotLike"
            | "NumericNotEquals"
            | "DateNotEquals"
            | "NotIpAddress"
            | "ArnNotEquals"
            | "ArnNotLike"
    )
}

/// Policy variables are substituted in string and ARN operators only.
fn substitutes_variables(base: &str) -> bool {
    base.starts_with("String") || base.starts_with("Arn")
}

/// Does one policy value match one request value, for the positive form of `base`?
fn matches_one(base: &str, policy: &[Piece], value: &str) -> bool {
    let text = variables::to_text(policy);
    match base {
        "StringEquals" | "StringNotEquals" => text == value,
        "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
            text.to_lowercase() == value.to_lowercase()
        }
        "StringLike" | "StringNotLike" => variables::matches(policy, value, false),
        "ArnEquals" | "ArnLike" | "ArnNotEquals" | "ArnNotLike" => arn::matches(policy, value),
        "Bool" => text.eq_ignore_ascii_case(value),
        "BinaryEquals" => text == value,
        "IpAddress" | "NotIpAddress" => ip_in(&text, value),
        b if b.starts_with("Numeric") => match (number(value), number(&text)) {
            (Some(v), Some(p)) => compare(b.trim_start_matches("Numeric"), v, p),
            _ => false,
        },
        b if b.starts_with("Date") => match (date(value), date(&text)) {
            (Some(v), Some(p)) => compare(b.trim_start_matches("Date"), v, p),
            _ => false,
        },
        _ => false,
    }
}

fn compare(op: &str, v: f64, p: f64) -> bool {
    match op {
        "Equals" | "NotEquals" => v == p,
        "LessThan" => v < p,
        "LessThanEquals" => v <= p,
        "GreaterThan" => v > p,
        "GreaterThanEquals" => v >= p,
        _ => false,
    }
}

fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'))
    {
        return None;
    }
    s.parse().ok().filter(|f: &f64| f.is_finite())
}

/// ISO 8601 (`2026-01-31`, `2026-01-31T12:00:00Z`, with fractions or an
/// offset) or epoch seconds, as seconds since the epoch.
pub fn date(s: &str) -> Option<f64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, mo, d) as f64 * 86400.0;
    if b.len() == 10 {
        return Some(secs);
    }
    if b[10] != b'T' || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (h, mi) = (num(11..13)?, num(14..16)?);
    if h > 23 || mi > 59 {
        return None;
    }
    secs += (h * 3600 + mi * 60) as f64;
    let mut rest = &s[16..];
    if let Some(r) = rest.strip_prefix(':') {
        let sec: f64 = r.get(..2)?.parse().ok()?;
        secs += sec;
        rest = &r[2..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            secs += format!("0.{}", &frac[..n]).parse::<f64>().ok()?;
            rest = &frac[n..];
        }
    }
    match rest {
        "Z" | "" => Some(secs),
        off if off.len() == 6 && (off.starts_with('+') || off.starts_with('-')) => {
            let oh: i64 = off.get(1..3)?.parse().ok()?;
            let om: i64 = off.get(4..6)?.parse().ok()?;
            let delta = (oh * 3600 + om * 60) as f64;
            Some(if off.starts_with('+') {
                secs - delta
            } else {
                secs + delta
            })
        }
        _ => None,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Is `value` (an IP address) inside `cidr` (`10.0.0.0/8`, `2001:db8::/32` or one address)?
fn ip_in(cidr: &str, value: &str) -> bool {
    let Ok(ip) = value.trim().parse::<IpAddr>() else {
        return false;
    };
    let (net, len) = match cidr.split_once('/') {
        Some((n, l)) => match l.parse::<u32>() {
            Ok(l) => (n, Some(l)),
            Err(_) => return false,
        },
        None => (cidr, None),
    };
    let Ok(net) = net.trim().parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => prefix_eq(
            u32::from(n) as u128,
            u32::from(i) as u128,
            32,
            len.unwrap_or(32),
        ),
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            prefix_eq(u128::from(n), u128::from(i), 128, len.unwrap_or(128))
        }
        _ => false,
    }
}

fn prefix_eq(a: u128, b: u128, bits: u32, len: u32) -> bool {
    if len > bits {
        return false;
    }
    if len == 0 {
        return true;
    }
    let shift = bits - len;
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date("1970-01-02"), Some(86400.0));
        assert_eq!(date("2020-01-01T00:00:00Z"), Some(1577836800.0));
        assert_eq!(date("2020-01-01T01:00:00+01:00"), Some(1577836800.0));
        assert_eq!(date("1577836800"), Some(1577836800.0));
        assert_eq!(date("2020-13-01"), None);
        assert_eq!(date("yesterday"), None);
    }

    #[test]
    fn cidrs() {
        assert!(ip_in("203.0.113.0/24", "203.0.113.9"));
        assert!(!ip_in("203.0.113.0/24", "203.0.114.9"));
        assert!(ip_in("2001:db8::/32", "2001:db8:1::1"));
        assert!(!ip_in("2001:db8::/32", "203.0.113.9"));
        assert!(ip_in("0.0.0.0/0", "8.8.8.8"));
        assert!(!ip_in("10.0.0.0/99", "10.0.0.1"));
    }
}
