//! Package names as the database keys them: each ecosystem's own notion of
//! "the same name", so `Foo_Bar` from a wheel finds the advisory for `foo-bar`.

/// The ecosystem without its release suffix: `Debian:12` → `Debian`.
pub fn ecosystem_base(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// The normalized name of `name` in `ecosystem`.
pub fn normalize(ecosystem: &str, name: &str) -> String {
    let name = name.trim();
    match ecosystem_base(ecosystem) {
        // PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`.
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut in_sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.extend(c.to_lowercase());
                    in_sep = false;
                }
            }
            out
        }
        // Registries that treat names case-insensitively.
        "crates.io" | "Packagist" | "NuGet" => name.to_lowercase(),
        // npm (scoped `@scope/name`), Maven `group:artifact`, Go module
        // paths, RubyGems and distro packages: exact.
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_per_ecosystem() {
        let cases = [
            ("PyPI", "Foo__Bar.baz", "foo-bar-baz"),
            ("PyPI", "requests", "requests"),
            ("PyPI", "PyYAML", "pyyaml"),
            ("npm", "@Babel/core", "@Babel/core"),
            (
                "Maven",
                "org.apache.logging.log4j:log4j-core",
                "org.apache.logging.log4j:log4j-core",
            ),
            ("Go", "github.com/Foo/bar", "github.com/Foo/bar"),
            ("crates.io", "Serde", "serde"),
            ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
            ("Debian:12", "libssl3", "libssl3"),
        ];
        for (eco, name, want) in cases {
            assert_eq!(normalize(eco, name), want, "{eco} {name}");
        }
        assert_eq!(ecosystem_base("Alpine:v3.18"), "Alpine");
        assert_eq!(ecosystem_base("npm"), "npm");
    }
}
