//! The AWS account that hosts the EKS add-on images in each Region, read
//! from data/eks_image_accounts.json (kept as data so it can be refreshed
//! from the EKS user guide without touching code).

use std::collections::BTreeMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/eks_image_accounts.json");

#[derive(serde::Deserialize)]
struct Table {
    default_account: String,
    default_regions: Vec<String>,
    regions: BTreeMap<String, String>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    // The file ships with the crate; a unit test proves it parses.
    T.get_or_init(|| serde_json::from_str(DATA).expect("data/eks_image_accounts.json is valid"))
}

/// The EKS image account for `region`, or `None` for an unknown Region.
pub fn account_for(region: &str) -> Option<&'static str> {
    let t = table();
    if let Some(a) = t.regions.get(region) {
        return Some(a);
    }
    t.default_regions
        .iter()
        .any(|r| r == region)
        .then_some(t.default_account.as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_lookups() {
        assert_eq!(super::account_for("us-west-2"), Some("602401143452"));
        assert_eq!(super::account_for("ap-east-1"), Some("800184023465"));
        assert_eq!(super::account_for("cn-north-1"), Some("918309763551"));
        assert_eq!(super::account_for("xx-nowhere-1"), None);
    }
}
