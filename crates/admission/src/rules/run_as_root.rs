//! `run_as_root`: the container would run as uid 0. Kubernetes decides
//! the user from `runAsUser` (container, else pod), else the image's
//! `User`; `runAsNonRoot: true` makes the kubelet refuse uid 0 itself.

use crate::images::ContainerImage;

/// Whether an image config `User` (`""`, `root`, `0`, `0:0`, `app`,
/// `1000:1000`) means uid 0. A name other than root is taken as non-root
/// (the kubelet refuses non-numeric users under runAsNonRoot anyway).
pub fn image_user_is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name.is_empty() || name == "root" || name.parse::<u64>() == Ok(0)
}

pub fn check(container: &ContainerImage, image_user: Option<&str>) -> Option<String> {
    if container.run_as_non_root == Some(true) {
        return None;
    }
    match container.run_as_user {
        Some(0) => Some("securityContext.runAsUser is 0 and runAsNonRoot is not set".into()),
        Some(_) => None,
        None => match image_user {
            Some(u) if !image_user_is_root(u) => None,
            Some(u) => Some(format!(
                "the image runs as root (User {:?}) and neither runAsNonRoot nor a non-zero runAsUser is set",
                crate::text::clip(u, 64)
            )),
            None => Some("the image's user is unknown and runAsNonRoot is not set".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(non_root: Option<bool>, user: Option<i64>) -> ContainerImage {
        ContainerImage {
            list: "containers",
            name: "app".into(),
            image: "x:1".into(),
            pointer: "/spec/containers/0/image".into(),
            run_as_non_root: non_root,
            run_as_user: user,
        }
    }

    #[test]
    fn decides_like_the_kubelet() {
        assert!(check(&c(None, None), Some("")).is_some());
        assert!(check(&c(None, None), Some("0:0")).is_some());
        assert!(check(&c(None, None), Some("root")).is_some());
        assert!(check(&c(None, None), Some("65532")).is_none());
        assert!(check(&c(None, None), Some("nonroot")).is_none());
        assert!(check(&c(Some(true), None), Some("")).is_none());
        assert!(check(&c(None, Some(1000)), Some("")).is_none());
        assert!(check(&c(Some(false), Some(0)), Some("1000")).is_some());
    }
}
