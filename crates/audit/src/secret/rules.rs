//! The rule table: every secret rule's stable id, title, default severity
//! and a one-line description (for docs and `palisade rules`).

use palisade_model::Severity;

/// One secret rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id (what users put in ignore files).
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub description: &'static str,
}

macro_rules! rule {
    ($name:ident, $id:literal, $title:literal, $sev:ident, $desc:literal) => {
        pub const $name: Rule = Rule {
            id: $id,
            title: $title,
            severity: Severity::$sev,
            description: $desc,
        };
    };
}

rule!(
    PRIVATE_KEY,
    "private-key",
    "Private key",
    Critical,
    "A PEM/OpenSSH/PGP private key block (`-----BEGIN ... PRIVATE KEY-----`) followed by key material."
);
rule!(
    ENCRYPTED_PRIVATE_KEY,
    "encrypted-private-key",
    "Encrypted private key",
    High,
    "A passphrase-protected private key (PKCS#8 `ENCRYPTED PRIVATE KEY`, PEM `Proc-Type: 4,ENCRYPTED`, \
     or an OpenSSH key whose cipher is not `none`): still crackable offline once the image leaks."
);
rule!(
    AWS_ACCESS_KEY_ID,
    "aws-access-key-id",
    "AWS access key ID",
    High,
    "An AWS access key id (`AKIA`/`ASIA`/`ABIA`/`ACCA` + 16 base32 characters). Not a secret by itself, \
     but its secret key is almost always next to it."
);
rule!(
    AWS_SECRET_ACCESS_KEY,
    "aws-secret-access-key",
    "AWS secret access key",
    Critical,
    "A 40-character base64 value assigned to a key that mentions `secret` \
     (`aws_secret_access_key = ...`, `AWS_SECRET_ACCESS_KEY=...`, `\"SecretAccessKey\": ...`)."
);
rule!(
    GITHUB_PAT,
    "github-pat",
    "GitHub personal access token",
    Critical,
    "A classic GitHub personal access token (`ghp_` + 36 characters)."
);
rule!(
    GITHUB_OAUTH,
    "github-oauth",
    "GitHub OAuth access token",
    Critical,
    "A GitHub OAuth access token (`gho_` + 36 characters)."
);
rule!(
    GITHUB_APP_TOKEN,
    "github-app-token",
    "GitHub App token",
    Critical,
    "A GitHub App user-to-server or server-to-server token (`ghu_` / `ghs_` + 36 characters)."
);
rule!(
    GITHUB_REFRESH_TOKEN,
    "github-refresh-token",
    "GitHub refresh token",
    Critical,
    "A GitHub refresh token (`ghr_` + 36 characters)."
);
rule!(
    GITHUB_FINE_GRAINED_PAT,
    "github-fine-grained-pat",
    "GitHub fine-grained personal access token",
    Critical,
    "A fine-grained GitHub personal access token (`github_pat_` + 82 characters)."
);
rule!(
    GITLAB_PAT,
    "gitlab-pat",
    "GitLab personal access token",
    Critical,
    "A GitLab personal access token (`glpat-` + at least 20 characters)."
);
rule!(
    SLACK_TOKEN,
    "slack-token",
    "Slack token",
    High,
    "A Slack bot, user, app or refresh token (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-` + numeric ids)."
);
rule!(
    SLACK_WEBHOOK_URL,
    "slack-webhook-url",
    "Slack webhook URL",
    Medium,
    "A Slack incoming-webhook URL (`https://hooks.slack.com/services/T.../B.../...`): anyone holding it can post."
);
rule!(
    NPM_ACCESS_TOKEN,
    "npm-access-token",
    "npm access token",
    Critical,
    "An npm access token (`npm_` + 36 characters)."
);
rule!(
    NPMRC_AUTH,
    "npmrc-auth-token",
    "npm registry credential in .npmrc",
    High,
    "An `_authToken`, `_auth` or `_password` value in an `.npmrc` that is not an environment reference."
);
rule!(
    URL_CREDENTIALS,
    "url-credentials",
    "Credentials in URL",
    High,
    "A URL with a user and password (`scheme://user:password@host`), as in a database DSN or `.git-credentials`."
);
rule!(
    GENERIC_PASSWORD,
    "generic-password",
    "Password in configuration",
    High,
    "A non-placeholder value assigned to a password key (`DB_PASSWORD=...`, `password: ...`) in a \
     configuration or credentials file, an Env entry, label or build step."
);
rule!(
    GENERIC_SECRET,
    "generic-secret",
    "Secret in configuration",
    Medium,
    "A high-entropy value assigned to a secret, token, API-key, auth or credential key in a \
     configuration or credentials file, an Env entry, label or build step."
);

/// Every rule, most specific first: when two rules match the same text,
/// the one earlier in this list is reported.
pub static RULES: &[Rule] = &[
    PRIVATE_KEY,
    ENCRYPTED_PRIVATE_KEY,
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    GITHUB_PAT,
    GITHUB_OAUTH,
    GITHUB_APP_TOKEN,
    GITHUB_REFRESH_TOKEN,
    GITHUB_FINE_GRAINED_PAT,
    GITLAB_PAT,
    SLACK_TOKEN,
    SLACK_WEBHOOK_URL,
    NPM_ACCESS_TOKEN,
    NPMRC_AUTH,
    URL_CREDENTIALS,
    GENERIC_PASSWORD,
    GENERIC_SECRET,
];

/// Position in [`RULES`]: lower wins when matches overlap.
pub(crate) fn priority(rule: &Rule) -> usize {
    RULES
        .iter()
        .position(|r| r.id == rule.id)
        .unwrap_or(RULES.len())
}
