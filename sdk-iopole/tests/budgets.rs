//! The client's default rate budget follows Iopole's documented limits: `status-history` has its
//! own, tighter one; a call that cannot get budget before its deadline is not sent.

mod common;

use std::time::Duration;

use common::oauth::*;
use common::*;
use httpmock::prelude::*;
use sdk_iopole::{ClientConfig, Environment, ErrorKind, IopoleClient, RequestOutcome, Timeouts};

#[tokio::test]
async fn status_history_has_its_own_tight_budget_and_other_calls_are_not_held_up() {
    let server = MockServer::start_async().await;
    let history = history_mock(&server, CANARY_TOKEN, 200).await;
    let marks = server
        .mock_async(|when, then| {
            when.method(PUT).path_includes("/markAsSeen");
            then.status(204);
        })
        .await;
    // The default configuration (the provider's preset budgets), with a short deadline.
    let config = ClientConfig {
        timeouts: Timeouts {
            deadline: Duration::from_secs(1),
            ..Timeouts::default()
        },
        ..ClientConfig::default()
    };
    let client = IopoleClient::builder(Environment::custom(server.base_url()))
        .bearer_token(CANARY_TOKEN)
        .config(config)
        .build()
        .unwrap();

    // 12 a minute for status-history, spread evenly: the second call would wait 5 s.
    client.status_history(invoice()).await.unwrap();
    let error = client.status_history(invoice()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert_eq!(error.outcome(), RequestOutcome::NotSent);
    assert!(error.is_retryable());
    assert_eq!(history.calls_async().await, 1, "the second was not sent");

    // Other operations spend from the 180-a-minute budget only (one every third of a second).
    for n in 0..3u32 {
        let status = format!("00000000-0000-4000-8000-{n:012}").parse().unwrap();
        client.mark_as_seen(status).await.unwrap();
    }
    assert_eq!(marks.calls_async().await, 3);
}
