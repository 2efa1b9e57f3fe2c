//! `from_env()` reads the process environment. The only test of this binary, so changing the
//! environment cannot race with another test.

use sdk_iopole::{ConfigError, Environment, IopoleClient, SANDBOX_TOKEN_URL};

const SECRET_VALUE: &str = "canary-process-env-secret-Lp8";
const VARS: &[&str] = &[
    "IOPOLE_CLIENT_ID",
    "IOPOLE_CLIENT_SECRET",
    "IOPOLE_TOKEN",
    "IOPOLE_ENV",
    "IOPOLE_BASE_URL",
    "IOPOLE_TOKEN_URL",
    "IOPOLE_CUSTOMER_ID",
];

fn set(vars: &[(&str, &str)]) {
    // SAFETY: this binary has a single test, so no other thread reads or writes the environment.
    unsafe {
        for name in VARS {
            std::env::remove_var(name);
        }
        for (name, value) in vars {
            std::env::set_var(name, value);
        }
    }
}

#[test]
fn from_env_reads_the_process_environment() {
    set(&[
        ("IOPOLE_CLIENT_ID", "process-client"),
        ("IOPOLE_CLIENT_SECRET", SECRET_VALUE),
        ("IOPOLE_ENV", "sandbox"),
        ("IOPOLE_CUSTOMER_ID", "0b8c2f7e-8f57-4a5a-9f3d-2a9c1d3e4f50"),
    ]);
    let client = IopoleClient::from_env().expect("configured from the environment");
    assert_eq!(client.environment(), &Environment::Sandbox);
    assert_eq!(client.environment().token_url(), Some(SANDBOX_TOKEN_URL));
    assert!(client.customer_id().is_some());
    assert!(!format!("{client:?} {client}").contains(SECRET_VALUE));

    set(&[("IOPOLE_CLIENT_ID", "process-client"), ("IOPOLE_ENV", "sandbox")]);
    let error = IopoleClient::from_env().unwrap_err();
    assert_eq!(
        error,
        ConfigError::MissingEnvVar {
            name: "IOPOLE_CLIENT_SECRET"
        }
    );
    assert!(error.to_string().contains("IOPOLE_CLIENT_SECRET"));

    set(&[("IOPOLE_TOKEN", SECRET_VALUE), ("IOPOLE_ENV", SECRET_VALUE)]);
    let error = IopoleClient::from_env().unwrap_err();
    assert!(matches!(error, ConfigError::InvalidEnvVar { name: "IOPOLE_ENV", .. }));
    assert!(!format!("{error} {error:?}").contains(SECRET_VALUE));

    set(&[]);
    assert!(matches!(
        IopoleClient::from_env(),
        Err(ConfigError::MissingEnvVar { .. })
    ));
}
