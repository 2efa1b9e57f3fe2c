//! The last release, the default baseline of `cargo xtask diff` and of the API gate in `.ci/run`.
//!
//! Each release is recorded in a committed file, `release/<version>.toml`, holding the released
//! commit and its tag:
//!
//! ```toml
//! commit = "0123456789abcdef0123456789abcdef01234567"
//! tag = "v0.1.0"
//! ```
//!
//! The last release is the highest version among those files. Its baseline is the tag when the
//! clone has it, and the recorded commit otherwise (CI's clone may carry no tags); a tag that
//! points elsewhere than the file says is reported, so the two are moved together.

use std::fs;
use std::path::Path;
use std::process::Command;

use semver::Version;

/// The folder, relative to the workspace root, holding one file per release.
pub const RELEASE_DIR: &str = "release";

/// A recorded release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The released version (the file's name).
    pub version: Version,
    /// The commit the file records.
    pub commit: String,
    /// The tag the file names (`v<version>` when it names none).
    pub tag: String,
}

/// The baseline a release resolves to in this clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baseline {
    /// The release.
    pub release: Release,
    /// The commit to compare with: the tag's when the clone has the tag, the file's otherwise.
    pub commit: String,
    /// How the commit was found, for the report (`tag v0.1.0` or `release/0.1.0.toml`).
    pub found_by: String,
    /// Set when the tag and the file disagree.
    pub warning: Option<String>,
}

/// Reads `release/*.toml` under `root` and returns the highest version recorded.
pub fn last_release(root: &Path) -> Result<Release, String> {
    let dir = root.join(RELEASE_DIR);
    let entries = fs::read_dir(&dir).map_err(|e| format!("no release is recorded ({}: {e})", dir.display()))?;
    let mut releases = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let (Some(stem), Some("toml")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let Ok(version) = Version::parse(stem) else {
            continue;
        };
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        releases.push(parse_release(version, &text).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    releases
        .into_iter()
        .max_by(|a, b| a.version.cmp(&b.version))
        .ok_or_else(|| format!("no release is recorded (no <version>.toml in {})", dir.display()))
}

/// Reads one release file's text.
pub fn parse_release(version: Version, text: &str) -> Result<Release, String> {
    let table: toml::Table = text.parse().map_err(|e| format!("not valid TOML: {e}"))?;
    let commit = table
        .get("commit")
        .and_then(toml::Value::as_str)
        .ok_or("no `commit = \"<40 hex digits>\"`")?;
    if commit.len() != 40 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "`commit` must be a full commit id (40 hex digits), not `{commit}`"
        ));
    }
    let tag = match table.get("tag") {
        None => format!("v{version}"),
        Some(tag) => tag.as_str().ok_or("`tag` must be a string")?.to_string(),
    };
    Ok(Release {
        version,
        commit: commit.to_ascii_lowercase(),
        tag,
    })
}

/// Resolves the last release to a commit of the clone at `root`.
pub fn baseline(root: &Path) -> Result<Baseline, String> {
    let release = last_release(root)?;
    let tagged = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("refs/tags/{}^{{commit}}", release.tag),
        ],
    )
    .ok()
    .map(|out| out.trim().to_string())
    .filter(|commit| !commit.is_empty());
    let (commit, found_by, warning) = match tagged {
        Some(commit) if commit == release.commit => (commit, format!("tag {}", release.tag), None),
        Some(commit) => {
            let warning = format!(
                "tag {} is at {commit} but {RELEASE_DIR}/{}.toml records {}: move them together \
                 (the tag is used here; a clone without tags uses the file)",
                release.tag, release.version, release.commit
            );
            (commit, format!("tag {}", release.tag), Some(warning))
        }
        None => {
            if git(root, &["cat-file", "-e", &format!("{}^{{commit}}", release.commit)]).is_err() {
                return Err(format!(
                    "release {} is commit {}, which this clone does not have (a shallow clone? \
                     `git fetch --unshallow` brings the history)",
                    release.version, release.commit
                ));
            }
            (
                release.commit.clone(),
                format!("{RELEASE_DIR}/{}.toml", release.version),
                None,
            )
        }
    };
    Ok(Baseline {
        release,
        commit,
        found_by,
        warning,
    })
}

/// The commit id `rev` names in the clone at `root`.
pub fn resolve(root: &Path, rev: &str) -> Result<String, String> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`{rev}` is not a revision"));
    }
    git(
        root,
        &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
    )
    .map(|out| out.trim().to_string())
    .map_err(|_| format!("`{rev}` names no commit in this clone"))
}

/// The text of `path` (relative to the workspace root) at commit `rev`, `None` when the file did
/// not exist there.
pub fn file_at(root: &Path, rev: &str, path: &str) -> Result<Option<String>, String> {
    let object = format!("{rev}:{path}");
    if git(root, &["cat-file", "-e", &object]).is_err() {
        return Ok(None);
    }
    git(root, &["show", &object]).map(Some)
}

/// Runs git in `root`; the error carries git's own message.
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("git could not be run: {e}"))?;
    if output.status.success() {
        String::from_utf8(output.stdout).map_err(|_| format!("git {} printed non-UTF-8 text", args.join(" ")))
    } else {
        Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
