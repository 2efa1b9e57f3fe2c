//! `AppZenCredentials::from_env` and `Region::from_env`. One test only: it changes the process
//! environment, which no other test in this binary reads.

use sdk_appzen::{AppZenClient, AppZenCredentials, ConfigError, Region};

const VARIABLES: [&str; 4] = [
    "APPZEN_API_KEY",
    "APPZEN_CUSTOMER_ID",
    "APPZEN_CUSTOMER_KEY",
    "APPZEN_BASE_URL",
];

fn set(name: &str, value: &str) {
    // SAFETY: this binary has a single test, so no other thread reads or writes the environment.
    unsafe { std::env::set_var(name, value) }
}

fn unset(name: &str) {
    // SAFETY: as in `set`.
    unsafe { std::env::remove_var(name) }
}

#[test]
fn credentials_and_region_come_from_the_environment() {
    for name in VARIABLES {
        unset(name);
    }
    assert!(matches!(
        AppZenCredentials::from_env(),
        Err(ConfigError::MissingEnvVar { name: "APPZEN_API_KEY" })
    ));
    assert_eq!(Region::from_env().unwrap(), None);

    set("APPZEN_API_KEY", "env-key-canary");
    set("APPZEN_CUSTOMER_ID", "env-id-canary");
    let error = AppZenCredentials::from_env().unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::MissingEnvVar {
                name: "APPZEN_CUSTOMER_KEY"
            }
        ),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains("APPZEN_CUSTOMER_KEY") && !shown.contains("canary"),
        "{shown}"
    );

    set("APPZEN_CUSTOMER_KEY", "");
    assert!(matches!(
        AppZenCredentials::from_env(),
        Err(ConfigError::MissingEnvVar {
            name: "APPZEN_CUSTOMER_KEY"
        })
    ));

    set("APPZEN_CUSTOMER_KEY", "env-customer-canary");
    let credentials = AppZenCredentials::from_env().unwrap();
    assert!(!format!("{credentials:?}").contains("canary"));

    set("APPZEN_BASE_URL", "https://eu-api.appzen.com/");
    assert_eq!(Region::from_env().unwrap(), Some(Region::Eu));
    set("APPZEN_BASE_URL", "http://127.0.0.1:4010");
    let region = Region::from_env().unwrap().unwrap_or(Region::UsSandbox);
    assert_eq!(region, Region::Custom("http://127.0.0.1:4010".into()));
    let client = AppZenClient::builder(region, credentials).build().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:4010");

    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: as in `set`.
        unsafe { std::env::set_var("APPZEN_API_KEY", std::ffi::OsStr::from_bytes(b"\xff\xfe")) };
        assert!(matches!(
            AppZenCredentials::from_env(),
            Err(ConfigError::InvalidEnvVar { name: "APPZEN_API_KEY" })
        ));
    }

    for name in VARIABLES {
        unset(name);
    }
}
