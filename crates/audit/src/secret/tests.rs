//! Rule tests: positives, negatives, redaction, bounds.
//!
//! Secrets are assembled at run time from a seeded generator, so that this
//! file holds no token-shaped literal (and scanners of this repository,
//! palisade included, stay quiet).

use super::*;

/// Deterministic pseudo-random text over `alphabet`.
fn random(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn aws_id(seed: u64) -> String {
    format!("{}{}", "AK".to_string() + "IA", random(seed, 16, BASE32))
}
fn aws_secret(seed: u64) -> String {
    random(seed, 40, B64)
}
fn pem_body(seed: u64, lines: usize) -> String {
    (0..lines)
        .map(|i| random(seed + i as u64, 64, B64) + "\n")
        .collect()
}
fn pem(label: &str, seed: u64) -> String {
    format!(
        "-----BEGIN {label}-----\n{}-----END {label}-----\n",
        pem_body(seed, 20)
    )
}

fn rules_of(found: &[SecretMatch]) -> Vec<&'static str> {
    found.iter().map(|m| m.rule).collect()
}

/// The scan must find exactly `rules`, and no redacted text or Debug
/// output may contain the secret or any 5 consecutive characters of it.
fn assert_finds(path: &str, content: &str, rules: &[&str], secrets: &[&str]) -> Vec<SecretMatch> {
    let found = scan_file(path, content.as_bytes());
    assert_eq!(rules_of(&found), rules, "{path}: {content:?} → {found:#?}");
    assert_redacted(&found, secrets);
    found
}

fn assert_redacted(found: &[SecretMatch], secrets: &[&str]) {
    for m in found {
        let debug = format!("{m:?}");
        for s in secrets {
            assert!(
                !m.redacted.contains(s) && !debug.contains(s),
                "{s} leaked in {m:?}"
            );
            for w in s.as_bytes().windows(5) {
                let w = std::str::from_utf8(w).unwrap();
                // Type prefixes (`github_pat_`, `glpat-`) are shown on purpose.
                if w.contains('_') || w.contains('-') {
                    continue;
                }
                assert!(
                    !m.redacted.contains(w),
                    "{w:?} of a secret shown in {:?}",
                    m.redacted
                );
            }
        }
    }
}

fn assert_none(path: &str, content: &str) {
    let found = scan_file(path, content.as_bytes());
    assert!(found.is_empty(), "{path}: {content:?} → {found:#?}");
}

// ---------------------------------------------------------------- private keys

#[test]
fn private_keys_of_every_armour() {
    for (label, rule) in [
        ("RSA PRIVATE KEY", "private-key"),
        ("PRIVATE KEY", "private-key"),
        ("EC PRIVATE KEY", "private-key"),
        ("DSA PRIVATE KEY", "private-key"),
        ("ENCRYPTED PRIVATE KEY", "encrypted-private-key"),
    ] {
        let key = pem(label, 7);
        let body = pem_body(7, 1);
        let found = assert_finds("root/.ssh/id_rsa", &key, &[rule], &[body.trim()]);
        assert_eq!(found[0].line, 1);
        assert_eq!(
            found[0].redacted,
            format!("-----BEGIN {label}----- <redacted>")
        );
    }
    let found = scan_file("k.pem", pem("RSA PRIVATE KEY", 1).as_bytes());
    assert_eq!(found[0].severity, Severity::Critical);
    let found = scan_file("k.pem", pem("ENCRYPTED PRIVATE KEY", 1).as_bytes());
    assert_eq!(found[0].severity, Severity::High);
}

#[test]
fn traditional_encrypted_pem_and_pgp() {
    let key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D4E5F60718293A4B5C6D7E8F9\n\n{}-----END RSA PRIVATE KEY-----\n",
        pem_body(3, 10)
    );
    assert_finds("srv/tls.key", &key, &["encrypted-private-key"], &[]);
    let pgp = format!(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{}=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n",
        pem_body(4, 10)
    );
    let found = assert_finds("root/secret.asc", &pgp, &["private-key"], &[]);
    assert_eq!(
        found[0].redacted,
        "-----BEGIN PGP PRIVATE KEY BLOCK----- <redacted>"
    );
}

#[test]
fn openssh_keys_encrypted_or_not() {
    use base64::Engine as _;
    let blob = |cipher: &str| {
        let mut raw = b"openssh-key-v1\0".to_vec();
        raw.extend_from_slice(&(cipher.len() as u32).to_be_bytes());
        raw.extend_from_slice(cipher.as_bytes());
        raw.extend(random(9, 300, ALNUM).bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(70)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            lines.join("\n")
        )
    };
    assert_finds(
        "home/u/.ssh/id_ed25519",
        &blob("none"),
        &["private-key"],
        &[],
    );
    assert_finds(
        "home/u/.ssh/id_ed25519",
        &blob("aes256-ctr"),
        &["encrypted-private-key"],
        &[],
    );
}

#[test]
fn private_key_in_json_string_is_one_match() {
    let body: String = (0..12).map(|i| random(20 + i, 64, B64) + "\\n").collect();
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{body}-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"x@y.iam.gserviceaccount.com\"\n}}\n",
        random(5, 40, b"0123456789abcdef")
    );
    let found = assert_finds("app/sa.json", &json, &["private-key"], &[]);
    assert_eq!(found[0].line, 4);
}

#[test]
fn private_key_negatives() {
    // Certificates and public keys.
    assert_none("etc/ssl/certs/ca.pem", &pem("CERTIFICATE", 2));
    assert_none("etc/ssl/certs/x.pem", &pem("PUBLIC KEY", 2));
    assert_none(
        "etc/ssh/ssh_host_rsa_key.pub",
        &format!("ssh-rsa {} root@host\n", random(3, 372, B64)),
    );
    // Headers in documentation and code, without key material.
    assert_none(
        "usr/local/lib/python3.11/dist-packages/x/pem.py",
        "PEM_HEADER = \"-----BEGIN RSA PRIVATE KEY-----\"\nif line == PEM_HEADER:\n    parse(line)\n",
    );
    assert_none(
        "app/README.md",
        "Put your key in key.pem:\n\n    -----BEGIN RSA PRIVATE KEY-----\n    ...\n    -----END RSA PRIVATE KEY-----\n",
    );
    assert_none(
        "app/README.md",
        &format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            "X".repeat(64).repeat(4)
        ),
    );
    // Too little material.
    assert_none(
        "a.key",
        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n",
    );
}

// ------------------------------------------------------------------------ AWS

#[test]
fn aws_access_key_ids() {
    let id = aws_id(1);
    for content in [
        format!("AWS_ACCESS_KEY_ID={id}\n"),
        format!("aws_access_key_id = {id}\n"),
        format!("{{\"AccessKeyId\": \"{id}\"}}"),
        format!("client = boto3.client('s3', aws_access_key_id='{id}')\n"),
    ] {
        let found = assert_finds("app/main.py", &content, &["aws-access-key-id"], &[&id]);
        assert_eq!(found[0].redacted, "AKIA****************");
        assert_eq!(found[0].severity, Severity::High);
    }
    for prefix in ["AS", "AB", "AC"] {
        let id = format!(
            "{prefix}{}{}",
            if prefix == "AC" { "CA" } else { "IA" },
            random(2, 16, BASE32)
        );
        assert_finds(
            "x.txt",
            &format!("key {id}\n"),
            &["aws-access-key-id"],
            &[&id],
        );
    }
    // AWS's documented example, glued to other characters, wrong alphabet, too short.
    assert_none(
        "x.txt",
        &format!("{}IOSFODNN7EXAMPLE\n", "AK".to_string() + "IA"),
    );
    assert_none("x.txt", &format!("X{id}\n"));
    assert_none("x.txt", &format!("{id}Z\n"));
    assert_none("x.txt", &format!("{}\n", id.to_ascii_lowercase()));
    assert_none("x.txt", &format!("{}\n", &id[..18]));
    assert_none("x.txt", "AKIA0189ABCDEFGHIJKL\n");
}

#[test]
fn aws_secret_access_keys() {
    let secret = aws_secret(11);
    for (path, content) in [
        ("app/.env", format!("AWS_SECRET_ACCESS_KEY={secret}\n")),
        (
            "root/.aws/credentials",
            format!("[default]\naws_secret_access_key = {secret}\n"),
        ),
        (
            "app/creds.json",
            format!("{{\"SecretAccessKey\": \"{secret}\"}}"),
        ),
        ("app/deploy.py", format!("awsSecretKey = '{secret}'\n")),
        ("app/values.yaml", format!("aws:\n  secret_key: {secret}\n")),
    ] {
        let found = assert_finds(path, &content, &["aws-secret-access-key"], &[&secret]);
        assert_eq!(found[0].severity, Severity::Critical);
        assert!(found[0].redacted.ends_with("<redacted>"), "{found:?}");
    }
    // The example key, a 41-character value, hex, no `secret` in the key.
    assert_none(
        "app/.env",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    assert_none(
        "app/x.py",
        &format!("aws_secret_access_key = '{secret}A'\n"),
    );
    assert_none(
        "app/x.py",
        &format!("secret = '{}'\n", random(3, 40, b"0123456789abcdef")),
    );
    assert_none("app/x.py", &format!("checksum = '{secret}'\n"));
    // Another `*secret*` key with a 40-character value is a generic secret.
    assert_finds(
        "app/.env",
        &format!("CLIENT_SECRET={secret}\n"),
        &["generic-secret"],
        &[&secret],
    );
    assert_eq!(
        rules_of(&scan_value(Some("CLIENT_SECRET"), &secret)),
        ["generic-secret"]
    );
}

#[test]
fn the_planted_env_file() {
    let id = aws_id(5);
    let secret = aws_secret(6);
    let env = format!(
        "# FAKE credentials planted for secret-scanner benchmarks. NOT VALID ANYWHERE.\nAWS_ACCESS_KEY_ID={id}\nAWS_SECRET_ACCESS_KEY={secret}\nAWS_DEFAULT_REGION=us-east-1\n"
    );
    let found = assert_finds(
        "app/.env",
        &env,
        &["aws-access-key-id", "aws-secret-access-key"],
        &[&id, &secret],
    );
    assert_eq!(found[0].line, 2);
    assert_eq!(found[1].line, 3);
    assert_eq!(found[1].redacted, "AWS_SECRET_ACCESS_KEY=<redacted>");
}

// ---------------------------------------------------------------- GitHub, GitLab, Slack, npm

#[test]
fn github_tokens() {
    for (prefix, rule) in [
        ("ghp_", "github-pat"),
        ("gho_", "github-oauth"),
        ("ghu_", "github-app-token"),
        ("ghs_", "github-app-token"),
        ("ghr_", "github-refresh-token"),
    ] {
        let random_part = random(prefix.len() as u64 + prefix.as_bytes()[2] as u64, 36, ALNUM);
        let token = format!("{prefix}{random_part}");
        let found = assert_finds(
            "app/run.sh",
            &format!("git clone https://{token}@github.com/o/r\n"),
            &[rule],
            &[&random_part],
        );
        assert_eq!(found[0].redacted, format!("{prefix}{}", "*".repeat(36)));
        assert_eq!(found[0].severity, Severity::Critical);
    }
    let random_part = random(77, 82, ALNUM);
    let token = format!("github_pat_{random_part}");
    let found = assert_finds(
        "app/.env",
        &format!("GITHUB_TOKEN={token}\n"),
        &["github-fine-grained-pat"],
        &[&random_part],
    );
    assert!(found[0].redacted.starts_with("github_pat_***"));
    // Too short, too long, placeholder.
    let short = format!("ghp_{}", random(1, 30, ALNUM));
    assert_none("x.txt", &format!("{short}\n"));
    assert_none("x.txt", &format!("ghp_{}\n", random(1, 40, ALNUM)));
    assert_none("x.txt", &format!("ghp_{}\n", "x".repeat(36)));
}

#[test]
fn gitlab_slack_npm_tokens() {
    let gl = random(31, 20, ALNUM);
    let found = assert_finds(
        "app/ci.yml",
        &format!("token: glpat-{gl}\n"),
        &["gitlab-pat"],
        &[&gl],
    );
    assert_eq!(found[0].redacted, format!("glpat-{}", "*".repeat(20)));
    assert_none("x.txt", "glpat-xxxxxxxxxxxxxxxxxxxx\n");

    let slack = format!(
        "{}-{}-{}",
        random(32, 12, b"0123456789"),
        random(33, 13, b"0123456789"),
        random(34, 24, ALNUM)
    );
    let found = assert_finds(
        "app/bot.js",
        &format!("const t = 'xoxb-{slack}';\n"),
        &["slack-token"],
        &[&slack],
    );
    assert!(found[0].redacted.starts_with("xoxb-*"));
    assert_none("x.js", "const t = 'xoxb-your-token-here';\n");

    let hook_secret = random(35, 24, ALNUM);
    let hook = format!(
        "https://hooks.slack.com/services/T{}/B{}/{hook_secret}",
        random(36, 8, BASE32),
        random(37, 10, BASE32)
    );
    let found = assert_finds(
        "app/alerts.sh",
        &format!("curl -X POST {hook}\n"),
        &["slack-webhook-url"],
        &[&hook_secret],
    );
    assert_eq!(
        found[0].redacted,
        "https://hooks.slack.com/services/<redacted>"
    );
    assert_eq!(found[0].severity, Severity::Medium);
    assert_none(
        "x.md",
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
    );

    let npm = random(38, 36, ALNUM);
    assert_finds(
        "app/publish.sh",
        &format!("NPM_TOKEN=npm_{npm} npm publish\n"),
        &["npm-access-token"],
        &[&npm],
    );
}

#[test]
fn npmrc_credentials() {
    let token = random(40, 36, ALNUM);
    let found = assert_finds(
        "root/.npmrc",
        &format!(
            "registry=https://registry.example.net/\n//registry.example.net/:_authToken={token}\nalways-auth=true\n"
        ),
        &["npmrc-auth-token"],
        &[&token],
    );
    assert_eq!(found[0].line, 2);
    assert_eq!(
        found[0].redacted,
        "//registry.example.net/:_authToken=<redacted>"
    );
    // npm_ token in .npmrc: the specific rule wins.
    let npm = random(41, 36, ALNUM);
    assert_finds(
        "home/app/.npmrc",
        &format!("//registry.npmjs.org/:_authToken=npm_{npm}\n"),
        &["npm-access-token"],
        &[&npm],
    );
    assert_none(
        "root/.npmrc",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    );
}

// ------------------------------------------------------------------------ URLs

#[test]
fn credentials_in_urls() {
    let pw = random(50, 14, ALNUM);
    let found = assert_finds(
        "app/settings.py",
        &format!("DATABASE_URL = 'postgres://app:{pw}@db.internal:5432/app'\n"),
        &["url-credentials"],
        &[&pw],
    );
    assert_eq!(
        found[0].redacted,
        "postgres://app:<redacted>@db.internal:5432"
    );
    assert_finds(
        "root/.git-credentials",
        &format!("https://bob:{pw}@git.internal\n"),
        &["url-credentials"],
        &[&pw],
    );
    // A GitHub token as the password is reported as the token.
    let gh = random(51, 36, ALNUM);
    assert_finds(
        "root/.git-credentials",
        &format!("https://bob:ghp_{gh}@github.com\n"),
        &["github-pat"],
        &[&gh],
    );
    // A token as the user name is not shown either.
    let gh2 = random(52, 36, ALNUM);
    let found = scan_file(
        "root/.git-credentials",
        format!("https://ghp_{gh2}:x-oauth-basic@github.com\n").as_bytes(),
    );
    assert_eq!(rules_of(&found), ["url-credentials", "github-pat"]);
    assert_redacted(&found, &[&gh2]);
    assert_eq!(found[0].redacted, "https://ghp_****:<redacted>@github.com");
    for url in [
        "http://user:password@host/path",
        "https://${USER}:${PASS}@registry.internal",
        "https://user:pass@example.com/",
        "\"%s://%s:%s@%s\" % (scheme, user, pw, host)",
        "ftp://ftp.debian.org/debian",
        "git@github.com:org/repo.git",
        "mysql://root:root@localhost/db",
        "amqp://guest:guest@rabbit:5672",
        "redis://:xxxxxxxx@cache:6379",
        "http://user:<password>@proxy:3128",
        "https://user:*****@host.internal",
        "postgresql://{user}:{password}@{host}/{db}",
    ] {
        assert_none("app/notes.txt", &format!("{url}\n"));
    }
}

// ------------------------------------------------------------------------ generic

#[test]
fn generic_assignments_in_config() {
    let pw = "dev-only-Pa55w0rd-FAKE";
    let found = assert_finds(
        "app/config/development.env",
        &format!("# FAKE development settings\nDB_HOST=localhost\nDB_PASSWORD={pw}\n"),
        &["generic-password"],
        &[pw],
    );
    assert_eq!(found[0].line, 3);
    assert_eq!(found[0].redacted, "DB_PASSWORD=<redacted>");
    assert_eq!(found[0].severity, Severity::High);

    // A value that merely contains the word is still a password.
    let weak = "SuperPassword2024!";
    let found = assert_finds(
        "app/config.env",
        &format!("DB_PASSWORD={weak}\n"),
        &["generic-password"],
        &[weak],
    );
    assert_eq!(found[0].redacted, "DB_PASSWORD=<redacted>");
    // The bare word is a placeholder.
    assert!(scan_file("app/config.env", b"DB_PASSWORD=password\n").is_empty());

    let tok = random(60, 32, ALNUM);
    let pw2 = format!("{}#{}", random(61, 6, ALNUM), random(62, 5, ALNUM));
    for (path, content, rule) in [
        (
            "srv/app/config.yaml",
            format!("db:\n  password: \"{pw2}\"\n"),
            "generic-password",
        ),
        (
            "srv/app/config.json",
            format!("{{\"apiKey\": \"{tok}\"}}"),
            "generic-secret",
        ),
        (
            "opt/app/application.properties",
            format!("spring.datasource.password={pw2}\n"),
            "generic-password",
        ),
        (
            "etc/app/app.xml",
            format!("<config><password>{pw2}</password></config>\n"),
            "generic-password",
        ),
        (
            "etc/app/app.xml",
            format!("<db user=\"a\" password=\"{pw2}\"/>\n"),
            "generic-password",
        ),
        (
            "etc/app/app.xml",
            format!(
                "<!-- sample:\n<password>x</password> -->\n<config>\n  <password>{pw2}</password>\n</config>\n"
            ),
            "generic-password",
        ),
        (
            "etc/app/app.ini",
            format!("[api]\nauth_token = {tok}\n"),
            "generic-secret",
        ),
        (
            "app/.env.production",
            format!("export STRIPE_SECRET={tok}\n"),
            "generic-secret",
        ),
        (
            "app/settings.toml",
            format!("client_secret = '{tok}'\n"),
            "generic-secret",
        ),
        (
            "etc/default/app",
            format!("API_KEY={tok}\n"),
            "generic-secret",
        ),
        (
            "app/config/app.conf",
            format!("Authorization: Bearer {tok}\n"),
            "generic-secret",
        ),
        (
            "etc/mysql/debian.cnf",
            format!("[client]\nuser = debian-sys-maint\npassword = {pw2}\n"),
            "generic-password",
        ),
    ] {
        let secret = if rule == "generic-password" {
            pw2.as_str()
        } else {
            tok.as_str()
        };
        assert_finds(path, &content, &[rule], &[secret]);
    }
}

#[test]
fn generic_negatives() {
    let tok = random(70, 32, ALNUM);
    for (path, content) in [
        // Placeholders and references.
        ("app/.env", "DB_PASSWORD=changeme\n".to_string()),
        ("app/.env", "DB_PASSWORD=${DB_PASSWORD}\n".to_string()),
        ("app/.env", "DB_PASSWORD=$(cat /run/secrets/db)\n".to_string()),
        ("app/.env", "API_KEY=<your-api-key>\n".to_string()),
        ("app/.env", "API_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxx\n".to_string()),
        ("app/.env", "SECRET_KEY=example-secret-key-123456\n".to_string()),
        ("app/.env", "PASSWORD=password\n".to_string()),
        ("app/c.json", "{\"password\": null, \"token\": true, \"auth\": false}\n".to_string()),
        ("app/c.yaml", "password: \"{{ .Values.db.password }}\"\n".to_string()),
        ("app/c.yaml", "tokenUrl: https://auth.internal/oauth/token\n".to_string()),
        ("app/c.yaml", "password_file: /run/secrets/db_password\n".to_string()),
        ("app/c.yaml", "secretName: my-app-tls-secret\n".to_string()),
        ("app/c.yaml", "auth_type: basic\nauthMethod: oauth2-client-credentials\n".to_string()),
        ("app/c.yaml", "author: Jane Doe <jane@corp.internal>\n".to_string()),
        ("app/.env", "GITHUB_TOKEN_PATH=/var/run/secrets/token\n".to_string()),
        ("etc/postgresql/15/main/postgresql.conf", "password_encryption = scram-sha-256\n".to_string()),
        ("app/.env", "PWD=/app\n".to_string()),
        ("app/c.yaml", "max_tokens: 4096\ntoken_expiry: 3600\n".to_string()),
        // Comment lines.
        ("app/.env", format!("# API_TOKEN={tok}\n")),
        ("etc/app.conf", format!("; secret = {tok}\n")),
        // Debian defaults: login.defs, PAM, debconf.
        ("etc/login.defs", "PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\n".to_string()),
        ("etc/pam.d/common-password", "password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt\n".to_string()),
        ("etc/debconf.conf", "Name: passwords\nDriver: File\nFilename: /var/cache/debconf/passwords.dat\nAccept-Type: password\n".to_string()),
        ("etc/ssh/sshd_config", "PasswordAuthentication yes\nPermitEmptyPasswords no\n".to_string()),
        // Prose mentioning passwords in a config file.
        ("etc/app.conf", "# The password is read from the vault at start-up; do not set it here.\n".to_string()),
        // Generic assignments in source code and prose are not reported.
        ("app/main.py", format!("password = '{tok}'\n")),
        ("usr/share/perl5/Foo.pm", format!("my $password = \"{tok}\";\n")),
        ("app/notes.txt", format!("token: {tok}\n")),
        ("usr/local/lib/python3.11/dist-packages/requests/config.json", format!("{{\"token\": \"{tok}\"}}\n")),
        // Low entropy / too short.
        ("app/.env", "API_TOKEN=aaaaaaaabbbbbbbb1\n".to_string()),
        ("app/.env", "DB_PASSWORD=hunter2\n".to_string()),
        ("app/.env", "DB_PASSWORD=12345678\n".to_string()),
    ] {
        assert_none(path, &content);
    }
}

#[test]
fn credentials_files() {
    let pw = random(80, 12, ALNUM);
    assert_finds(
        "root/.netrc",
        &format!("machine api.internal login bob password {pw}\n"),
        &["generic-password"],
        &[&pw],
    );
    assert_finds(
        "root/.pgpass",
        &format!("db.internal:5432:app:bob:{pw}\n"),
        &["generic-password"],
        &[&pw],
    );
    assert_none(
        "root/.pgpass",
        "# hostname:port:database:username:password\n",
    );
    let auth = random(81, 28, B64);
    let found = assert_finds(
        "root/.docker/config.json",
        &format!(
            "{{\n  \"auths\": {{\n    \"registry.internal\": {{\n      \"auth\": \"{auth}\"\n    }}\n  }}\n}}\n"
        ),
        &["generic-secret"],
        &[&auth],
    );
    assert_eq!(found[0].line, 4);
    assert_finds(
        "root/.pypirc",
        &format!("[pypi]\nusername = __token__\npassword = {pw}\n"),
        &["generic-password"],
        &[&pw],
    );
    let id = aws_id(82);
    let secret = aws_secret(83);
    let session = random(84, 300, B64);
    assert_finds(
        "root/.aws/credentials",
        &format!(
            "[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\naws_session_token = {session}\n"
        ),
        &[
            "aws-access-key-id",
            "aws-secret-access-key",
            "generic-secret",
        ],
        &[&id, &secret, &session],
    );
}

/// What the real Debian images tripped over while the filters were being
/// tuned (see the PALISADE_IMAGES test in tests/secret.rs): each line is
/// real content from debian12-minbase, -python-app or -large.
#[test]
fn debian_false_positives_stay_fixed() {
    let coveralls = random(85, 33, ALNUM);
    let cases: &[(&str, String)] = &[
        // Comment example in Tcl's http package (url-credentials is off in
        // installed packages).
        (
            "usr/share/tcltk/tcl8.6/tcl8/http-2.9.8.tm",
            "    #     http://jschmoe:xyzzy@www.bogus.net:8000/foo/bar.tml?q=foo#changes\n".into(),
        ),
        // /etc defaults: placeholders, references, short or prose values.
        ("etc/ssl/openssl.cnf", "private_key\t= $dir/private/cakey.pem# The private key\n".into()),
        ("etc/ssl/openssl.cnf", "challengePassword\t\t= A challenge password\n".into()),
        ("etc/ssl/openssl.cnf", "secret = pass:insta # can be used for both client and server side\n".into()),
        ("etc/ssl/openssl.cnf", "secret = $insta::secret # pass:insta\nsecret = # disable PBM\n".into()),
        ("etc/nsswitch.conf", "passwd:         files\n".into()),
        ("etc/pam.d/common-account", "account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so\n".into()),
        ("etc/security/namespace.init", "        passwd=$(getent passwd \"$user\")\n".into()),
        ("etc/java-17-openjdk/net.properties", "jdk.http.auth.tunneling.disabledSchemes=Basic\njdk.http.ntlm.transparentAuth=disabled\n".into()),
        (
            "etc/java-17-openjdk/management/management.properties",
            "# com.sun.management.jmxremote.password.toHashes=true\n".into(),
        ),
        ("etc/login.defs", "ENCRYPT_METHOD SHA512\nPASS_MAX_DAYS\t99999\n".into()),
        // Sample configuration inside an XML comment (Maven's settings.xml).
        (
            "etc/maven/settings.xml",
            "<servers>\n    <!-- Another sample, using keys to authenticate.\n    <server>\n      <password>repoPwd2024x</password>\n      <passphrase>optional; leave empty if not used.</passphrase>\n    </server>\n    -->\n  </servers>\n".into(),
        ),
        // Assignments in package sources: generic rules are for configuration only.
        ("usr/share/perl/5.36.0/Cwd.pm", "    my $pwd=`$pwd_cmd`;\n".into()),
        ("usr/share/perl5/Debconf/FrontEnd/Dialog.pm", "\t\t@params=('--password', @params);\n".into()),
        ("usr/lib/python3.11/urllib/request.py", "        user, passwd = _splitpasswd(user_passwd)\n".into()),
        ("usr/share/perl/5.36.0/Module/CoreList.pm", "    'Test2::EventFacet::Info::Table'=> '1.302190',\n    Pass=> 'x1.302190y',\n".into()),
        ("usr/share/javascript/mathjax/localization/fr/TeX.js", "NotMathMLToken:\"%1 n'est pas un \\u00E9l\\u00E9ment\",\n".into()),
        ("app/node_modules/lodash/fp/_mapping.js", "  'allPass': 'overEvery',\n".into()),
        // A token shipped inside an npm package (config files of installed
        // packages are the package's, not the image's).
        ("app/node_modules/debug/.coveralls.yml", format!("repo_token: {coveralls}\n")),
    ];
    for (path, content) in cases {
        assert_none(path, content);
    }
    // Python's test suite ships real throw-away keys: test directories of
    // installed packages are not scanned at all.
    assert!(!should_scan_path("usr/lib/python3.11/test/keycert.pem"));
    assert!(should_scan_path("app/test/keycert.pem"));
}

// ------------------------------------------------------------------------ values

#[test]
fn image_config_values() {
    let secret = aws_secret(90);
    let env = format!("AWS_SECRET_ACCESS_KEY={secret}");
    let found = scan_value(None, &env);
    assert_eq!(rules_of(&found), ["aws-secret-access-key"]);
    assert_eq!(found[0].line, 1);
    assert_redacted(&found, &[&secret]);
    let found = scan_value(Some("AWS_SECRET_ACCESS_KEY"), &secret);
    assert_eq!(rules_of(&found), ["aws-secret-access-key"]);
    assert_eq!(found[0].redacted, "AWS_SECRET_ACCESS_KEY=<redacted>");

    let pw = random(91, 16, ALNUM);
    let found = scan_value(Some("DB_PASSWORD"), &pw);
    assert_eq!(rules_of(&found), ["generic-password"]);
    assert_redacted(&found, &[&pw]);
    assert_eq!(
        rules_of(&scan_value(Some("API_TOKEN"), &random(92, 32, ALNUM))),
        ["generic-secret"]
    );

    for (k, v) in [
        (
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ),
        ("APP_ENV", "production"),
        (
            "PYTHON_SHA256",
            "8d9e5e3c35f1c0e4d1f7a1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a4938",
        ),
        ("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D"),
        (
            "org.opencontainers.image.authors",
            "Jane Doe <jane@corp.internal>",
        ),
        ("POSTGRES_PASSWORD_FILE", "/run/secrets/pg"),
        ("DB_PASSWORD", "${DB_PASSWORD}"),
        ("maintainer", "ops@corp.internal"),
    ] {
        let found = scan_value(Some(k), v);
        assert!(found.is_empty(), "{k}={v}: {found:?}");
        let found = scan_value(None, &format!("{k}={v}"));
        assert!(found.is_empty(), "{k}={v}: {found:?}");
    }
}

#[test]
fn history_lines() {
    let tok = random(93, 36, ALNUM);
    let found = scan_value(None, &format!("|1 NPM_TOKEN=npm_{tok} /bin/sh -c npm ci"));
    assert_eq!(rules_of(&found), ["npm-access-token"]);
    assert_redacted(&found, &[&tok]);
    let pw = random(94, 12, ALNUM);
    let found = scan_value(
        None,
        &format!("/bin/sh -c #(nop) ENV DB_PASSWORD={pw} LANG=C.UTF-8"),
    );
    assert_eq!(rules_of(&found), ["generic-password"]);
    let found = scan_value(
        None,
        &format!("/bin/sh -c mysql --password {pw} -e 'select 1'"),
    );
    assert_eq!(rules_of(&found), ["generic-password"]);
    assert_redacted(&found, &[&pw]);
    for line in [
        "debootstrap --variant=minbase bookworm http://deb.debian.org/debian (main suite only, no security updates)",
        "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends python3 python3-pip && rm -rf /var/lib/apt/lists/*",
        "/bin/sh -c #(nop) COPY file:.env in /app/.env && COPY file:id_rsa in /root/.ssh/id_rsa",
        "/bin/sh -c useradd --no-log-init -u 1000 -U -m -s /bin/bash app",
        "RUN /bin/sh -c echo \"$DB_PASSWORD\" | docker login --password-stdin",
        "/bin/sh -c pip install --no-deps --target /usr/local/lib/python3.11/dist-packages requests==2.19.1",
    ] {
        assert!(
            scan_value(None, line).is_empty(),
            "{line}: {:?}",
            scan_value(None, line)
        );
    }
}

// ------------------------------------------------------------------------ engine

#[test]
fn line_numbers_and_order() {
    let id = aws_id(100);
    let gh = random(101, 36, ALNUM);
    let content = format!(
        "line one\n\n{}\nx = 1\ntoken ghp_{gh} end\n\nkey {id}\n",
        pem("EC PRIVATE KEY", 102)
    );
    let found = scan_file("app/data.txt", content.as_bytes());
    assert_eq!(
        rules_of(&found),
        ["private-key", "github-pat", "aws-access-key-id"]
    );
    assert_eq!(
        found.iter().map(|m| m.line).collect::<Vec<_>>(),
        [3, 27, 29]
    );
}

#[test]
fn long_lines_find_secrets_anywhere() {
    let id = aws_id(110);
    // One 3 MiB line (minified JavaScript) with the key in the middle, and
    // keywords all over it.
    let filler = "var password=a,token=b,auth=c,url='https://x.internal/'; ".repeat(3 << 20 >> 6);
    let half = filler.len() / 2;
    let content = format!("{} {id} {}", &filler[..half], &filler[half..]);
    let start = std::time::Instant::now();
    let found = scan_file("app/static/bundle.min.js", content.as_bytes());
    assert_eq!(rules_of(&found), ["aws-access-key-id"]);
    assert_eq!(found[0].line, 1);
    eprintln!("3 MiB keyword-dense line: {:?}", start.elapsed());
}

#[test]
fn ten_megabytes_without_newlines_is_bounded() {
    // Worst cases for the windows: a keyword every few bytes, in a config
    // file (all rules on), far above MAX_SCAN_BYTES (via the inner scanner).
    let kind = path::classify("app/config.yaml");
    for unit in [
        "password=",
        "password='",
        "passwordpassword",
        "secret:",
        "-----BEGIN RSA PRIVATE KEY-----",
        "PRIVATE KEY",
        "-----BEGIN PRIVATE KEY-----\nMIIE",
        "://",
        "a://b:c@",
        "AKIA",
        "ghp_",
        "github_pat_",
        "glpat-",
        "xoxb-123456789-",
        "npm_",
        "https://hooks.slack.com/services/T0123456/B0123456/",
        "password=x\n",
        "x",
    ] {
        // 10 MiB for the assignment and key-block cases, 2 MiB for the
        // token prefixes (constant work per hit, slow only in debug builds).
        let size = if unit.len() < 8 || unit.contains('=') || unit.contains("KEY") {
            10 << 20
        } else {
            2 << 20
        };
        let content = unit.repeat(size / unit.len());
        let start = std::time::Instant::now();
        let found = scan_bytes(content.as_bytes(), kind);
        let took = start.elapsed();
        assert!(found.len() <= MAX_MATCHES);
        eprintln!(
            "{} MiB of {unit:?}: {took:?}, {} matches",
            size >> 20,
            found.len()
        );
        assert!(
            took < std::time::Duration::from_secs(60),
            "{unit:?} took {took:?}"
        );
    }
    // scan_file skips content above the limit.
    let big = vec![b'a'; MAX_SCAN_BYTES as usize + 1];
    assert!(scan_file("app/.env", &big).is_empty());
}

#[test]
fn many_matches_are_capped() {
    let content: String = (0..500).map(|i| aws_id(1000 + i) + "\n").collect();
    let found = scan_file("app/keys.txt", content.as_bytes());
    assert_eq!(found.len(), MAX_MATCHES);
    assert_eq!(found[0].line, 1);
}

#[test]
fn binary_content_is_not_scanned() {
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend(aws_id(120).bytes());
    assert!(is_binary(&elf));
    assert!(scan_file("usr/bin/tool", &elf).is_empty());
}

#[test]
fn rule_table_is_consistent() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len(), "duplicate rule id");
    for r in RULES {
        assert!(
            r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{}",
            r.id
        );
        assert!(!r.title.is_empty() && !r.description.is_empty());
    }
}
