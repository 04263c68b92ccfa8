//! What a key may reach: Connector v7's permission model. A route needs one permission
//! (`core:files`, `core:tokens`, `core:account`; ours: `monitoring:metrics` for `/metrics`); a
//! key holds scopes, patterns over the permission's `:`-separated segments where `*` stands for
//! one segment and `**` for any number of them (`core:*`, `**`). A key configured without
//! scopes holds `**`.

use std::fmt;

use crate::http::routes::metrics::METRICS_PATH;

/// One scope a key holds, checked when the key is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Vec<String>);

impl Scope {
    /// Every permission, the default of a key configured without scopes.
    pub fn everything() -> Self {
        Self(vec!["**".to_owned()])
    }

    /// A scope as configured, e.g. `core:files`, `core:*`, `monitoring:**`.
    ///
    /// # Errors
    /// An empty scope or an empty segment (`core:`), or a segment that mixes `*` with other
    /// characters (`core:file*`), which the pattern language does not have.
    pub fn parse(text: &str) -> Result<Self, String> {
        let segments: Vec<String> = text.split(':').map(str::to_owned).collect();
        for segment in &segments {
            if segment.is_empty() {
                return Err(format!("'{text}' has an empty segment"));
            }
            if segment.contains('*') && segment != "*" && segment != "**" {
                return Err(format!(
                    "'{text}': '*' stands alone in a segment ('core:*', '**')"
                ));
            }
        }
        Ok(Self(segments))
    }

    /// Whether this scope covers `permission`.
    pub fn covers(&self, permission: &str) -> bool {
        let wanted: Vec<&str> = permission.split(':').collect();
        matches(&self.0, &wanted)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(":"))
    }
}

fn matches(pattern: &[String], permission: &[&str]) -> bool {
    match pattern.split_first() {
        None => permission.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=permission.len()).any(|skipped| matches(rest, &permission[skipped..]))
        }
        Some((first, rest)) => permission.split_first().is_some_and(|(segment, others)| {
            (first == "*" || first == segment) && matches(rest, others)
        }),
    }
}

/// The API prefixes whose routes need a permission.
const API_PREFIXES: [&str; 2] = ["/api/v2/", "/api/core/v1/"];

/// The permission a request to `path` needs, as the Connector's controllers declare them;
/// `None` for paths outside the API (health, documentation, unknown routes, which then answer
/// 404 to any valid key).
pub fn permission_for(path: &str) -> Option<&'static str> {
    if path == METRICS_PATH {
        return Some("monitoring:metrics");
    }
    let rest = API_PREFIXES
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))?;
    let resource = rest.split('/').next().unwrap_or_default();
    match resource {
        "Files" => Some("core:files"),
        "Tokens" => Some("core:tokens"),
        "Account" => Some("core:account"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(text: &str) -> Scope {
        Scope::parse(text).unwrap()
    }

    #[test]
    fn a_scope_covers_its_own_permission_and_no_other() {
        assert!(scope("core:files").covers("core:files"));
        assert!(!scope("core:files").covers("core:tokens"));
        assert!(!scope("core:files").covers("core"));
        assert!(!scope("core").covers("core:files"));
    }

    #[test]
    fn one_star_is_one_segment_and_two_are_any_number() {
        assert!(scope("core:*").covers("core:files"));
        assert!(!scope("core:*").covers("monitoring:version"));
        assert!(!scope("core:*").covers("core:files:read"));
        assert!(scope("core:**").covers("core:files:read"));
        assert!(scope("core:**").covers("core"));
        assert!(scope("**").covers("monitoring:version"));
        assert!(scope("*:version").covers("monitoring:version"));
        assert!(scope("**:version").covers("monitoring:version"));
        assert!(!scope("**:version").covers("monitoring:requests"));
        assert!(Scope::everything().covers("core:tokens"));
    }

    #[test]
    fn malformed_scopes_are_refused() {
        for text in ["", "core:", ":files", "core:file*", "co**re"] {
            assert!(Scope::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn routes_need_the_permission_of_their_resource_on_both_api_versions() {
        for prefix in ["/api/v2", "/api/core/v1"] {
            assert_eq!(
                permission_for(&format!("{prefix}/Files")),
                Some("core:files")
            );
            assert_eq!(
                permission_for(&format!("{prefix}/Files/FILx/Token")),
                Some("core:files")
            );
            assert_eq!(
                permission_for(&format!("{prefix}/Tokens/Own")),
                Some("core:tokens")
            );
            assert_eq!(
                permission_for(&format!("{prefix}/Account/IdentityInfo")),
                Some("core:account")
            );
            assert_eq!(permission_for(&format!("{prefix}/Nothing")), None);
        }
        assert_eq!(permission_for("/metrics"), Some("monitoring:metrics"));
        for open in ["/health", "/docs/json", "/apii/v2/Files", "/api/v3/Files"] {
            assert_eq!(permission_for(open), None, "{open}");
        }
    }
}
