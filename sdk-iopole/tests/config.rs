//! Construction: environments, credentials, `from_env` (through a lookup), errors that name
//! variables but never show values.

use std::collections::HashMap;

use sdk_iopole::{
    Auth, ConfigError, Env, Environment, IopoleClient, IopoleClientBuilder, PRODUCTION_BASE_URL, PRODUCTION_TOKEN_URL,
    SANDBOX_BASE_URL, SANDBOX_TOKEN_URL, Secret,
};

const SECRET_VALUE: &str = "canary-env-secret-Qm4";

fn from(vars: &[(&str, &str)]) -> Result<IopoleClientBuilder, ConfigError> {
    let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    IopoleClientBuilder::from_env_in(&Env::from_lookup(move |name| map.get(name).map(Into::into)))
}

#[test]
fn environments_have_their_urls() {
    assert_eq!(Environment::Sandbox.base_url(), "https://api.ppd.iopole.fr");
    assert_eq!(
        Environment::Sandbox.token_url(),
        Some("https://auth.ppd.iopole.fr/realms/iopole/protocol/openid-connect/token")
    );
    assert_eq!(Environment::Production.base_url(), "https://api.iopole.com");
    assert_eq!(
        Environment::Production.token_url(),
        Some("https://auth.iopole.com/realms/iopole/protocol/openid-connect/token")
    );
    assert_eq!(Environment::custom("http://localhost:1").token_url(), None);
    let custom = Environment::custom_with_token_url("http://localhost:1/", "http://localhost:2/token");
    assert_eq!(custom.token_url(), Some("http://localhost:2/token"));
    let client = IopoleClient::builder(custom)
        .client_credentials("id", "secret")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://localhost:1", "trailing slash dropped");
}

#[test]
fn from_env_reads_client_credentials_and_environment() {
    let builder = from(&[
        ("IOPOLE_CLIENT_ID", "my-id"),
        ("IOPOLE_CLIENT_SECRET", SECRET_VALUE),
        ("IOPOLE_ENV", "production"),
        ("IOPOLE_CUSTOMER_ID", " 0b8c2f7e-8f57-4a5a-9f3d-2a9c1d3e4f50 "),
    ])
    .unwrap();
    assert!(!format!("{builder:?}").contains(SECRET_VALUE));
    let client = builder.build().unwrap();
    assert_eq!(client.environment(), &Environment::Production);
    assert_eq!(client.base_url(), PRODUCTION_BASE_URL);
    assert_eq!(
        client.customer_id().map(|c| c.to_string()).as_deref(),
        Some("0b8c2f7e-8f57-4a5a-9f3d-2a9c1d3e4f50")
    );
    assert!(format!("{client:?}").contains("OAuth2"));
    assert!(!format!("{client:?}{client}").contains(SECRET_VALUE));
}

#[test]
fn from_env_falls_back_to_a_static_token() {
    let client = from(&[("IOPOLE_TOKEN", SECRET_VALUE), ("IOPOLE_ENV", "Sandbox")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.base_url(), SANDBOX_BASE_URL);
    assert!(format!("{client:?}").contains("bearer token"));
    assert_eq!(client.customer_id(), None);
}

#[test]
fn from_env_with_custom_urls() {
    let client = from(&[
        ("IOPOLE_CLIENT_ID", "id"),
        ("IOPOLE_CLIENT_SECRET", SECRET_VALUE),
        ("IOPOLE_BASE_URL", "http://127.0.0.1:9999"),
        ("IOPOLE_TOKEN_URL", "http://127.0.0.1:9999/token"),
    ])
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(
        client.environment(),
        &Environment::Custom {
            base_url: "http://127.0.0.1:9999".into(),
            token_url: Some("http://127.0.0.1:9999/token".into())
        }
    );
    // A custom base URL keeps the named environment's token URL.
    let client = from(&[
        ("IOPOLE_CLIENT_ID", "id"),
        ("IOPOLE_CLIENT_SECRET", SECRET_VALUE),
        ("IOPOLE_ENV", "sandbox"),
        ("IOPOLE_BASE_URL", "http://127.0.0.1:9999"),
    ])
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(client.environment().token_url(), Some(SANDBOX_TOKEN_URL));
    // A token URL alone overrides the named environment's.
    let builder = from(&[
        ("IOPOLE_TOKEN", SECRET_VALUE),
        ("IOPOLE_ENV", "production"),
        ("IOPOLE_TOKEN_URL", "http://127.0.0.1:9999/token"),
    ])
    .unwrap();
    let client = builder.build().unwrap();
    assert_eq!(client.base_url(), PRODUCTION_BASE_URL);
    assert_ne!(client.environment().token_url(), Some(PRODUCTION_TOKEN_URL));
}

#[test]
fn from_env_errors_name_the_variable_never_the_value() {
    let cases: Vec<(Vec<(&str, &str)>, ConfigError)> = vec![
        (
            vec![("IOPOLE_ENV", "sandbox")],
            ConfigError::MissingEnvVar {
                name: "IOPOLE_CLIENT_ID",
            },
        ),
        (
            vec![("IOPOLE_ENV", "sandbox"), ("IOPOLE_CLIENT_ID", "id")],
            ConfigError::MissingEnvVar {
                name: "IOPOLE_CLIENT_SECRET",
            },
        ),
        (
            vec![("IOPOLE_ENV", "sandbox"), ("IOPOLE_CLIENT_SECRET", SECRET_VALUE)],
            ConfigError::MissingEnvVar {
                name: "IOPOLE_CLIENT_ID",
            },
        ),
        (
            vec![
                ("IOPOLE_ENV", "sandbox"),
                ("IOPOLE_CLIENT_ID", "   "),
                ("IOPOLE_CLIENT_SECRET", SECRET_VALUE),
            ],
            ConfigError::MissingEnvVar {
                name: "IOPOLE_CLIENT_ID",
            },
        ),
        (
            vec![("IOPOLE_TOKEN", SECRET_VALUE)],
            ConfigError::MissingEnvVar { name: "IOPOLE_ENV" },
        ),
        (
            vec![("IOPOLE_TOKEN", SECRET_VALUE), ("IOPOLE_ENV", SECRET_VALUE)],
            ConfigError::InvalidEnvVar {
                name: "IOPOLE_ENV",
                reason: "expected sandbox or production",
            },
        ),
        (
            vec![
                ("IOPOLE_TOKEN", "t"),
                ("IOPOLE_ENV", "sandbox"),
                ("IOPOLE_CUSTOMER_ID", SECRET_VALUE),
            ],
            ConfigError::InvalidEnvVar {
                name: "IOPOLE_CUSTOMER_ID",
                reason: "not a UUID",
            },
        ),
        (
            vec![
                ("IOPOLE_CLIENT_ID", "id"),
                ("IOPOLE_CLIENT_SECRET", SECRET_VALUE),
                ("IOPOLE_BASE_URL", "http://x"),
            ],
            ConfigError::MissingEnvVar {
                name: "IOPOLE_TOKEN_URL",
            },
        ),
    ];
    for (vars, expected) in cases {
        let error = from(&vars).unwrap_err();
        assert_eq!(error, expected, "{vars:?}");
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(SECRET_VALUE), "{shown}");
        let name = match &error {
            ConfigError::MissingEnvVar { name } | ConfigError::InvalidEnvVar { name, .. } => *name,
            other => panic!("unexpected {other:?}"),
        };
        assert!(shown.contains(name), "{shown}");
    }
}

#[test]
fn build_checks_credentials_and_urls() {
    let error = IopoleClient::builder(Environment::Sandbox).build().unwrap_err();
    assert!(matches!(error, ConfigError::MissingCredentials { .. }), "{error:?}");
    let error = IopoleClient::builder(Environment::custom("http://127.0.0.1:1"))
        .client_credentials("id", "secret")
        .build()
        .unwrap_err();
    assert_eq!(error, ConfigError::MissingTokenUrl);
    let error = IopoleClient::builder(Environment::custom("not a url"))
        .bearer_token("t")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidUrl { what: "base URL", .. }),
        "{error:?}"
    );
    let error = IopoleClient::builder(Environment::custom("ftp://example.com"))
        .bearer_token("t")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidUrl { what: "base URL", .. }),
        "{error:?}"
    );
    // Plain http only to a loopback host: a bearer token never travels unencrypted elsewhere.
    for (base, token) in [
        ("http://api.example.com", "https://auth.example.com/token"),
        ("https://api.example.com", "http://auth.example.com/token"),
    ] {
        let error = IopoleClient::builder(Environment::custom_with_token_url(base, token))
            .client_credentials("id", "secret")
            .build()
            .unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidUrl { reason, .. } if reason.contains("loopback")),
            "{base} {token}: {error:?}"
        );
    }
    let error = IopoleClient::builder(Environment::Sandbox)
        .bearer_token("")
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidCredential { .. }), "{error:?}");
    let error = IopoleClient::builder(Environment::Sandbox)
        .bearer_token("line\nbreak")
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidCredential { .. }), "{error:?}");
    assert!(!error.to_string().contains("line"));
    let error = IopoleClient::builder(Environment::Sandbox)
        .client_credentials("id", "")
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidCredential { .. }), "{error:?}");
    let error = IopoleClient::builder(Environment::Sandbox)
        .auth(Auth::ClientCredentials {
            client_id: " ".into(),
            client_secret: Secret::new("s"),
            scope: None,
        })
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidCredential { .. }), "{error:?}");
}

#[test]
fn user_agent_names_the_sdk() {
    let client = IopoleClient::builder(Environment::Sandbox)
        .bearer_token("t")
        .build()
        .unwrap();
    assert_eq!(
        client.runtime().user_agent(),
        concat!("sdk-iopole/", env!("CARGO_PKG_VERSION"))
    );
}
