//! Shared test helpers: a canary API key, clients pointed at a loopback mock server, and the
//! checks both clients' errors pass alike (they are the same runtime error, with the same
//! `ErrorExt`, over different bodies).

#![allow(dead_code)]

use std::fmt::{Debug, Display};
use std::time::Duration;

use httpmock::{Mock, MockServer};
use sdk_invoicexpress::legacy::LegacyClient;
use sdk_invoicexpress::types::DocumentStatus;
use sdk_invoicexpress::{
    Account, ApiError, ClientConfig, DocumentKind, ErrorExt, ErrorKind, InvoiceXpressClient, RetryPolicy, Timeouts,
    TransitionRefused,
};

/// The error of either client: the runtime's error with the client's error body.
pub type ClientError<B> = sdk_runtime::Error<B>;

/// An API key that must appear on the wire (as `api_key`) and nowhere else.
pub const CANARY: &str = "canary-key-7f3a9c1e55d0";

/// Fast retries and short timeouts, so failure tests stay quick.
pub fn fast_config() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            attempt: Duration::from_secs(5),
            deadline: Duration::from_secs(20),
        },
        user_agent_suffix: Some("sdk-invoicexpress-tests".into()),
        limits: Default::default(),
        rate_limits: None,
    }
}

/// [`fast_config`] with a single attempt.
pub fn no_retries() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy::none(),
        ..fast_config()
    }
}

pub fn json_client(base_url: &str) -> InvoiceXpressClient {
    json_client_with(base_url, fast_config())
}

pub fn json_client_with(base_url: &str, config: ClientConfig) -> InvoiceXpressClient {
    InvoiceXpressClient::builder(Account::custom(base_url))
        .api_key(CANARY)
        .config(config)
        .build()
        .expect("valid test settings")
}

pub fn legacy_client(base_url: &str) -> LegacyClient {
    legacy_client_with(base_url, fast_config())
}

pub fn legacy_client_with(base_url: &str, config: ClientConfig) -> LegacyClient {
    LegacyClient::builder(Account::custom(base_url))
        .api_key(CANARY)
        .config(config)
        .build()
        .expect("valid test settings")
}

/// Asserts that neither the `Display` nor the `Debug` of `value` shows the canary key.
pub fn assert_no_canary<T: Debug + Display>(what: &str, value: &T) {
    let display = value.to_string();
    let debug = format!("{value:?}");
    assert!(
        !display.contains(CANARY),
        "{what}: the key leaked into Display: {display}"
    );
    assert!(!debug.contains(CANARY), "{what}: the key leaked into Debug: {debug}");
}

/// Asserts that the `Debug` of a client, and of a builder given the canary key, hide the key.
pub fn assert_debug_hides_the_key(client: &impl Debug, builder_with_key: &impl Debug) {
    assert_no_canary("client", &format!("{client:?}"));
    assert_no_canary("builder", &format!("{builder_with_key:?}"));
}

/// Answers every request with an empty 200: the server of calls that must send nothing (check
/// with `assert_calls_async(0)`).
pub async fn answer_every_request(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await
}

/// Asserts a refusal by the local transition guard, before anything was sent: the document type
/// and status it names, and the changes it allows from there. Returns the refusal.
pub fn assert_refused_locally<'e, B>(
    error: &'e ClientError<B>,
    document_type: DocumentKind,
    status: &DocumentStatus,
    allowed: &[&str],
) -> &'e TransitionRefused
where
    ClientError<B>: ErrorExt,
    B: Debug,
{
    assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error:?}");
    assert_eq!(error.attempts(), 0, "nothing was sent");
    let refused = error.transition_refused().expect("the guard's reason");
    assert_eq!((refused.document_type, &refused.status), (document_type, status));
    let states: Vec<&str> = refused.allowed.iter().map(|row| row.state.as_str()).collect();
    assert_eq!(states, allowed, "{refused}");
    refused
}

/// Asserts what an error says about the error status `status` answered with `body`.
pub fn assert_api_error<B>(
    error: &ClientError<B>,
    status: u16,
    api_error: ApiError,
    messages: &[&str],
    body: &str,
    case: &str,
) where
    ClientError<B>: ErrorExt,
    B: Debug,
{
    assert_eq!(error.kind(), ErrorKind::Api, "{case}: {error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{case}");
    assert_eq!(error.api_error(), Some(api_error), "{case}");
    assert_eq!(error.messages(), messages, "{case}");
    assert_eq!(error.raw_body(), Some(body), "{case}: the raw text is kept");
    assert!(error.transition_refused().is_none(), "{case}");
}

/// Asserts that a 503 answered to every attempt was sent [`fast_config`]'s three times, and is
/// worth sending again later.
pub async fn assert_retried_503<B>(error: &ClientError<B>, mock: &Mock<'_>)
where
    ClientError<B>: ErrorExt,
    B: Debug,
{
    mock.assert_calls_async(3).await;
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.api_error(), Some(ApiError::Server(503)));
    assert!(error.is_retryable());
}

/// Asserts a 401 whose body echoed the canary key, which no text of the error shows.
pub fn assert_unauthorized_hides_the_key<B>(error: &ClientError<B>)
where
    ClientError<B>: ErrorExt,
    B: Debug,
{
    assert_eq!(error.api_error(), Some(ApiError::Unauthorized));
    assert_no_canary("401 error echoing the key", error);
}

/// Seed 002's example success body.
pub const SEED_002_RESPONSE: &str = r#"{
  "invoice": {
    "id": 123456789,
    "status": "final",
    "archived": false,
    "type": "Invoice",
    "sequence_number": "5/A",
    "inverted_sequence_number": "A/5",
    "atcud": "ABCD1234-5",
    "sequence_id": 987654321,
    "date": "14/11/2022",
    "due_date": "14/11/2022",
    "reference": null,
    "observations": null,
    "retention": null,
    "permalink": "https://www.app.invoicexpress.com/documents/123456789qwertyuiop",
    "saft_hash": "p6Ex",
    "sum": 2.02,
    "discount": 0.0,
    "before_taxes": 2.02,
    "taxes": 0.47,
    "total": 2.49,
    "currency": "Euro",
    "client": {
      "id": 51452363,
      "name": "Gabriel Cunha",
      "email": "gabriel.cunha@rupeal.com",
      "country": "Portugal"
    },
    "items": [
      {
        "name": "Pencil",
        "description": "The best pencil in the world",
        "unit_price": "2.0244",
        "unit": null,
        "quantity": "1.0",
        "tax": {
          "id": 349454,
          "name": "IVA23",
          "value": 23.0
        },
        "discount": 0.0,
        "subtotal": 2.0244,
        "tax_amount": 0.465612,
        "discount_amount": 0.0,
        "total": 2.49
      }
    ]
  }
}"#;

/// Seed 002's example request body.
pub const SEED_002_REQUEST: &str = r#"{"invoice":{"state":"finalized","message":"Wrong invoice totals."}}"#;
