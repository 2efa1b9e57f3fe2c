//! Stage 5, write: the generated files compared with what is checked in, and written (replacing
//! changed files, removing those no spec produces any more) or, for `--check`, reported as a diff.
//! Each generated folder (an SDK crate's, or the plain progenitor clients') holds what the specs
//! produce for it and nothing else.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::{GenerateError, PLAIN_PROGENITOR_DIR, SpecOutput, Target};

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
        write_folder(root, target.out_dir, output, &mut touched)?;
    }
    Ok(touched)
}

/// Writes the plain progenitor clients ([`generate_plain`](super::generate_plain)'s output) as
/// [`write_outputs`] writes the SDKs' files. Returns the paths written or removed.
pub fn write_plain(root: &Path, plain: &SpecOutput) -> Result<Vec<PathBuf>, GenerateError> {
    let mut touched = Vec::new();
    write_folder(root, PLAIN_PROGENITOR_DIR, plain, &mut touched)?;
    Ok(touched)
}

/// Compares generated files with what is checked in, writing nothing.
pub fn check_outputs(root: &Path, targets: &[Target], outputs: &[SpecOutput]) -> Result<Drift, GenerateError> {
    let mut drift = Drift::default();
    for (target, output) in targets.iter().zip(outputs) {
        check_folder(root, target.out_dir, output, &mut drift)?;
    }
    Ok(drift)
}

/// Compares the plain progenitor clients with what is checked in, writing nothing.
pub fn check_plain(root: &Path, plain: &SpecOutput) -> Result<Drift, GenerateError> {
    let mut drift = Drift::default();
    check_folder(root, PLAIN_PROGENITOR_DIR, plain, &mut drift)?;
    Ok(drift)
}

/// Writes one folder's files (`out_dir` holds `output`'s files and nothing else).
fn write_folder(
    root: &Path,
    out_dir: &str,
    output: &SpecOutput,
    touched: &mut Vec<PathBuf>,
) -> Result<(), GenerateError> {
    let folder = root.join(out_dir);
    fs::create_dir_all(&folder).map_err(|e| io_error(&folder, "cannot create folder", e))?;
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
    for stale in stale_files(root, out_dir, output)? {
        fs::remove_file(root.join(&stale)).map_err(|e| io_error(&stale, "cannot remove", e))?;
        touched.push(stale);
    }
    Ok(())
}

/// Compares one folder's files with what is checked in, adding what differs to `drift`.
fn check_folder(root: &Path, out_dir: &str, output: &SpecOutput, drift: &mut Drift) -> Result<(), GenerateError> {
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
    for stale in stale_files(root, out_dir, output)? {
        drift.entries.push(format!(
            "{} is not produced by any spec and should be removed",
            stale.display()
        ));
    }
    Ok(())
}

/// Files in a generated folder that the current specs no longer produce.
fn stale_files(root: &Path, out_dir: &str, output: &SpecOutput) -> Result<Vec<PathBuf>, GenerateError> {
    let dir = root.join(out_dir);
    let expected: BTreeSet<&Path> = output.files.iter().map(|f| f.path.as_path()).collect();
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error(&dir, "cannot list", e))?;
        let relative = Path::new(out_dir).join(entry.file_name());
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
