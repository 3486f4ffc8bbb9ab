//! PAL-DF-003: Full-distro final image keeps SETUID/SETGID binaries.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-003",
    title: "Full-distro final image keeps SETUID/SETGID binaries",
    severity: Severity::Low,
    rationale: r#"Full distribution images ship setuid and setgid binaries (su, passwd, mount, …) that a compromised process can use to escalate. The guide asks to remove the bits in the final stage: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} \; || true`."#,
    fix: r#"Use a minimal base (distroless, scratch) or add `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} \; || true` to the final stage."#,
    bad: r#"FROM ubuntu:24.04
USER 1000
"#,
    good: r#"FROM ubuntu:24.04
RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} \; || true
USER 1000
"#,
    peer_ids: &["CIS 4.8"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(last) = cx.final_stage() else { return };
        let chain = super::chain(cx, last);
        let Some(base) = chain.last() else { return };
        let (name, _, _) = super::split_image(&base.image);
        let short = name.rsplit('/').next().unwrap_or(name);
        const DISTROS: &[&str] = &[
            "debian",
            "ubuntu",
            "centos",
            "fedora",
            "rockylinux",
            "almalinux",
            "amazonlinux",
            "alpine",
            "oraclelinux",
            "ubi8",
            "ubi9",
            "ubi",
            "opensuse",
            "leap",
            "archlinux",
            "buildpack-deps",
            "python",
            "node",
            "ruby",
            "golang",
            "openjdk",
            "php",
            "perl",
            "httpd",
            "nginx",
        ];
        if !DISTROS.contains(&short) {
            return;
        }
        let defanged = super::chain_runs(cx, last).iter().any(|r| {
            // `chmod a-s …` or `find … -exec chmod a-s {} \;`
            r.script.commands.iter().any(|c| {
                (c.name() == "chmod"
                    || c.args.iter().any(|a| a == "chmod" || a.ends_with("/chmod")))
                    && c.args.iter().any(|a| {
                        matches!(
                            a.as_str(),
                            "a-s" | "u-s" | "g-s" | "ug-s" | "-s" | "u-s,g-s"
                        )
                    })
            })
        });
        if !defanged {
            out.push(cx.at(
                &DOC,
                last.from,
                format!(
                    "final stage is based on {} and does not remove setuid/setgid bits",
                    base.image
                ),
            ));
        }
    }
}
