//! Numbers compared as digit strings: a version may hold a number of any
//! length, and parsing it into a machine integer could overflow.

use std::cmp::Ordering;

/// Compares two runs of ASCII digits by numeric value, whatever their length.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    cmp_digit_bytes(a.as_bytes(), b.as_bytes())
}

/// [`cmp_digits`] on bytes.
pub(crate) fn cmp_digit_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
    let (a, b) = (&a[strip(a)..], &b[strip(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Length of the run of ASCII digits at the start of `s`.
pub(crate) fn digit_run(s: &[u8]) -> usize {
    s.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// True if `s` is a non-empty run of ASCII digits.
pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_by_value_not_by_text() {
        assert_eq!(cmp_digits("10", "9"), Ordering::Greater);
        assert_eq!(cmp_digits("007", "7"), Ordering::Equal);
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
        let huge = "9".repeat(200);
        assert_eq!(cmp_digits(&huge, "18446744073709551616"), Ordering::Greater);
    }
}
