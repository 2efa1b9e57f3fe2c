//! Stage 5, write: the generated files compared with what is checked in, and written (replacing
//! changed files, removing those no spec produces any more) or, for `--check`, reported as a diff.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::{GenerateError, SpecOutput, Target};

/// Outcome of `generate --check`: the files whose checked-in contents differ from the specs.
#[derive(Debug, Default)]
pub struct Drift {
    /// Unified diffs (or "missing"/"stale" notes), one entry per drifted file.
    pub entries: Vec<String>,
}

impl Drift {
    /// True when the checked-in code matches the specs.
    pub fn is_clean(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Writes generated files, replacing changed ones and removing files no spec produces any more.
/// Returns the paths written or removed.
pub fn write_outputs(root: &Path, targets: &[Target], outputs: &[SpecOutput]) -> Result<Vec<PathBuf>, GenerateError> {
    let mut touched = Vec::new();
    for (target, output) in targets.iter().zip(outputs) {
        let out_dir = root.join(target.out_dir);
        fs::create_dir_all(&out_dir).map_err(|e| io_error(&out_dir, "cannot create folder", e))?;
        for file in &output.files {
            let path = root.join(&file.path);
            if fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
                continue;
            }
            // Write beside the target and rename, so a crash never leaves a truncated file.
            let partial = path.with_extension("rs.partial");
            fs::write(&partial, &file.contents).map_err(|e| io_error(&partial, "cannot write", e))?;
            fs::rename(&partial, &path).map_err(|e| io_error(&path, "cannot replace", e))?;
            touched.push(file.path.clone());
        }
        for stale in stale_files(root, target, output)? {
            fs::remove_file(root.join(&stale)).map_err(|e| io_error(&stale, "cannot remove", e))?;
            touched.push(stale);
        }
    }
    Ok(touched)
}

/// Compares generated files with what is checked in, writing nothing.
pub fn check_outputs(root: &Path, targets: &[Target], outputs: &[SpecOutput]) -> Result<Drift, GenerateError> {
    let mut drift = Drift::default();
    for (target, output) in targets.iter().zip(outputs) {
        for file in &output.files {
            let label = file.path.display().to_string();
            match fs::read_to_string(root.join(&file.path)) {
                Ok(current) if current == file.contents => {}
                Ok(current) => {
                    let diff = similar::TextDiff::from_lines(&current, &file.contents)
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("{label} (checked in)"), &format!("{label} (from spec)"))
                        .to_string();
                    drift.entries.push(format!("{label} is stale:\n{diff}"));
                }
                Err(_) => drift.entries.push(format!("{label} is missing")),
            }
        }
        for stale in stale_files(root, target, output)? {
            drift.entries.push(format!(
                "{} is not produced by any spec and should be removed",
                stale.display()
            ));
        }
    }
    Ok(drift)
}

/// Files in a target's generated folder that the current spec no longer produces.
fn stale_files(root: &Path, target: &Target, output: &SpecOutput) -> Result<Vec<PathBuf>, GenerateError> {
    let dir = root.join(target.out_dir);
    let expected: BTreeSet<&Path> = output.files.iter().map(|f| f.path.as_path()).collect();
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error(&dir, "cannot list", e))?;
        let relative = Path::new(target.out_dir).join(entry.file_name());
        if entry.path().is_file() && !expected.contains(relative.as_path()) {
            stale.push(relative);
        }
    }
    stale.sort();
    Ok(stale)
}

pub(crate) fn io_error(path: &Path, what: &str, error: std::io::Error) -> GenerateError {
    GenerateError {
        file: path.to_path_buf(),
        cause: format!("{what}: {error}"),
    }
}
