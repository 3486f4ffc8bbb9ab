//! Order laws for every scheme, on random versions shaped like each
//! scheme's grammar and on arbitrary strings: reflexivity, antisymmetry,
//! transitivity, agreement of `compare` with `parse` + `Ord`, and no panic
//! (and a clean error) on any input.

use palisade_versions::{MAX_LEN, Scheme, VersionError};
use proptest::prelude::*;
use std::cmp::Ordering;

/// A regex for versions of `scheme`, so that most generated strings parse.
fn grammar(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Dpkg => "([0-9]{1,2}:)?[0-9][0-9a-zA-Z.+~]{0,6}(-[0-9a-z.+~]{1,4})?",
        Scheme::Rpm => "([0-9]:)?[0-9a-zA-Z.~^_+]{1,8}(-[0-9a-z.~^]{0,4})?",
        Scheme::Apk => {
            "[0-9]{1,2}(\\.[0-9]{1,3}){0,3}[a-c]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2}){0,2}(~[0-9a-f]{1,4})?(-r[0-9]{1,2})?"
        }
        Scheme::Pep440 => {
            "v?([0-9]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}((a|b|rc|alpha|c)[0-9]?)?(\\.?post[0-9]?)?(\\.?dev[0-9]?)?(\\+[a-z0-9]{1,3}(\\.[0-9]{1,2})?)?"
        }
        Scheme::Semver => {
            "v?[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[0-9a-z]{1,3}(\\.[0-9a-z]{1,3}){0,2})?(\\+[0-9a-z]{1,3})?"
        }
        Scheme::Go => {
            "(v?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}(-[0-9a-z]{1,3}(\\.[0-9a-z]{1,3}){0,2})?(\\+incompatible)?|go1\\.[0-9]{1,2}(\\.[0-9])?((rc|beta)[0-9])?)"
        }
        Scheme::Maven => "[0-9a-zA-Z]{1,4}([.-][0-9a-z]{0,5}){0,4}",
        Scheme::RubyGems => "[0-9]{1,2}(\\.[0-9a-z]{1,3}){0,4}(-[0-9a-z]{1,3})?",
        Scheme::NuGet => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}(-[0-9a-zA-Z]{1,3}(\\.[0-9a-zA-Z]{1,3}){0,2})?(\\+[a-z0-9]{1,3})?"
        }
        Scheme::Packagist => {
            "v?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}([-_.+~^]?(dev|alpha|a|beta|b|RC|rc|p|pl|foo)[0-9]{0,2})?"
        }
    }
}

fn version(scheme: Scheme) -> BoxedStrategy<String> {
    prop_oneof![
        8 => proptest::string::string_regex(grammar(scheme)).expect("valid regex"),
        1 => "[0-9a-zA-Z.:~^+_-]{1,10}",
    ]
    .boxed()
}

fn triple() -> impl Strategy<Value = (Scheme, String, String, String)> {
    proptest::sample::select(Scheme::ALL.to_vec())
        .prop_flat_map(|s| (Just(s), version(s), version(s), version(s)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn order_laws((scheme, a, b, c) in triple()) {
        let (Ok(x), Ok(y), Ok(z)) = (scheme.parse(&a), scheme.parse(&b), scheme.parse(&c)) else {
            return Ok(());
        };
        prop_assert_eq!(x.cmp(&x), Ordering::Equal, "reflexivity: {}", a);
        prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "antisymmetry: {} {}", a, b);
        prop_assert_eq!(scheme.compare(&a, &b).unwrap(), x.cmp(&y));
        if x <= y && y <= z {
            prop_assert!(x <= z, "transitivity: {} <= {} <= {}", a, b, c);
        }
        if x == y && y == z {
            prop_assert!(x == z, "transitivity of equality: {} {} {}", a, b, c);
        }
        if x < y && y < z {
            prop_assert!(x < z, "strict transitivity: {} < {} < {}", a, b, c);
        }
    }

    #[test]
    fn arbitrary_input_never_panics(s in any::<String>(), t in "\\PC{0,300}") {
        for scheme in Scheme::ALL {
            for input in [&s, &t] {
                if let Ok(v) = scheme.parse(input) {
                    prop_assert_eq!(v.cmp(&v), Ordering::Equal);
                    prop_assert_eq!(v.scheme(), scheme);
                }
            }
            let _ = scheme.compare(&s, &t);
        }
    }
}

#[test]
fn huge_numbers_compare_by_value_without_overflow() {
    let big = "9".repeat(100);
    let bigger = format!("1{}", "0".repeat(100));
    for (scheme, a, b) in [
        (Scheme::Dpkg, format!("1.{big}"), format!("1.{bigger}")),
        (Scheme::Rpm, format!("1.{big}"), format!("1.{bigger}")),
        (Scheme::Apk, format!("1.{big}"), format!("1.{bigger}")),
        (
            Scheme::Go,
            format!("v1.2.3-{big}"),
            format!("v1.2.3-{bigger}"),
        ),
        (Scheme::Go, format!("v{big}.0.0"), format!("v{bigger}.0.0")),
        (Scheme::Maven, format!("1.{big}"), format!("1.{bigger}")),
        (Scheme::RubyGems, format!("1.{big}"), format!("1.{bigger}")),
        (Scheme::Packagist, format!("1.{big}"), format!("1.{bigger}")),
        (
            Scheme::NuGet,
            format!("1.0.0-{big}"),
            format!("1.0.0-{bigger}"),
        ),
    ] {
        assert_eq!(scheme.compare(&a, &b), Ok(Ordering::Less), "{scheme}");
    }
    // Schemes whose tools keep numbers in machine integers refuse what does not fit.
    assert!(Scheme::Semver.parse(&format!("{big}.0.0")).is_err());
    assert!(Scheme::Pep440.parse(&format!("{big}.0")).is_err());
    assert!(Scheme::NuGet.parse(&format!("{big}.0")).is_err());
}

#[test]
fn inputs_over_the_limit_are_refused_before_parsing() {
    let long = format!("1.{}", "0.".repeat(MAX_LEN));
    for scheme in Scheme::ALL {
        assert!(
            matches!(scheme.parse(&long), Err(VersionError::TooLong { .. })),
            "{scheme}"
        );
        assert!(
            matches!(
                scheme.compare(&long, "1"),
                Err(VersionError::TooLong { .. })
            ),
            "{scheme}"
        );
    }
}
