//! The lint rules, one per file. Each rule has a [`RuleDoc`] (id, default
//! severity, rationale, bad and good example, the same rule in hadolint,
//! Trivy and the CIS Docker Benchmark) and a check over a [`Context`].

use palisade_model::Severity;

use crate::ast::{Args, Dockerfile, Instruction, Pos};
use crate::shell::{self, Script};
use crate::stages::{self, Stage};

mod add_remote_url;
mod apk_no_cache;
mod apk_pin;
mod apt_get_y;
mod apt_lists;
mod apt_no_recommends;
mod apt_pin;
mod base_not_pinned;
mod build_tools_single_stage;
mod cd_instead_of_workdir;
mod cmd_exec_form;
mod copy_dest_slash;
mod copy_from_own_stage;
mod copy_from_unknown;
mod curl_pipe_shell;
mod dnf_clean;
mod duplicate_stage_name;
mod env_self_reference;
mod expose_port_range;
mod final_runs_as_root;
mod first_instruction;
mod from_latest;
mod from_platform;
mod healthcheck_missing;
mod healthcheck_multiple;
mod maintainer;
mod multiple_cmd;
mod multiple_entrypoint;
mod network_tools_final;
mod no_setuid_defang;
mod npm_pin;
mod onbuild_forbidden;
mod packages_not_upgraded;
mod pip_no_cache;
mod pip_pin;
mod pipefail;
mod pointless_commands;
mod secrets_in_env;
mod sudo;
mod unknown_instruction;
mod untrusted_base;
mod use_apt_get;
mod use_copy_not_add;
mod useradd_no_l;
mod wget_and_curl;
mod workdir_absolute;
mod yum_clean;
mod yum_y;
mod zypper_y;

/// Documentation of a rule; docs/rules/dockerfile.md and `--list-rules` are
/// generated from it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct RuleDoc {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub rationale: &'static str,
    pub fix: &'static str,
    /// A Dockerfile on which the rule fires.
    pub bad: &'static str,
    /// The same, fixed: the rule does not fire.
    pub good: &'static str,
    /// The rule in hadolint (`DLxxxx`), Trivy (`AVD-DS-xxxx`), CIS Docker Benchmark (`CIS 4.x`).
    pub peer_ids: &'static [&'static str],
}

/// A rule.
pub trait Rule: Sync {
    fn doc(&self) -> &'static RuleDoc;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>);
}

/// Every rule, in id order.
pub static ALL: &[&dyn Rule] = &[
    &final_runs_as_root::Rule,
    &build_tools_single_stage::Rule,
    &no_setuid_defang::Rule,
    &network_tools_final::Rule,
    &packages_not_upgraded::Rule,
    &untrusted_base::Rule,
    &base_not_pinned::Rule,
    &secrets_in_env::Rule,
    &add_remote_url::Rule,
    &curl_pipe_shell::Rule,
    &healthcheck_missing::Rule,
    &workdir_absolute::Rule,
    &pointless_commands::Rule,
    &cd_instead_of_workdir::Rule,
    &sudo::Rule,
    &from_latest::Rule,
    &apt_pin::Rule,
    &apt_lists::Rule,
    &expose_port_range::Rule,
    &healthcheck_multiple::Rule,
    &pip_pin::Rule,
    &apt_get_y::Rule,
    &apt_no_recommends::Rule,
    &npm_pin::Rule,
    &apk_pin::Rule,
    &apk_no_cache::Rule,
    &use_copy_not_add::Rule,
    &copy_dest_slash::Rule,
    &copy_from_unknown::Rule,
    &copy_from_own_stage::Rule,
    &duplicate_stage_name::Rule,
    &cmd_exec_form::Rule,
    &use_apt_get::Rule,
    &from_platform::Rule,
    &yum_y::Rule,
    &yum_clean::Rule,
    &zypper_y::Rule,
    &dnf_clean::Rule,
    &pip_no_cache::Rule,
    &onbuild_forbidden::Rule,
    &env_self_reference::Rule,
    &useradd_no_l::Rule,
    &first_instruction::Rule,
    &maintainer::Rule,
    &wget_and_curl::Rule,
    &multiple_cmd::Rule,
    &multiple_entrypoint::Rule,
    &pipefail::Rule,
    &unknown_instruction::Rule,
];

/// Lint settings that rules read.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Allowed base images or registries (`docker.io/library/*`, `*.gcr.io`,
    /// `registry.example.com/base/`); empty = no allow-list.
    pub trusted_bases: Vec<String>,
}

/// One finding of a rule, before it becomes a `palisade_model::Finding`.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: &'static RuleDoc,
    pub pos: Pos,
    pub message: String,
    /// The instruction the hit is about (for pragmas).
    pub instruction: usize,
}

/// The analysis of one RUN (its shell form or heredoc bodies, or its exec form).
pub struct Run<'a> {
    pub index: usize,
    pub ins: &'a Instruction,
    pub script: Script,
}

/// What rules see: the file, its stages, and the shell analysis of every RUN.
pub struct Context<'a> {
    pub df: &'a Dockerfile,
    pub stages: Vec<Stage>,
    pub runs: Vec<Run<'a>>,
    pub settings: &'a Settings,
}

impl<'a> Context<'a> {
    pub fn new(df: &'a Dockerfile, settings: &'a Settings) -> Self {
        let stages = stages::stages(df);
        let mut runs = Vec::new();
        for (i, ins) in df.instructions.iter().enumerate() {
            let ins = match &ins.args {
                Args::Sub(sub) => sub.as_ref(),
                _ => ins,
            };
            if !ins.is("run") {
                continue;
            }
            let vars = stages
                .iter()
                .find(|s| s.instructions.contains(&i))
                .map(|s| stages::vars_before(df, s, i))
                .unwrap_or_default();
            runs.push(Run {
                index: i,
                ins,
                script: run_script(ins, &vars),
            });
        }
        Context {
            df,
            stages,
            runs,
            settings,
        }
    }

    /// The stage holding instruction `i`.
    pub fn stage_of(&self, i: usize) -> Option<&Stage> {
        self.stages.iter().find(|s| s.instructions.contains(&i))
    }

    /// The last stage (what `docker build` produces without `--target`).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// RUNs of a stage.
    pub fn runs_in<'s>(&'s self, stage: &'s Stage) -> impl Iterator<Item = &'s Run<'a>> + 's {
        self.runs
            .iter()
            .filter(move |r| stage.instructions.contains(&r.index))
    }

    /// Instructions `(index, instruction)`, ONBUILD contents included.
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> + 'a {
        self.df
            .instructions
            .iter()
            .enumerate()
            .map(|(i, ins)| match &ins.args {
                Args::Sub(sub) => (i, sub.as_ref()),
                _ => (i, ins),
            })
    }

    /// A hit at the start of instruction `i`.
    pub fn at(&self, rule: &'static RuleDoc, i: usize, message: impl Into<String>) -> Hit {
        Hit {
            rule,
            pos: self.df.instructions[i].span.start,
            message: message.into(),
            instruction: i,
        }
    }

    /// A hit at a command of a RUN (its first word when known).
    pub fn at_command(
        &self,
        rule: &'static RuleDoc,
        run: &Run<'_>,
        cmd: &shell::Command,
        message: impl Into<String>,
    ) -> Hit {
        let pos = if run.ins.heredocs.is_empty() && run.ins.text().is_some() {
            run.ins.position(run.ins.args_offset + cmd.offset)
        } else {
            run.ins.span.start
        };
        Hit {
            rule,
            pos,
            message: message.into(),
            instruction: run.index,
        }
    }
}

/// The shell analysis of a RUN: heredoc bodies when the RUN has heredocs,
/// else its shell form, or its exec form as one command.
fn run_script(ins: &Instruction, vars: &stages::Vars) -> Script {
    match &ins.args {
        Args::Json(argv) => {
            let quoted: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
            shell::analyse(&quoted.join(" "), vars)
        }
        Args::Text(text) => {
            let mut script = shell::analyse(text, vars);
            // `RUN <<EOF` or `RUN bash <<EOF`: the body is the script. With
            // any other command (`cat <<EOF >/etc/x`) the body is data.
            let runs_body = match script.commands.first() {
                None => true,
                Some(c) => {
                    script.commands.len() == 1
                        && matches!(c.name(), "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh")
                        && !c.args.iter().skip(1).any(|a| !a.starts_with('-'))
                }
            };
            if runs_body {
                for h in &ins.heredocs {
                    let body = shell::analyse(&h.content, vars);
                    script.has_pipe |= body.has_pipe;
                    script.error = script.error.or(body.error);
                    script.commands.extend(body.commands);
                }
            }
            script
        }
        _ => Script::default(),
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs every rule; hits come in rule order.
pub fn check_all(cx: &Context<'_>) -> Vec<Hit> {
    let mut out = Vec::new();
    for rule in ALL {
        rule.check(cx, &mut out);
    }
    out
}

/// The documentation of every rule.
pub fn docs() -> impl Iterator<Item = &'static RuleDoc> {
    ALL.iter().map(|r| r.doc())
}

// Helpers shared by the package-manager rules.

/// `apt-get install`-style: the package operands after `subcommand`.
pub(crate) fn packages_after<'c>(cmd: &'c shell::Command, subcommand: &str) -> Vec<&'c str> {
    cmd.subcommand_args(subcommand)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| !a.starts_with('-') && !a.is_empty())
        .collect()
}

/// Commands named `names` with `subcommand` among their arguments.
pub(crate) fn calls<'r>(
    run: &'r Run<'_>,
    names: &'r [&'r str],
    subcommand: &'r str,
) -> impl Iterator<Item = &'r shell::Command> + 'r {
    run.script
        .named(names)
        .filter(move |c| c.args.iter().skip(1).any(|a| a == subcommand))
}

/// One package installation: `apt-get install -y a b`, `apk add c`, …
pub(crate) struct Install<'r> {
    pub cmd: &'r shell::Command,
    /// `apt`, `apk`, `yum`, `dnf`, `zypper`.
    pub manager: &'static str,
    pub packages: Vec<&'r str>,
}

/// The package installations of a RUN, for every OS package manager.
pub(crate) fn package_installs<'r>(run: &'r Run<'_>) -> Vec<Install<'r>> {
    let mut out = Vec::new();
    for cmd in &run.script.commands {
        let (manager, subs): (&'static str, &[&str]) = match cmd.name() {
            "apt-get" | "apt" | "aptitude" => ("apt", &["install"]),
            "apk" => ("apk", &["add"]),
            "yum" => ("yum", &["install", "groupinstall", "localinstall"]),
            "dnf" | "microdnf" => ("dnf", &["install"]),
            "zypper" => ("zypper", &["install", "in"]),
            _ => continue,
        };
        let Some(sub) = subs
            .iter()
            .find(|s| cmd.args.iter().skip(1).any(|a| a == *s))
        else {
            continue;
        };
        let mut packages = Vec::new();
        let mut skip_value = false;
        for a in cmd.subcommand_args(sub).unwrap_or_default() {
            if skip_value {
                skip_value = false;
                continue;
            }
            // Options that take a separate value.
            if matches!(
                a,
                "-t" | "--virtual"
                    | "-X"
                    | "--repository"
                    | "-o"
                    | "--option"
                    | "--setopt"
                    | "--enablerepo"
                    | "--disablerepo"
            ) {
                skip_value = true;
                continue;
            }
            if !a.starts_with('-') && !a.is_empty() {
                packages.push(a);
            }
        }
        out.push(Install {
            cmd,
            manager,
            packages,
        });
    }
    out
}

/// A stage and the earlier stages it builds on (`FROM build AS final`).
pub(crate) fn chain<'s>(cx: &'s Context<'_>, stage: &'s Stage) -> Vec<&'s Stage> {
    let mut out = vec![stage];
    let mut cur = stage;
    while let Some(b) = cur.base_stage {
        if out.len() > cx.stages.len() {
            break;
        }
        cur = &cx.stages[b];
        out.push(cur);
    }
    out
}

/// RUNs of a stage and of the stages it builds on.
pub(crate) fn chain_runs<'s>(cx: &'s Context<'_>, stage: &'s Stage) -> Vec<&'s Run<'s>> {
    let chain = chain(cx, stage);
    cx.runs
        .iter()
        .filter(|r| chain.iter().any(|s| s.instructions.contains(&r.index)))
        .collect()
}

/// Whether a RUN mounts a cache at a path starting with `prefix`.
pub(crate) fn has_cache_mount(run: &Run<'_>, prefix: &str) -> bool {
    run.ins.flag_values("mount").any(|m| {
        m.split(',').any(|kv| kv == "type=cache")
            && m.split(',').any(|kv| {
                kv.split_once('=').is_some_and(|(k, v)| {
                    matches!(k, "target" | "dst" | "destination") && v.starts_with(prefix)
                })
            })
    })
}

/// Whether any command of the RUN is `rm` of a path containing `fragment`.
pub(crate) fn removes(run: &Run<'_>, fragment: &str) -> bool {
    run.script
        .named(&["rm"])
        .any(|c| c.operands().any(|a| a.contains(fragment)))
}

/// The image name and its tag/digest: `debian:12@sha256:…` → (`debian`, Some("12"), Some("sha256:…")).
pub(crate) fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(&rest[last_slash + i + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

/// Reports every `manager` install (from `package_installs`) that names
/// packages `pinned` rejects: the shared body of the per-manager pin rules.
pub(crate) fn report_unpinned(
    cx: &Context<'_>,
    out: &mut Vec<Hit>,
    doc: &'static RuleDoc,
    manager: &str,
    command: &str,
    pinned: fn(&str) -> bool,
) {
    for run in &cx.runs {
        for inst in package_installs(run) {
            if inst.manager != manager {
                continue;
            }
            let loose: Vec<&str> = inst
                .packages
                .iter()
                .copied()
                .filter(|p| !pinned(p))
                .collect();
            if !loose.is_empty() {
                out.push(cx.at_command(
                    doc,
                    run,
                    inst.cmd,
                    format!("pin versions in {command}: {}", loose.join(", ")),
                ));
            }
        }
    }
}
