//! The request being authorised: who, what, on which resource, and the
//! request context (condition keys).

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The caller's ARN (`arn:aws:iam::111122223333:role/dev`,
    /// `arn:aws:sts::111122223333:assumed-role/dev/session`), a service
    /// principal (`ecr.amazonaws.com`) or `*` for an anonymous caller.
    pub principal: String,
    pub action: String,
    /// The resource ARN, or `*` for actions without a resource
    /// (`ecr:GetAuthorizationToken`).
    pub resource: String,
    /// Keys lower-cased (condition keys are case-insensitive); values as given.
    context: BTreeMap<String, Vec<String>>,
}

impl Request {
    /// A request with the context keys AWS derives from the principal:
    /// `aws:PrincipalArn`, `aws:PrincipalAccount`, and `aws:username` for
    /// IAM users, and `aws:ResourceAccount`. Keys set later with [`Request::set`] override them.
    pub fn new(principal: &str, action: &str, resource: &str) -> Request {
        let mut r = Request {
            principal: principal.to_string(),
            action: action.to_string(),
            resource: resource.to_string(),
            context: BTreeMap::new(),
        };
        if let Some(acct) = account_of(resource) {
            r.set("aws:ResourceAccount", vec![acct.to_string()]);
        }
        if principal.starts_with("arn:") {
            r.set("aws:PrincipalArn", vec![principal_arn(principal)]);
            if let Some(acct) = account_of(principal) {
                r.set("aws:PrincipalAccount", vec![acct.to_string()]);
            }
            if let Some(user) = arn_resource(principal).and_then(|res| res.strip_prefix("user/")) {
                let name = user.rsplit('/').next().unwrap_or(user);
                r.set("aws:username", vec![name.to_string()]);
            }
        }
        r
    }

    /// The request goes through VPC endpoint `vpce` (in VPC `vpc`): sets
    /// `aws:SourceVpce` (and `aws:SourceVpc`), the keys AWS adds to requests
    /// that arrive through an interface endpoint.
    pub fn through_endpoint(&mut self, vpce: &str, vpc: Option<&str>) {
        self.set("aws:SourceVpce", vec![vpce.to_string()]);
        if let Some(vpc) = vpc {
            self.set("aws:SourceVpc", vec![vpc.to_string()]);
        }
    }

    /// Sets a context key (multi-valued keys take several values).
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        self.context.insert(key.to_ascii_lowercase(), values);
    }

    /// Every context key (lower-cased) with its values, derived ones included.
    pub fn context(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.context.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    pub fn context_values(&self, key: &str) -> Option<&[String]> {
        self.context
            .get(&key.to_ascii_lowercase())
            .map(Vec::as_slice)
    }

    pub fn principal_account(&self) -> Option<&str> {
        account_of(&self.principal)
    }

    pub fn resource_account(&self) -> Option<&str> {
        account_of(&self.resource)
    }
}

/// The account segment of an ARN, when it has one.
pub fn account_of(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let acct = parts.nth(3)?;
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

/// The resource part (after the fifth colon) of an ARN.
pub fn arn_resource(arn: &str) -> Option<&str> {
    arn.splitn(6, ':').nth(5)
}

/// `aws:PrincipalArn` is the role ARN for an assumed-role session.
fn principal_arn(principal: &str) -> String {
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    if parts.len() == 6
        && parts[2] == "sts"
        && let Some(rest) = parts[5].strip_prefix("assumed-role/")
    {
        let role = rest.split('/').next().unwrap_or(rest);
        return format!("arn:{}:iam::{}:role/{role}", parts[1], parts[4]);
    }
    principal.to_string()
}
