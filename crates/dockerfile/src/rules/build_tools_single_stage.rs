//! PAL-DF-002: Build tools in a single-stage build.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

/// Package names of compilers, build systems, VCS and development headers.
fn is_build_tool(pkg: &str) -> bool {
    let name = pkg.split(['=', ':']).next().unwrap_or(pkg);
    matches!(
        name,
        "gcc"
            | "g++"
            | "clang"
            | "make"
            | "cmake"
            | "build-essential"
            | "build-base"
            | "git"
            | "autoconf"
            | "automake"
            | "libtool"
            | "golang"
            | "rustc"
            | "cargo"
            | "maven"
            | "gradle"
            | "musl-dev"
            | "gcc-c++"
            | "ninja-build"
            | "pkg-config"
            | "pkgconf"
    ) || name.ends_with("-dev")
        || name.ends_with("-devel")
}

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-002",
    title: "Build tools in a single-stage build",
    severity: Severity::Medium,
    rationale: r#"Compilers, git and -dev packages are only needed to build. In a single-stage build they ship in the final image, adding attack surface and CVEs. The guide asks for multi-stage builds so the final stage only copies the built artefacts."#,
    fix: r#"Build in a first stage (`FROM golang:1.23 AS build`) and copy the result into a small final stage (`FROM gcr.io/distroless/static` + `COPY --from=build`)."#,
    bad: r#"FROM debian:12
RUN apt-get update && apt-get install -y gcc make
RUN make
"#,
    good: r#"FROM debian:12 AS build
RUN apt-get update && apt-get install -y gcc make
RUN make
FROM debian:12-slim
COPY --from=build /src/app /app
"#,
    peer_ids: &[],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        if cx.stages.len() != 1 {
            return;
        }
        for run in &cx.runs {
            for inst in super::package_installs(run) {
                let tools: Vec<&str> = inst
                    .packages
                    .iter()
                    .copied()
                    .filter(|p| is_build_tool(p))
                    .collect();
                if !tools.is_empty() {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        inst.cmd,
                        format!(
                            "build tools installed in a single-stage build: {}",
                            tools.join(", ")
                        ),
                    ));
                    return;
                }
            }
        }
    }
}
