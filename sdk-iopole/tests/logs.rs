//! No credential in captured logs: alone in its test binary, so no other test's thread races
//! tracing's callsite interest cache.

mod common;

use common::oauth::*;
use common::*;
use httpmock::prelude::*;
use sdk_iopole::Uuid;

#[test]
fn logs_never_contain_secrets() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,httpmock=off"))
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = MockServer::start_async().await;
            let first = token_mock(&server, CANARY_ACCESS_TOKEN, 600).await;
            first.up_to_n_times_async(1).await;
            token_mock(&server, CANARY_ACCESS_TOKEN_2, 600).await;
            history_mock(&server, CANARY_ACCESS_TOKEN, 401).await;
            history_mock(&server, CANARY_ACCESS_TOKEN_2, 200).await;
            let client = oauth_client(&server);
            client.status_history(invoice()).await.unwrap();
            // And an error path.
            let error = client.mark_as_seen(Uuid::nil()).await.unwrap_err();
            tracing::error!(%error, ?error, "call failed");
            tracing::info!(?client, "client");
        })
    });
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("sdk.call"), "the runtime's spans were captured:\n{logs}");
    assert!(logs.contains("renewed"), "the 401 renewal was logged:\n{logs}");
    for canary in [CANARY_SECRET, CANARY_ACCESS_TOKEN, CANARY_ACCESS_TOKEN_2] {
        assert!(!logs.contains(canary), "{canary} leaked into the logs:\n{logs}");
    }
}
