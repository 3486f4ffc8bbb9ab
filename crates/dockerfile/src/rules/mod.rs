//! The lint rules, one per file. Each rule has a [`RuleDoc`] (id, default
//! severity, rationale, bad and good example, the same rule in hadolint,
//! Trivy and the CIS Docker Benchmark) and a check over a [`Context`].

use palisade_model::Severity;

use crate::ast::{Args, Dockerfile, Instruction, Pos};
use crate::shell::{self, Script};
use crate::stages::{self, Stage};

pub use labels::LabelFormat;

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
mod consecutive_runs;
mod copy_dest_slash;
mod copy_from_own_stage;
mod copy_from_unknown;
mod copy_relative_no_workdir;
mod copy_then_extract;
mod copy_whole_filesystem;
mod curl_pipe_shell;
mod dnf_clean;
mod dnf_pin;
mod dnf_y;
mod duplicate_stage_name;
mod env_self_reference;
mod expose_port_range;
mod expose_ssh;
mod final_runs_as_root;
mod first_instruction;
mod from_latest;
mod from_platform;
mod gem_pin;
mod go_install_pin;
mod healthcheck_missing;
mod healthcheck_multiple;
mod label_email;
mod label_empty;
mod label_git_hash;
mod label_key_invalid;
mod label_missing;
mod label_rfc3339;
mod label_semver;
mod label_spdx;
mod label_superfluous;
mod label_url;
pub(crate) mod labels;
mod ln_bin_sh;
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
mod platform_targetplatform;
mod pointless_commands;
mod pragma_used;
mod secrets_in_env;
mod stage_reserved_name;
mod sudo;
mod unknown_instruction;
mod untrusted_base;
mod update_alone;
mod use_apt_get;
mod use_copy_not_add;
mod user_not_numeric;
mod useradd_no_l;
mod wget_and_curl;
mod wget_progress;
mod workdir_absolute;
mod workdir_system_dir;
mod yarn_cache;
mod yum_clean;
mod yum_pin;
mod yum_y;
mod zypper_clean;
mod zypper_dist_upgrade;
mod zypper_pin;
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
    &pragma_used::Rule,
    &copy_then_extract::Rule,
    &gem_pin::Rule,
    &yum_pin::Rule,
    &zypper_dist_upgrade::Rule,
    &zypper_clean::Rule,
    &zypper_pin::Rule,
    &dnf_y::Rule,
    &dnf_pin::Rule,
    &copy_relative_no_workdir::Rule,
    &wget_progress::Rule,
    &label_key_invalid::Rule,
    &label_missing::Rule,
    &label_superfluous::Rule,
    &label_empty::Rule,
    &label_url::Rule,
    &label_rfc3339::Rule,
    &label_spdx::Rule,
    &label_git_hash::Rule,
    &label_semver::Rule,
    &label_email::Rule,
    &consecutive_runs::Rule,
    &yarn_cache::Rule,
    &go_install_pin::Rule,
    &stage_reserved_name::Rule,
    &platform_targetplatform::Rule,
    &user_not_numeric::Rule,
    &copy_whole_filesystem::Rule,
    &ln_bin_sh::Rule,
    &expose_ssh::Rule,
    &update_alone::Rule,
    &workdir_system_dir::Rule,
];

/// Lint settings that rules read.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Allowed base images or registries (`docker.io/library/*`, `*.gcr.io`,
    /// `registry.example.com/base/`); empty = no allow-list.
    pub trusted_bases: Vec<String>,
    /// Required labels and the format of their values (hadolint's
    /// `label-schema`); turns on PAL-DF-062 … PAL-DF-070.
    pub label_schema: Vec<(String, LabelFormat)>,
    /// Only labels of `label_schema` are allowed (PAL-DF-063).
    pub strict_labels: bool,
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
    /// `(k, h)`: commands from index `k` on came from heredoc body `h`
    /// (their offsets are into that body, not into the RUN line).
    pub bodies: Vec<(usize, usize)>,
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
        let globals = stages::global_args(df);
        let mut runs = Vec::new();
        // Variables in scope, kept up to date while walking the file once
        // (a scan from the stage start for every RUN is quadratic).
        let mut vars: stages::Vars = Vec::new();
        let mut in_stage = false;
        for (i, ins) in df.instructions.iter().enumerate() {
            if ins.is("from") {
                vars.clear();
                in_stage = true;
                continue;
            }
            let ins = match &ins.args {
                Args::Sub(sub) => sub.as_ref(),
                _ => ins,
            };
            if !ins.is("run") {
                if in_stage && std::ptr::eq(ins, &df.instructions[i]) {
                    stages::apply_scope(df, &globals, ins, &mut vars);
                }
                continue;
            }
            let (script, bodies) = run_script(ins, &vars);
            runs.push(Run {
                index: i,
                ins,
                script,
                bodies,
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
        // Stages are in file order: binary search, not a scan per call.
        let k = self.stages.partition_point(|s| s.instructions.end <= i);
        self.stages.get(k).filter(|s| s.instructions.contains(&i))
    }

    /// The RUN at instruction `i` (ONBUILD RUN included), by binary search.
    pub fn run_at(&self, i: usize) -> Option<&Run<'a>> {
        let k = self.runs.partition_point(|r| r.index < i);
        self.runs.get(k).filter(|r| r.index == i)
    }

    /// The last stage (what `docker build` produces without `--target`).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// RUNs of a stage.
    pub fn runs_in<'s>(&'s self, stage: &'s Stage) -> impl Iterator<Item = &'s Run<'a>> + 's {
        // RUNs are in file order.
        let lo = self
            .runs
            .partition_point(|r| r.index < stage.instructions.start);
        let hi = self
            .runs
            .partition_point(|r| r.index < stage.instructions.end);
        self.runs[lo..hi].iter()
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

    /// A hit at a command of a RUN: its first word, on the RUN line or on
    /// its line of a heredoc body.
    pub fn at_command(
        &self,
        rule: &'static RuleDoc,
        run: &Run<'_>,
        cmd: &shell::Command,
        message: impl Into<String>,
    ) -> Hit {
        Hit {
            rule,
            pos: command_position(run, cmd),
            message: message.into(),
            instruction: run.index,
        }
    }
}

/// Where a command of a RUN starts in the source.
fn command_position(run: &Run<'_>, cmd: &shell::Command) -> Pos {
    let k = run
        .script
        .commands
        .iter()
        .position(|c| std::ptr::eq(c, cmd));
    let body = k.and_then(|k| run.bodies.iter().rev().find(|(first, _)| *first <= k));
    match body {
        Some(&(_, h)) => {
            let doc = &run.ins.heredocs[h];
            let before = doc.content.get(..cmd.offset).unwrap_or(&doc.content);
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            Pos {
                line: doc.span.start.line + before.matches('\n').count() as u32,
                column: before[line_start..].chars().count() as u32 + 1,
            }
        }
        None if run.ins.text().is_some() => run.ins.position(run.ins.args_offset + cmd.offset),
        None => run.ins.span.start,
    }
}

/// The shell analysis of a RUN: heredoc bodies when the RUN has heredocs,
/// else its shell form, or its exec form as one command.
fn run_script(ins: &Instruction, vars: &stages::Vars) -> (Script, Vec<(usize, usize)>) {
    let mut bodies = Vec::new();
    let script = match &ins.args {
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
                for (h, doc) in ins.heredocs.iter().enumerate() {
                    let body = shell::analyse(&doc.content, vars);
                    bodies.push((script.commands.len(), h));
                    script.has_pipe |= body.has_pipe;
                    script.error = script.error.or(body.error);
                    script.commands.extend(body.commands);
                }
            }
            script
        }
        _ => Script::default(),
    };
    (script, bodies)
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

/// An RPM package argument that names a version: `httpd-2.4.6`, an epoch or
/// module stream (`nodejs:20`), or a local `.rpm` file. A dash alone is
/// not enough (`httpd-tools` is a name).
pub(crate) fn rpm_pinned(p: &str) -> bool {
    p.ends_with(".rpm")
        || p.contains(':')
        || p.contains('*')
        || p.match_indices('-').any(|(i, _)| {
            p[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
}

/// Reports installs of `manager` in RUNs that neither clean the package
/// cache (`<command> clean`, `rm` of one of `cache_dirs`) nor mount a cache
/// there: the shared body of the yum, dnf and zypper clean rules.
pub(crate) fn report_cache_left(
    cx: &Context<'_>,
    out: &mut Vec<Hit>,
    doc: &'static RuleDoc,
    manager: &str,
    commands: &[&str],
    cache_dirs: &[&str],
) {
    for run in &cx.runs {
        let cleaned = run
            .script
            .named(commands)
            .any(|c| c.args.iter().skip(1).any(|a| a == "clean" || a == "cc"))
            || cache_dirs
                .iter()
                .any(|d| removes(run, d) || has_cache_mount(run, d));
        if cleaned {
            continue;
        }
        if let Some(inst) = package_installs(run)
            .into_iter()
            .find(|i| i.manager == manager)
        {
            let name = inst.cmd.name();
            out.push(cx.at_command(
                doc,
                run,
                inst.cmd,
                format!("{name} install without {name} clean all"),
            ));
        }
    }
}

/// Reports installs of `manager` without `-y` / `--assumeyes`: the shared
/// body of the yum and dnf rules.
pub(crate) fn report_without_yes(
    cx: &Context<'_>,
    out: &mut Vec<Hit>,
    doc: &'static RuleDoc,
    manager: &str,
) {
    for run in &cx.runs {
        for inst in package_installs(run) {
            if inst.manager == manager && !inst.cmd.has_option('y', &["--assumeyes"]) {
                let name = inst.cmd.name();
                out.push(cx.at_command(doc, run, inst.cmd, format!("{name} install without -y")));
            }
        }
    }
}

/// Strips one pair of surrounding quotes (`"x"`, `'x'`).
pub(crate) fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// The destination of a COPY/ADD (its last word), quotes removed.
pub(crate) fn copy_dest(ins: &Instruction) -> Option<&str> {
    ins.words().last().map(|w| unquote(w))
}
