//! The version rule: a breaking change to a crate's generated API needs a major bump, or a minor
//! bump while the crate is at 0.x (Cargo's SemVer reading: `0.1.0` → `0.2.0` is major).

use semver::Version;

use super::Class;

/// The smallest version after `base` that may carry a change of class `worst`: for a breaking
/// change the next major (`1.4.2` → `2.0.0`) or, at 0.x, the next minor (`0.1.3` → `0.2.0`);
/// otherwise `base` itself (compatible changes may ship in any later release).
pub fn minimum_version(base: &Version, worst: Class) -> Version {
    match worst {
        Class::Breaking if base.major == 0 => Version::new(0, base.minor + 1, 0),
        Class::Breaking => Version::new(base.major + 1, 0, 0),
        Class::Compatible | Class::Trivial => base.clone(),
    }
}

/// Checks that `current` was raised enough since `base` for the worst change found. The error
/// names the version needed.
pub fn check_bump(base: &Version, current: &Version, worst: Option<Class>) -> Result<(), String> {
    let Some(worst) = worst else {
        return Ok(());
    };
    let needed = minimum_version(base, worst);
    // Pre-releases of the needed version count (`0.2.0-rc.1` carries a breaking change of 0.1.x).
    let reached = (current.major, current.minor, current.patch) >= (needed.major, needed.minor, needed.patch);
    if reached {
        Ok(())
    } else {
        Err(format!(
            "a {worst} change needs version {needed} or later (the release has {base}, the crate has {current})"
        ))
    }
}

/// The version of a crate from its `Cargo.toml` text, following `version.workspace = true` to the
/// `[workspace.package]` table of the workspace's `Cargo.toml` text.
pub fn crate_version(manifest: &str, workspace_manifest: &str) -> Result<Version, String> {
    let manifest: toml::Table = manifest
        .parse()
        .map_err(|e| format!("Cargo.toml is not valid TOML: {e}"))?;
    let version = manifest
        .get("package")
        .and_then(|package| package.get("version"))
        .ok_or("Cargo.toml has no `package.version`")?;
    let text = match version {
        toml::Value::String(text) => text.clone(),
        toml::Value::Table(table) if table.get("workspace").and_then(toml::Value::as_bool) == Some(true) => {
            let workspace: toml::Table = workspace_manifest
                .parse()
                .map_err(|e| format!("the workspace's Cargo.toml is not valid TOML: {e}"))?;
            workspace
                .get("workspace")
                .and_then(|workspace| workspace.get("package"))
                .and_then(|package| package.get("version"))
                .and_then(toml::Value::as_str)
                .ok_or("the workspace's Cargo.toml has no `workspace.package.version`")?
                .to_string()
        }
        other => {
            return Err(format!(
                "`package.version` is neither a string nor `workspace = true`: {other}"
            ));
        }
    };
    Version::parse(&text).map_err(|e| format!("version `{text}` is not SemVer: {e}"))
}
