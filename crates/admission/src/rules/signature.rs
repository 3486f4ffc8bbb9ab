//! `signature`: a valid signature from one of the policy's keys.

use crate::signature::SigResult;

/// Why the image fails, `Ok(None)` when it passes, `Err` when the check
/// could not be made (the policy's `on_error` decides).
pub fn check(result: &SigResult) -> Result<Option<String>, String> {
    match result {
        SigResult::Verified { .. } => Ok(None),
        SigResult::NotSigned => Ok(Some("not signed by any of the policy's keys".into())),
        SigResult::Invalid(why) => Ok(Some(format!(
            "signature invalid: {}",
            crate::text::clip(why, 200)
        ))),
        SigResult::Unavailable(why) => Err(format!(
            "signature could not be checked: {}",
            crate::text::clip(why, 200)
        )),
    }
}
