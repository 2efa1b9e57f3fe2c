//! `AppZenClientBuilder::from_env`, `AppZenCredentials::from_env` and `Region::from_env`, through
//! an [`Env`] lookup (so no test changes the process environment).

use sdk_appzen::{AppZenClient, AppZenClientBuilder, AppZenCredentials, ConfigError, Env, Region};

fn env(vars: &[(&'static str, &'static str)]) -> Env<'static> {
    let vars = vars.to_vec();
    Env::from_lookup(move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).into()))
}

const CREDENTIALS: [(&str, &str); 3] = [
    ("APPZEN_API_KEY", "env-key-canary"),
    ("APPZEN_CUSTOMER_ID", "env-id-canary"),
    ("APPZEN_CUSTOMER_KEY", "env-customer-canary"),
];

#[test]
fn credentials_and_region_come_from_the_environment() {
    assert!(matches!(
        AppZenCredentials::from_env_in(&env(&[])),
        Err(ConfigError::MissingEnvVar { name: "APPZEN_API_KEY" })
    ));
    let error = AppZenCredentials::from_env_in(&env(&CREDENTIALS[..2])).unwrap_err();
    assert_eq!(
        error,
        ConfigError::MissingEnvVar {
            name: "APPZEN_CUSTOMER_KEY"
        }
    );
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains("APPZEN_CUSTOMER_KEY") && !shown.contains("canary"),
        "{shown}"
    );
    // Blank means missing.
    let blank = [CREDENTIALS[0], CREDENTIALS[1], ("APPZEN_CUSTOMER_KEY", "  ")];
    assert_eq!(
        AppZenCredentials::from_env_in(&env(&blank)).unwrap_err(),
        ConfigError::MissingEnvVar {
            name: "APPZEN_CUSTOMER_KEY"
        }
    );
    let credentials = AppZenCredentials::from_env_in(&env(&CREDENTIALS)).unwrap();
    assert!(!format!("{credentials:?}").contains("canary"));

    let mut vars = CREDENTIALS.to_vec();
    vars.push(("APPZEN_BASE_URL", "http://127.0.0.1:4010"));
    let client = AppZenClientBuilder::from_env_in(&env(&vars)).unwrap().build().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:4010");
    assert_eq!(client.region(), &Region::Custom("http://127.0.0.1:4010".into()));

    let mut vars = CREDENTIALS.to_vec();
    vars.push(("APPZEN_REGION", "us-sandbox"));
    let client = AppZenClientBuilder::from_env_in(&env(&vars)).unwrap().build().unwrap();
    assert_eq!(client.region(), &Region::UsSandbox);

    // Without a region nor a base URL, the variable to set is named.
    assert_eq!(
        AppZenClientBuilder::from_env_in(&env(&CREDENTIALS)).unwrap_err(),
        ConfigError::MissingEnvVar { name: "APPZEN_REGION" }
    );
}

#[test]
fn from_env_reads_the_process_environment() {
    // Only reads: a variable this test cannot control is not asserted on beyond what is certain.
    match AppZenClient::from_env() {
        Ok(client) => assert!(!client.base_url().is_empty()),
        Err(error) => assert!(matches!(
            error,
            ConfigError::MissingEnvVar { .. } | ConfigError::InvalidEnvVar { .. }
        )),
    }
}
