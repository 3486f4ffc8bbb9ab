//! Lifecycle policy JSON, validated as ECR validates it.
//! https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html

use crate::json::{self, Pos, Spanned, Value};
use crate::policy::PolicyError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TagStatus {
    Tagged,
    Untagged,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CountType {
    #[serde(rename = "imageCountMoreThan")]
    ImageCountMoreThan,
    #[serde(rename = "sinceImagePushed")]
    SinceImagePushed,
    #[serde(rename = "sinceImagePulled")]
    SinceImagePulled,
    #[serde(rename = "sinceImageTransitioned")]
    SinceImageTransitioned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Expire,
    Transition,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub rule_priority: u64,
    pub description: Option<String>,
    pub tag_status: TagStatus,
    pub tag_pattern_list: Vec<String>,
    pub tag_prefix_list: Vec<String>,
    /// `standard` (default) or `archive`: which images the rule looks at.
    pub storage_class: String,
    pub count_type: CountType,
    pub count_number: u64,
    pub action: Action,
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LifecyclePolicy {
    /// Sorted by rulePriority (lowest, i.e. first applied, first).
    pub rules: Vec<Rule>,
}

/// Largest lifecycle policy ECR accepts (PutLifecyclePolicy: 30720 characters).
pub const MAX_POLICY_CHARS: usize = 30720;

struct Ctx<'a> {
    source: &'a str,
}

impl Ctx<'_> {
    fn err(&self, pos: Pos, message: impl Into<String>) -> PolicyError {
        PolicyError {
            input: self.source.to_string(),
            pos,
            message: message.into(),
        }
    }
    fn str<'v>(&self, v: &'v Spanned, what: &str) -> Result<&'v str, PolicyError> {
        v.as_str()
            .ok_or_else(|| self.err(v.pos, format!("{what} must be a string, not {}", v.kind())))
    }
    fn positive(&self, v: &Spanned, what: &str) -> Result<u64, PolicyError> {
        match &v.value {
            Value::Number(n) => match n.as_u64() {
                Some(x) if x >= 1 => Ok(x),
                _ => Err(self.err(v.pos, format!("{what} must be a positive integer, not {n}"))),
            },
            _ => Err(self.err(
                v.pos,
                format!("{what} must be an integer, not {}", v.kind()),
            )),
        }
    }
    fn strings(&self, v: &Spanned, what: &str) -> Result<Vec<String>, PolicyError> {
        let Value::Array(items) = &v.value else {
            return Err(self.err(
                v.pos,
                format!("{what} must be an array of strings, not {}", v.kind()),
            ));
        };
        if items.is_empty() {
            return Err(self.err(v.pos, format!("{what} is empty")));
        }
        items
            .iter()
            .map(|i| self.str(i, what).map(str::to_string))
            .collect()
    }
}

/// Parses and validates a lifecycle policy. Accepts the policy itself or
/// the `{"lifecyclePolicyText": "…"}` that `aws ecr get-lifecycle-policy` prints.
pub fn parse(text: &str, source: &str) -> Result<LifecyclePolicy, PolicyError> {
    let ctx = Ctx { source };
    let doc = json::parse(text).map_err(|e| ctx.err(e.pos, e.message))?;
    if let Value::Object(m) = &doc.value
        && let Some((_, inner)) = m.iter().find(|(k, _)| k == "lifecyclePolicyText")
    {
        let inner = ctx.str(inner, "lifecyclePolicyText")?;
        return parse(inner, &format!("{source} (lifecyclePolicyText)"));
    }
    if text.chars().count() > MAX_POLICY_CHARS {
        return Err(ctx.err(
            doc.pos,
            format!("the policy has more than {MAX_POLICY_CHARS} characters"),
        ));
    }
    let Value::Object(members) = &doc.value else {
        return Err(ctx.err(doc.pos, "a lifecycle policy must be a JSON object"));
    };
    let mut rules = Vec::new();
    for (k, v) in members {
        match k.as_str() {
            "rules" => {
                let Value::Array(items) = &v.value else {
                    return Err(ctx.err(v.pos, "rules must be an array"));
                };
                if items.is_empty() {
                    return Err(ctx.err(v.pos, "rules is empty"));
                }
                for item in items {
                    rules.push(rule(&ctx, item)?);
                }
            }
            other => {
                return Err(ctx.err(
                    v.pos,
                    format!("unknown element {other:?} (expected \"rules\")"),
                ));
            }
        }
    }
    if rules.is_empty() {
        return Err(ctx.err(doc.pos, "the policy has no rules"));
    }
    rules.sort_by_key(|r| r.rule_priority);
    for pair in rules.windows(2) {
        if pair[0].rule_priority == pair[1].rule_priority {
            return Err(ctx.err(
                pair[1].pos,
                format!(
                    "rulePriority {} is used twice: priorities must be unique",
                    pair[1].rule_priority
                ),
            ));
        }
    }
    if let Some(i) = rules.iter().position(|r| r.tag_status == TagStatus::Any)
        && i != rules.len() - 1
    {
        return Err(ctx.err(
            rules[i].pos,
            "a rule with tagStatus \"any\" must have the highest rulePriority",
        ));
    }
    Ok(LifecyclePolicy { rules })
}

fn rule(ctx: &Ctx, v: &Spanned) -> Result<Rule, PolicyError> {
    let Value::Object(members) = &v.value else {
        return Err(ctx.err(v.pos, "a rule must be an object"));
    };
    let (mut priority, mut description, mut selection, mut action) = (None, None, None, None);
    for (k, val) in members {
        match k.as_str() {
            "rulePriority" => priority = Some(ctx.positive(val, "rulePriority")?),
            "description" => description = Some(ctx.str(val, "description")?.to_string()),
            "selection" => selection = Some(val),
            "action" => action = Some(val),
            other => return Err(ctx.err(val.pos, format!("unknown rule element {other:?}"))),
        }
    }
    let rule_priority = priority.ok_or_else(|| ctx.err(v.pos, "the rule has no rulePriority"))?;
    let selection = selection.ok_or_else(|| ctx.err(v.pos, "the rule has no selection"))?;
    let action_v = action.ok_or_else(|| ctx.err(v.pos, "the rule has no action"))?;

    let Value::Object(sel) = &selection.value else {
        return Err(ctx.err(selection.pos, "selection must be an object"));
    };
    let (
        mut tag_status,
        mut patterns,
        mut prefixes,
        mut storage,
        mut count_type,
        mut unit,
        mut number,
    ) = (None, None, None, None, None, None, None);
    for (k, val) in sel {
        match k.as_str() {
            "tagStatus" => {
                tag_status = Some(match ctx.str(val, "tagStatus")? {
                    "tagged" => TagStatus::Tagged,
                    "untagged" => TagStatus::Untagged,
                    "any" => TagStatus::Any,
                    o => {
                        return Err(ctx.err(
                            val.pos,
                            format!("unknown tagStatus {o:?} (expected tagged, untagged or any)"),
                        ));
                    }
                })
            }
            "tagPatternList" => {
                let list = ctx.strings(val, "tagPatternList")?;
                if let Some(p) = list.iter().find(|p| p.matches('*').count() > 4) {
                    return Err(ctx.err(
                        val.pos,
                        format!("tag pattern {p:?} has more than 4 wildcards"),
                    ));
                }
                patterns = Some((list, val.pos));
            }
            "tagPrefixList" => prefixes = Some((ctx.strings(val, "tagPrefixList")?, val.pos)),
            "storageClass" => {
                let s = ctx.str(val, "storageClass")?;
                if s != "standard" && s != "archive" {
                    return Err(ctx.err(
                        val.pos,
                        format!("unknown storageClass {s:?} (expected standard or archive)"),
                    ));
                }
                storage = Some(s.to_string());
            }
            "countType" => {
                count_type = Some((
                    match ctx.str(val, "countType")? {
                        "imageCountMoreThan" => CountType::ImageCountMoreThan,
                        "sinceImagePushed" => CountType::SinceImagePushed,
                        "sinceImagePulled" => CountType::SinceImagePulled,
                        "sinceImageTransitioned" => CountType::SinceImageTransitioned,
                        o => return Err(ctx.err(val.pos, format!("unknown countType {o:?}"))),
                    },
                    val.pos,
                ))
            }
            "countUnit" => {
                let u = ctx.str(val, "countUnit")?;
                if u != "days" {
                    return Err(ctx.err(
                        val.pos,
                        format!("unknown countUnit {u:?} (expected \"days\")"),
                    ));
                }
                unit = Some(val.pos);
            }
            "countNumber" => number = Some(ctx.positive(val, "countNumber")?),
            other => return Err(ctx.err(val.pos, format!("unknown selection element {other:?}"))),
        }
    }
    let tag_status =
        tag_status.ok_or_else(|| ctx.err(selection.pos, "selection has no tagStatus"))?;
    let (count_type, ct_pos) =
        count_type.ok_or_else(|| ctx.err(selection.pos, "selection has no countType"))?;
    let count_number =
        number.ok_or_else(|| ctx.err(selection.pos, "selection has no countNumber"))?;
    match (tag_status, &patterns, &prefixes) {
        (TagStatus::Tagged, None, None) => {
            return Err(ctx.err(
                selection.pos,
                "tagStatus \"tagged\" needs tagPatternList or tagPrefixList",
            ));
        }
        (TagStatus::Tagged, Some(_), Some((_, pos))) => {
            return Err(ctx.err(
                *pos,
                "tagPatternList and tagPrefixList cannot both be used in one rule",
            ));
        }
        (TagStatus::Untagged | TagStatus::Any, Some((_, pos)), _)
        | (TagStatus::Untagged | TagStatus::Any, _, Some((_, pos))) => {
            return Err(ctx.err(*pos, "tag lists are only allowed with tagStatus \"tagged\""));
        }
        _ => {}
    }
    let time_based = count_type != CountType::ImageCountMoreThan;
    match (time_based, unit) {
        (true, None) => {
            return Err(ctx.err(
                ct_pos,
                "a time-based countType needs \"countUnit\": \"days\"",
            ));
        }
        (false, Some(pos)) => {
            return Err(ctx.err(
                pos,
                "countUnit is only allowed with time-based count types, not imageCountMoreThan",
            ));
        }
        _ => {}
    }

    let Value::Object(act) = &action_v.value else {
        return Err(ctx.err(action_v.pos, "action must be an object"));
    };
    let (mut kind, mut target) = (None, None);
    for (k, val) in act {
        match k.as_str() {
            "type" => {
                kind = Some(match ctx.str(val, "action type")? {
                    "expire" => Action::Expire,
                    "transition" => Action::Transition,
                    o => {
                        return Err(ctx.err(
                            val.pos,
                            format!("unknown action type {o:?} (expected expire or transition)"),
                        ));
                    }
                })
            }
            "targetStorageClass" => {
                let t = ctx.str(val, "targetStorageClass")?;
                if t != "archive" {
                    return Err(ctx.err(
                        val.pos,
                        format!("unknown targetStorageClass {t:?} (expected archive)"),
                    ));
                }
                target = Some(val.pos);
            }
            other => return Err(ctx.err(val.pos, format!("unknown action element {other:?}"))),
        }
    }
    let action = kind.ok_or_else(|| ctx.err(action_v.pos, "action has no type"))?;
    match (action, target) {
        (Action::Transition, None) => {
            return Err(ctx.err(
                action_v.pos,
                "a transition action needs \"targetStorageClass\": \"archive\"",
            ));
        }
        (Action::Expire, Some(pos)) => {
            return Err(ctx.err(
                pos,
                "targetStorageClass is only allowed with a transition action",
            ));
        }
        _ => {}
    }
    Ok(Rule {
        rule_priority,
        description,
        tag_status,
        tag_pattern_list: patterns.map(|p| p.0).unwrap_or_default(),
        tag_prefix_list: prefixes.map(|p| p.0).unwrap_or_default(),
        storage_class: storage.unwrap_or_else(|| "standard".into()),
        count_type,
        count_number,
        action,
        pos: v.pos,
    })
}
