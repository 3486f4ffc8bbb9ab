//! `palisade aws ecr audit` live, through aws-sdk-ecr, against moto's ECR
//! server on 127.0.0.1 (see support/aws.rs for what it needs). The same
//! registry state saved as API responses must give the same findings
//! offline.

mod support {
    pub mod aws;
}

use serde_json::{Value, json};
use support::aws::{
    ACCOUNT, Moto, REGION, SECRET, findings, json as stdout_json, moto_available, palisade_env,
    stderr,
};

fn repo_arn(name: &str) -> String {
    format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}")
}

/// A registry with one compliant repository and one problem of every kind.
fn seed(moto: &Moto) {
    let create = |name: &str, extra: Value| {
        let mut body = json!({"repositoryName": name});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        moto.ecr("CreateRepository", body);
    };
    create(
        "team-a/app",
        json!({"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": true},
               "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234")}}),
    );
    create("team-b/api", json!({"imageTagMutability": "MUTABLE"}));
    create(
        "tools/ci",
        json!({"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
               "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "*"}]}),
    );
    create(
        "release/web",
        json!({"imageTagMutability": "MUTABLE_WITH_EXCLUSION",
               "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "release-*"}],
               "encryptionConfiguration": {"encryptionType": "KMS"}}),
    );
    let lifecycle = json!({"rules": [{"rulePriority": 1, "description": "expire untagged",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
        "action": {"type": "expire"}}]});
    for repo in ["team-a/app", "release/web"] {
        moto.ecr(
            "PutLifecyclePolicy",
            json!({"repositoryName": repo, "lifecyclePolicyText": lifecycle.to_string()}),
        );
    }
    // Invalid as ECR validates it: a tagged rule without a tag list.
    let invalid = json!({"rules": [{"rulePriority": 1,
        "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 5},
        "action": {"type": "expire"}}]});
    moto.ecr(
        "PutLifecyclePolicy",
        json!({"repositoryName": "tools/ci", "lifecyclePolicyText": invalid.to_string()}),
    );
    let org_only = json!({"Version": "2012-10-17", "Statement": [{"Sid": "OrgPull", "Effect": "Allow",
        "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]});
    moto.ecr(
        "SetRepositoryPolicy",
        json!({"repositoryName": "team-a/app", "policyText": org_only.to_string()}),
    );
    let public = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Everyone", "Effect": "Allow",
        "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]});
    moto.ecr(
        "SetRepositoryPolicy",
        json!({"repositoryName": "team-b/api", "policyText": public.to_string()}),
    );
    // moto, like ECR, refuses registry policies with other actions than the
    // three allowed (PAL-AWS-008 can only be found in saved files).
    let registry = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Replicate", "Effect": "Allow",
        "Principal": "*", "Action": ["ecr:ReplicateImage", "ecr:CreateRepository"],
        "Resource": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*")}]});
    moto.ecr(
        "PutRegistryPolicy",
        json!({"policyText": registry.to_string()}),
    );
    moto.ecr(
        "PutRegistryScanningConfiguration",
        json!({"scanType": "ENHANCED", "rules": [{"scanFrequency": "CONTINUOUS_SCAN",
            "repositoryFilters": [{"filter": "team-*", "filterType": "WILDCARD"}]}]}),
    );
}

fn audit(moto: &Moto, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "aws",
        "ecr",
        "audit",
        "--endpoint-url",
        &moto.url,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let env = moto.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    palisade_env(&args, &env)
}

/// Which repository (or policy) a finding is about.
fn subject(message: &str) -> &'static str {
    [
        "team-a/app",
        "team-b/api",
        "tools/ci",
        "release/web",
        "Replicate",
        "Everyone",
        "tagStatus",
    ]
    .into_iter()
    .find(|s| message.contains(s))
    .unwrap_or("?")
}

#[test]
fn live_audit_against_moto() {
    if !moto_available("live_audit_against_moto") {
        return;
    }
    let moto = Moto::start();
    seed(&moto);

    let out = audit(&moto, &["--fail-on", "CRITICAL", "--exit-code", "4"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let report = stdout_json(&out);
    let mut got: Vec<(String, &str)> = findings(&report)
        .iter()
        .map(|(rule, msg)| (rule.clone(), subject(msg)))
        .collect();
    got.sort();
    let want: Vec<(String, &str)> = [
        ("PAL-AWS-001", "tagStatus"),   // tools/ci's lifecycle policy is invalid
        ("PAL-AWS-004", "Everyone"),    // team-b/api is public
        ("PAL-AWS-004", "Replicate"),   // the registry policy lets anyone replicate in
        ("PAL-ECR-001", "release/web"), // MUTABLE_WITH_EXCLUSION
        ("PAL-ECR-001", "team-b/api"),  // MUTABLE
        ("PAL-ECR-001", "tools/ci"),    // IMMUTABLE_WITH_EXCLUSION "*"
        ("PAL-ECR-002", "release/web"), // outside the team-* enhanced-scanning filter
        ("PAL-ECR-002", "tools/ci"),
        ("PAL-ECR-003", "team-b/api"), // no lifecycle policy
        ("PAL-ECR-004", "team-b/api"), // AES256
        ("PAL-ECR-004", "tools/ci"),
    ]
    .iter()
    .map(|(r, s)| (r.to_string(), *s))
    .collect();
    assert_eq!(got, want, "{report:#}");
    let lifecycle = findings(&report)
        .into_iter()
        .find(|(r, _)| r == "PAL-ECR-003")
        .unwrap();
    assert!(
        lifecycle.1.contains("has no lifecycle policy"),
        "{lifecycle:?}"
    );
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!text.contains(SECRET), "the secret key leaked");

    // One repository only, the compliant one: what remains is about the registry.
    let out = audit(&moto, &["--repository", "team-a/app"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stdout_json(&out);
    let subjects: Vec<&str> = findings(&report).iter().map(|(_, m)| subject(m)).collect();
    assert_eq!(subjects, ["Replicate"], "{report:#}");
    assert_eq!(
        report["target"]["summary"]["Repositories"], "1",
        "{report:#}"
    );

    // A repository that does not exist: the service's error, exit 2.
    let out = audit(&moto, &["--repository", "nope/none"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("RepositoryNotFoundException"),
        "{}",
        stderr(&out)
    );
}

/// The same state, saved as the API's JSON responses (what `aws ecr …`
/// prints), audited offline, gives the same findings.
#[test]
fn live_and_saved_outputs_agree() {
    if !moto_available("live_and_saved_outputs_agree") {
        return;
    }
    let moto = Moto::start();
    seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut save = |name: &str, v: Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        files.push(p.display().to_string());
    };
    save(
        "describe-repositories.json",
        moto.ecr("DescribeRepositories", json!({})),
    );
    for repo in ["team-a/app", "team-b/api"] {
        let file = format!("policy-{}.json", repo.replace('/', "_"));
        save(
            &file,
            moto.ecr("GetRepositoryPolicy", json!({"repositoryName": repo})),
        );
    }
    for repo in ["team-a/app", "tools/ci", "release/web"] {
        let file = format!("lifecycle-{}.json", repo.replace('/', "_"));
        save(
            &file,
            moto.ecr("GetLifecyclePolicy", json!({"repositoryName": repo})),
        );
    }
    save(
        "registry-policy.json",
        moto.ecr("GetRegistryPolicy", json!({})),
    );
    save(
        "registry-scanning.json",
        moto.ecr("GetRegistryScanningConfiguration", json!({})),
    );
    let mut args = vec!["aws", "ecr", "audit", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let offline = palisade_env(&args, &[]);
    assert!(offline.status.success(), "{}", stderr(&offline));
    let live = audit(&moto, &[]);
    assert!(live.status.success(), "{}", stderr(&live));
    // Messages name the repository, not the input: they must be identical
    // (PAL-ECR-003 says "has no lifecycle policy" live and "no output was given" offline).
    let scanning_file = files.last().unwrap().clone();
    let strip = |v: Value| -> Vec<(String, String)> {
        findings(&v)
            .into_iter()
            .filter(|(r, _)| r != "PAL-ECR-003")
            .map(|(r, m)| {
                (
                    r,
                    m.replace(&scanning_file, "GetRegistryScanningConfiguration"),
                )
            })
            .collect()
    };
    assert_eq!(strip(stdout_json(&live)), strip(stdout_json(&offline)));
    let _ = repo_arn("team-a/app");
}

#[test]
fn live_errors_are_clear() {
    if !moto_available("live_errors_are_clear") {
        return;
    }
    // Nothing listens on this port: a connection error, quickly, exit 2.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = palisade_env(
        &[
            "aws",
            "ecr",
            "audit",
            "--endpoint-url",
            &url,
            "--timeout",
            "2",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIATESTINGMOTO00000"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_REGION", REGION),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONFIG_FILE", "/nonexistent"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("DescribeRepositories"), "{err}");
    assert!(!err.contains(SECRET));

    // No region anywhere.
    let out = palisade_env(
        &["aws", "ecr", "audit", "--endpoint-url", &url],
        &[
            ("AWS_CONFIG_FILE", "/nonexistent"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no AWS region"), "{}", stderr(&out));

    // Files and live flags do not mix.
    let out = palisade_env(
        &["aws", "ecr", "audit", "--endpoint-url", &url, "x.json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}
