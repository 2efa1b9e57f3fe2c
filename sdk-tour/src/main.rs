//! The offline tour of the three SDKs (`cargo xtask demo` runs it): each SDK against an embedded
//! mock of its provider, or its real sandbox when the provider's variables are set.

use std::process::ExitCode;

fn main() -> ExitCode {
    match sdk_tour::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            eprint!("{}", sdk_tour::USAGE);
            ExitCode::FAILURE
        }
    }
}
