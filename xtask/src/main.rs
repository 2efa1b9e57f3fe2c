//! `cargo xtask <command>`: see `cargo xtask help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::diff::{self, Class, release};
use xtask::generate::{self, TARGETS};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate           regenerate sdk-*/src/generated/ from specs/*.yaml, and sdk-bench's plain
                     progenitor clients (the benchmark's baseline)
  generate --check   exit non-zero, with a diff, when the checked-in generated code is stale
  diff [--base REV]  every change of each spec since REV (default: the last release, see
                     release/), classified breaking / compatible / trivial for the generated
                     Rust API; exits non-zero when a crate's version was not raised enough
  last-release       print the last release's version and the commit to compare with
  demo               the offline tour: each SDK against an embedded mock of its provider
  help               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["generate"] => run_generate(false),
        ["generate", "--check"] => run_generate(true),
        ["diff"] => run_diff(None),
        ["diff", "--base", rev] => run_diff(Some(rev)),
        ["last-release"] => run_last_release(),
        ["demo"] => run_tour(),
        ["help"] | ["--help"] | ["-h"] | [] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("error: unknown arguments {args:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root of the checkout `cargo xtask` runs in: the nearest folder, from the current
/// one up, holding both `Cargo.toml` and `specs/`. Found at run time, never fixed at build time,
/// so a generator built for one clone (with a shared `CARGO_TARGET_DIR`) acts on the clone it is
/// run in.
fn workspace_root() -> Result<PathBuf, String> {
    let current = std::env::current_dir().map_err(|error| format!("the current folder is unreadable: {error}"))?;
    current
        .ancestors()
        .find(|folder| folder.join("Cargo.toml").is_file() && folder.join("specs").is_dir())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "no workspace (a folder with Cargo.toml and specs/) at or above {}",
                current.display()
            )
        })
}

/// `cargo xtask demo`: runs the tour crate, which depends on the SDKs (this crate does not).
fn run_tour() -> ExitCode {
    let root = match workspace_root() {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "--quiet", "--package", "sdk-tour", "--"])
        .current_dir(root)
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: cargo could not be run: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_generate(check: bool) -> ExitCode {
    let root = match workspace_root() {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let generated = generate::generate_all(&root, TARGETS)
        .and_then(|outputs| Ok((outputs, generate::generate_plain(&root, TARGETS)?)));
    let (outputs, plain) = match generated {
        Ok(generated) => generated,
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!("nothing was written");
            return ExitCode::FAILURE;
        }
    };
    for (target, output) in TARGETS.iter().zip(&outputs) {
        for note in &output.notes {
            println!("{}: {} {note}", target.spec, note.category());
        }
    }
    if check {
        let drift = generate::check_outputs(&root, TARGETS, &outputs).and_then(|mut drift| {
            drift.entries.extend(generate::check_plain(&root, &plain)?.entries);
            Ok(drift)
        });
        match drift {
            Ok(drift) if drift.is_clean() => {
                println!("generated code is up to date with specs/");
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                for entry in &drift.entries {
                    eprintln!("{entry}");
                }
                eprintln!(
                    "error: {} generated file(s) differ from specs/; run `cargo xtask generate`",
                    drift.entries.len()
                );
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        }
    } else {
        let written = generate::write_outputs(&root, TARGETS, &outputs).and_then(|mut written| {
            written.extend(generate::write_plain(&root, &plain)?);
            Ok(written)
        });
        match written {
            Ok(written) => {
                for path in &written {
                    println!("wrote {}", path.display());
                }
                if written.is_empty() {
                    println!("generated code already up to date");
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        }
    }
}

/// `cargo xtask last-release`: `<version> <commit>` on stdout, for `.ci/run`.
fn run_last_release() -> ExitCode {
    let baseline = match workspace_root().and_then(|root| release::baseline(&root)) {
        Ok(baseline) => baseline,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(warning) = &baseline.warning {
        eprintln!("warning: {warning}");
    }
    println!("{} {}", baseline.release.version, baseline.commit);
    ExitCode::SUCCESS
}

/// `cargo xtask diff [--base REV]`: the classified report and the version rule.
fn run_diff(rev: Option<&str>) -> ExitCode {
    let root = match workspace_root() {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let resolved = match rev {
        Some(rev) => release::resolve(&root, rev).map(|commit| (commit, format!("`{rev}`"))),
        None => release::baseline(&root).map(|baseline| {
            if let Some(warning) = &baseline.warning {
                eprintln!("warning: {warning}");
            }
            (
                baseline.commit,
                format!("release {} ({})", baseline.release.version, baseline.found_by),
            )
        }),
    };
    let (commit, named) = match resolved {
        Ok(resolved) => resolved,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let short = commit.get(..12).unwrap_or(&commit);
    println!("comparing specs/ with {named}, commit {short}");
    let reports = match diff::diff_against(&root, &commit, TARGETS) {
        Ok(reports) => reports,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut failures = 0;
    for report in &reports {
        println!();
        let Some(base_version) = &report.base_version else {
            println!(
                "{} ({} {}): new since {short}, nothing to compare",
                report.spec, report.crate_name, report.current_version
            );
            continue;
        };
        println!(
            "{} ({} {base_version} -> {}): {} breaking, {} compatible, {} trivial",
            report.spec,
            report.crate_name,
            report.current_version,
            report.count(Class::Breaking),
            report.count(Class::Compatible),
            report.count(Class::Trivial)
        );
        for finding in &report.findings {
            println!("  {finding}");
        }
        if let Err(error) = &report.verdict {
            failures += 1;
            eprintln!("error: {}: {error}; raise the version in Cargo.toml", report.crate_name);
        }
    }
    if failures == 0 {
        println!("\nversions: every crate's version covers its spec's changes");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
