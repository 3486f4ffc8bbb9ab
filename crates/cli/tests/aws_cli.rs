//! `palisade aws …` end to end through the binary, on the policy and
//! lifecycle fixtures in crates/aws/tests/.

mod support {
    pub mod aws;
}

use serde_json::Value;
use support::aws::{fixture, json, palisade};

const ORG_CTX: &str = "aws:PrincipalOrgID=o-abc123";
const ROLE: &str = "arn:aws:iam::111122223333:role/team-a-ci";

fn simulate(resource: &str, context: &str) -> Value {
    let (team_a, endpoint) = (
        fixture("policies/team-a.json"),
        fixture("policies/endpoint-org.json"),
    );
    let out = palisade(&[
        "aws",
        "policy",
        "simulate",
        "--identity",
        &team_a,
        "--endpoint-policy",
        &endpoint,
        "--endpoint",
        "vpce-0a1b2c3d",
        "--principal",
        ROLE,
        "--action",
        "ecr:PutImage",
        "--resource",
        resource,
        "--context",
        context,
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

#[test]
fn simulate_the_guides_policies() {
    let v = simulate(
        "arn:aws:ecr:us-west-2:111122223333:repository/team-a/app",
        ORG_CTX,
    );
    assert_eq!(v["decision"], "Allow");
    let identity = &v["layers"][0];
    assert_eq!(identity["layer"], "identity");
    assert_eq!(identity["allows"][0]["label"], "AllowPushPull");
    assert_eq!(identity["allows"][0]["line"], 4);
    assert_eq!(v["layers"][1]["allows"][0]["label"], "LimitECRAccess");

    let v = simulate(
        "arn:aws:ecr:us-west-2:111122223333:repository/team-b/app",
        ORG_CTX,
    );
    assert_eq!(v["decision"], "ImplicitDeny");
    let v = simulate(
        "arn:aws:ecr:us-west-2:111122223333:repository/team-a/app",
        "aws:PrincipalOrgID=o-evil",
    );
    assert_eq!(v["decision"], "ImplicitDeny");
    assert!(v["reason"].as_str().unwrap().contains("endpoint"));
}

#[test]
fn simulate_table_and_deny_exit_code() {
    let team_a = fixture("policies/team-a.json");
    let out = palisade(&[
        "aws",
        "policy",
        "simulate",
        "--identity",
        &team_a,
        "--principal",
        ROLE,
        "--action",
        "ecr:DeleteRepository",
        "--resource",
        "arn:aws:ecr:us-west-2:111122223333:repository/team-a/app",
        "--deny-exit-code",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Decision   ImplicitDeny"), "{text}");
}

#[test]
fn simulate_reports_invalid_policy_position() {
    let bad = fixture("policies/invalid-effect.json");
    let out = palisade(&[
        "aws",
        "policy",
        "simulate",
        "--identity",
        &bad,
        "--principal",
        ROLE,
        "--action",
        "ecr:PutImage",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid-effect.json:5:17") && err.contains("unknown Effect"),
        "{err}"
    );
}

#[test]
fn check_findings_gate_and_sarif() {
    let files = [
        format!("identity:{}", fixture("policies/identity-broad.json")),
        format!("repository:{}", fixture("policies/repo-public.json")),
        format!("registry:{}", fixture("policies/registry-bad.json")),
        format!("endpoint:{}", fixture("policies/endpoint-open.json")),
        format!("endpoint:{}", fixture("policies/endpoint-org.json")),
        format!(
            "endpoint:{}",
            fixture("policies/endpoint-guide-as-printed.json")
        ),
    ];
    let mut args: Vec<&str> = vec![
        "aws",
        "policy",
        "check",
        "--format",
        "json",
        "--fail-on",
        "CRITICAL",
        "--exit-code",
        "9",
    ];
    args.extend(files.iter().map(String::as_str));
    let out = palisade(&args);
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for want in [
        "PAL-AWS-001",
        "PAL-AWS-003",
        "PAL-AWS-004",
        "PAL-AWS-005",
        "PAL-AWS-006",
        "PAL-AWS-007",
        "PAL-AWS-008",
        "PAL-AWS-009",
    ] {
        assert!(rules.contains(&want), "{want} missing from {rules:?}");
    }
    let public = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "PAL-AWS-004")
        .unwrap();
    assert_eq!(public["severity"], "CRITICAL");
    assert!(
        public["message"]
            .as_str()
            .unwrap()
            .starts_with("[SECURITY_WARNING]")
    );
    assert!(
        public["fix"]
            .as_str()
            .unwrap()
            .contains("aws:PrincipalOrgID")
    );

    let team_a = fixture("policies/team-a.json");
    let out = palisade(&[
        "aws",
        "policy",
        "check",
        "--namespace",
        "team-a",
        "--fail-on",
        "LOW",
        &team_a,
    ]);
    assert!(
        out.status.success(),
        "the guide's team-a policy is clean: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let broad = fixture("policies/identity-broad.json");
    let out = palisade(&[
        "aws",
        "policy",
        "check",
        "--format",
        "sarif",
        "--namespace",
        "team-a",
        &broad,
    ]);
    let sarif = json(&out);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "PAL-AWS-002"));
}

#[test]
fn lifecycle_preview_describe_images() {
    let (policy, images) = (
        fixture("lifecycle/policy.json"),
        fixture("lifecycle/describe-images.json"),
    );
    let out = palisade(&[
        "aws",
        "lifecycle",
        "preview",
        "--policy",
        &policy,
        &images,
        "--now",
        "2026-12-06T00:00:00Z",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let acted: Vec<(String, u64)> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["image"]["digest"].as_str().unwrap()[7..11].to_string(),
                a["rulePriority"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        acted,
        vec![("4444".into(), 1), ("1111".into(), 2), ("6666".into(), 3)]
    );
}

#[test]
fn ecr_audit_saved_outputs() {
    let files: Vec<String> = [
        "describe-repositories.json",
        "repo-policy-team-b.json",
        "lifecycle-team-a.json",
        "lifecycle-tools-ci.json",
        "registry-scanning.json",
    ]
    .iter()
    .map(|f| fixture(&format!("ecr/{f}")))
    .collect();
    let mut args = vec![
        "aws",
        "ecr",
        "audit",
        "--format",
        "json",
        "--fail-on",
        "HIGH",
    ];
    args.extend(files.iter().map(String::as_str));
    let out = palisade(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let msg = f["message"].as_str().unwrap();
            let repo = [
                "team-a/app",
                "team-b/api",
                "tools/ci",
                "public-pull",
                "tagStatus",
            ]
            .into_iter()
            .find(|r| msg.contains(r))
            .unwrap_or("?");
            (f["rule"].as_str().unwrap().to_string(), repo.to_string())
        })
        .collect();
    got.sort();
    let want: Vec<(String, String)> = [
        ("PAL-AWS-001", "tagStatus"),
        ("PAL-AWS-004", "public-pull"),
        ("PAL-ECR-001", "team-b/api"),
        ("PAL-ECR-001", "tools/ci"),
        ("PAL-ECR-002", "tools/ci"),
        ("PAL-ECR-003", "team-b/api"),
        ("PAL-ECR-004", "team-b/api"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);

    // Without the registry scanning configuration, the repository flag decides.
    let out = palisade(&["aws", "ecr", "audit", "--format", "json", &files[0]]);
    let v = json(&out);
    let scan: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PAL-ECR-002")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(scan.len(), 1);
    assert!(scan[0].contains("team-b/api"));

    let bad = fixture("policies/team-a.json");
    let out = palisade(&["aws", "ecr", "audit", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a recognised `aws ecr` output"));
}

/// --endpoint sets aws:SourceVpce (and --vpc aws:SourceVpc) and is what
/// makes the endpoint policy apply.
#[test]
fn simulate_endpoint_derives_source_vpce() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo.json");
    std::fs::write(
        &repo,
        r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "OnlyThroughOurEndpoint", "Effect": "Deny", "Principal": "*", "Action": "ecr:*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}},
            {"Sid": "OnlyFromOurVpc", "Effect": "Deny", "Principal": "*", "Action": "ecr:*",
             "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-111"}}}]}"#,
    )
    .unwrap();
    let run = |extra: &[&str]| -> Value {
        let (team_a, endpoint, repo) = (
            fixture("policies/team-a.json"),
            fixture("policies/endpoint-org.json"),
            repo.display().to_string(),
        );
        let mut args = vec![
            "aws",
            "policy",
            "simulate",
            "--identity",
            &team_a,
            "--repository-policy",
            &repo,
            "--endpoint-policy",
            &endpoint,
            "--principal",
            ROLE,
            "--action",
            "ecr:PutImage",
            "--resource",
            "arn:aws:ecr:us-west-2:111122223333:repository/team-a/app",
            "--context",
            ORG_CTX,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = palisade(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out)
    };
    // No endpoint: no aws:SourceVpce, the Deny applies; the endpoint layer is absent.
    let v = run(&[]);
    assert_eq!(v["decision"], "ExplicitDeny");
    assert!(
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["layer"] != "endpoint")
    );
    // The wrong endpoint: denied.
    let v = run(&["--endpoint", "vpce-ffff", "--vpc", "vpc-111"]);
    assert_eq!(v["decision"], "ExplicitDeny");
    // Our endpoint in our VPC: the endpoint policy applies and allows.
    let v = run(&["--endpoint", "vpce-0a1b2c3d", "--vpc", "vpc-111"]);
    assert_eq!(v["decision"], "Allow", "{v:#}");
    assert!(
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["layer"] == "endpoint")
    );
    // Our endpoint without --vpc: aws:SourceVpc is absent, so StringNotEquals holds: denied.
    let v = run(&["--endpoint", "vpce-0a1b2c3d"]);
    assert_eq!(v["decision"], "ExplicitDeny");
}

/// --scp levels and --boundary through the command line.
#[test]
fn simulate_scp_levels_and_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let full = write(
        "full.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let no_delete = write(
        "no-delete.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "NoDelete", "Effect": "Deny", "Action": "ecr:Delete*", "Resource": "*"}]}"#,
    );
    let ecr_only = write(
        "ecr-only.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}"#,
    );
    let pull_boundary = write(
        "boundary.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "PullOnly", "Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"}]}"#,
    );
    let admin = write(
        "admin.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let repo = "arn:aws:ecr:us-west-2:111122223333:repository/team-a/app";
    let decide = |action: &str, extra: &[&str]| -> Value {
        let root_level = format!("{full},{no_delete}");
        let mut args = vec![
            "aws",
            "policy",
            "simulate",
            "--identity",
            &admin,
            "--scp",
            &root_level,
            "--scp",
            &ecr_only,
            "--principal",
            ROLE,
            "--action",
            action,
            "--resource",
            repo,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = palisade(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out)
    };
    assert_eq!(decide("ecr:PutImage", &[])["decision"], "Allow");
    let v = decide("ecr:DeleteRepository", &[]);
    assert_eq!(v["decision"], "ExplicitDeny");
    assert!(v["reason"].as_str().unwrap().contains("NoDelete"), "{v:#}");
    let v = decide("s3:GetObject", &[]);
    assert_eq!(v["decision"], "ImplicitDeny");
    assert!(v["reason"].as_str().unwrap().contains("level 1"), "{v:#}");
    let levels: Vec<u64> = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["layer"] == "scp")
        .map(|l| l["level"].as_u64().unwrap())
        .collect();
    assert_eq!(levels, [0, 1]);
    let v = decide("ecr:PutImage", &["--boundary", &pull_boundary]);
    assert_eq!(v["decision"], "ImplicitDeny");
    assert!(v["reason"].as_str().unwrap().contains("boundary"), "{v:#}");
    assert_eq!(
        decide("ecr:BatchGetImage", &["--boundary", &pull_boundary])["decision"],
        "Allow"
    );
    // The table names the SCP levels.
    let out = palisade(&[
        "aws",
        "policy",
        "simulate",
        "--identity",
        &admin,
        "--scp",
        &full,
        "--scp",
        &ecr_only,
        "--principal",
        ROLE,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("scp (level 1)") && text.contains("ImplicitDeny"),
        "{text}"
    );
}
