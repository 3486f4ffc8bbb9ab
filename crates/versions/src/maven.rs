//! Maven versions, ordered as Maven 3.8's
//! `org.apache.maven.artifact.versioning.ComparableVersion` orders them.
//!
//! The version is lower-cased and split into items: numbers and
//! qualifiers. `.` separates items of one list; `-`, every switch between
//! digits and letters, and a qualifier after a dot start a nested sub-list. Trailing "null"
//! items (0, the empty qualifier and its aliases `ga`/`final`/`release`,
//! empty lists) are dropped. Known qualifiers order `alpha` < `beta` <
//! `milestone` < `rc` (= `cr`) < `snapshot` < release < `sp`; others come
//! after `sp`, alphabetically; `a1`/`b1`/`m1` mean `alpha-1`, `beta-1`,
//! `milestone-1`. A number is newer than a qualifier or a sub-list.
//! Deviation: non-ASCII input is refused (Maven accepts Unicode digits).

use crate::digits::cmp_digits;
use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Item {
    /// Digits without leading zeros ("" is zero).
    Number(Box<str>),
    /// The qualifier's sort key: its index among the known qualifiers, or
    /// "7-" followed by the qualifier for unknown ones.
    Qualifier(Box<str>),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// Sort key of the release itself (the empty qualifier).
const RELEASE: &str = "5";

#[derive(Debug, Clone)]
pub(crate) struct MavenVersion {
    items: Vec<Item>,
}

impl MavenVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        if !v.is_ascii() {
            return Err(invalid(Scheme::Maven, "non-ASCII character"));
        }
        let v = v.to_ascii_lowercase();
        let bytes = v.as_bytes();
        // The open lists, outermost first; each new list is the last item of its parent.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut digits = false;
        let mut start = 0;
        for (i, &c) in bytes.iter().enumerate() {
            match c {
                b'.' | b'-' => {
                    let done = if i == start {
                        Item::Number("".into())
                    } else {
                        item(digits, &v[start..i], false)
                    };
                    top(&mut stack).push(done);
                    start = i + 1;
                    if c == b'-' {
                        stack.push(Vec::new());
                    }
                }
                b'0'..=b'9' => {
                    if !digits && i > start {
                        // A qualifier after a dot reads as after a hyphen (1.0.0.X1 < 1.0.0-X2).
                        if !top(&mut stack).is_empty() {
                            stack.push(Vec::new());
                        }
                        top(&mut stack).push(item(false, &v[start..i], true));
                        start = i;
                        stack.push(Vec::new());
                    }
                    digits = true;
                }
                _ => {
                    if digits && i > start {
                        top(&mut stack).push(item(true, &v[start..i], false));
                        start = i;
                        stack.push(Vec::new());
                    }
                    digits = false;
                }
            }
        }
        if bytes.len() > start {
            if !digits && !top(&mut stack).is_empty() {
                stack.push(Vec::new());
            }
            let last = item(digits, &v[start..], false);
            top(&mut stack).push(last);
        }
        // Close the lists innermost first, normalising each.
        let mut list = stack.pop().unwrap_or_default();
        normalize(&mut list);
        while let Some(mut parent) = stack.pop() {
            parent.push(Item::List(list));
            normalize(&mut parent);
            list = parent;
        }
        Ok(MavenVersion { items: list })
    }
}

fn top(stack: &mut Vec<Vec<Item>>) -> &mut Vec<Item> {
    if stack.is_empty() {
        stack.push(Vec::new());
    }
    let last = stack.len() - 1;
    &mut stack[last]
}

fn item(digits: bool, text: &str, followed_by_digit: bool) -> Item {
    if digits {
        return Item::Number(text.trim_start_matches('0').into());
    }
    let text = match text {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    let key = match QUALIFIERS.iter().position(|q| *q == text) {
        Some(i) => i.to_string(),
        None => format!("{}-{text}", QUALIFIERS.len()),
    };
    Item::Qualifier(key.into())
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Number(n) => n.is_empty(),
        Item::Qualifier(q) => &**q == RELEASE,
        Item::List(l) => l.is_empty(),
    }
}

/// Drops trailing null items, stopping at the first non-null non-list item.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// `a` against `b`, where a missing `b` (the other version ran out) is `None`.
fn cmp_item(a: &Item, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (Item::Number(n), None) => {
            if n.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Item::Qualifier(q), None) => (**q).cmp(RELEASE),
        (Item::List(l), None) => l
            .iter()
            .map(|i| cmp_item(i, None))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal),
        (Item::Number(x), Some(Item::Number(y))) => cmp_digits(x, y),
        (Item::Number(_), Some(_)) => Ordering::Greater,
        (Item::Qualifier(x), Some(Item::Qualifier(y))) => x.cmp(y),
        (Item::Qualifier(_), Some(_)) => Ordering::Less,
        (Item::List(_), Some(Item::Number(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Qualifier(_))) => Ordering::Greater,
        (Item::List(x), Some(Item::List(y))) => cmp_lists(x, y),
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let ord = match (a.get(i), b.get(i)) {
            (Some(x), y) => cmp_item(x, y),
            (None, Some(y)) => cmp_item(y, None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        MavenVersion::parse(a)
            .unwrap()
            .cmp(&MavenVersion::parse(b).unwrap())
    }

    #[test]
    fn maven_order() {
        let chain = [
            "1-alpha-1",
            "1-alpha2",
            "1-beta",
            "1-milestone-1",
            "1-rc1",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-xyz",
            "1-1",
            "1.1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        for (a, b) in [
            ("1", "1.0.0"),
            ("1-ga", "1"),
            ("1.0.final", "1"),
            ("1-cr1", "1-rc1"),
            ("1a1", "1-alpha-1"),
            ("1.0-RELEASE", "1"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} {b}");
        }
        assert!(MavenVersion::parse("1.0-é").is_err());
    }
}
