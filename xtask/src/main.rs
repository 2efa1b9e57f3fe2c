//! `cargo xtask <command>`: see `cargo xtask help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::generate::{self, TARGETS};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate           regenerate sdk-*/src/generated/ from specs/*.yaml
  generate --check   exit non-zero, with a diff, when the checked-in generated code is stale
  demo               the offline tour: each SDK against an embedded mock of its provider
  help               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["generate"] => run_generate(false),
        ["generate", "--check"] => run_generate(true),
        ["demo"] => match xtask::demo::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                eprint!("{}", xtask::demo::USAGE);
                ExitCode::FAILURE
            }
        },
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

/// The workspace root: the xtask crate's parent folder.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

fn run_generate(check: bool) -> ExitCode {
    let root = workspace_root();
    let outputs = match generate::generate_all(&root, TARGETS) {
        Ok(outputs) => outputs,
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!("nothing was written");
            return ExitCode::FAILURE;
        }
    };
    for (target, output) in TARGETS.iter().zip(&outputs) {
        for line in &output.excluded {
            println!("{}: excluded {line}", target.spec);
        }
    }
    if check {
        match generate::check_outputs(&root, TARGETS, &outputs) {
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
        match generate::write_outputs(&root, TARGETS, &outputs) {
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
