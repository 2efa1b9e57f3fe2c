//! An HTTP/2 server that refuses a request unprocessed (`REFUSED_STREAM`): the send loop sends it
//! again, even a `POST`, since nothing was processed; any other reset of a `POST` is not retried.
//! (`reqwest`'s own retries, which covered this case, are off in the SDKs' clients.)

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Thing, fast_config, runtime};
use sdk_runtime::{Credentials, ErrorKind, RequestOutcome};

/// Starts an HTTP/2 (prior knowledge) server on loopback that resets the first `refusals`
/// streams with `reason`, then answers `201 {"id":1,"name":"widget"}`. Returns its base URL and
/// the count of requests it saw.
async fn refusing_server(refusals: usize, reason: h2::Reason) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut connection) = h2::server::handshake(socket).await else {
                    return;
                };
                while let Some(Ok((_request, mut respond))) = connection.accept().await {
                    let seen = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    if seen <= refusals {
                        respond.send_reset(reason);
                        continue;
                    }
                    let response = http::Response::builder()
                        .status(201)
                        .header("content-type", "application/json")
                        .body(())
                        .unwrap();
                    let mut body = respond.send_response(response, false).unwrap();
                    body.send_data(bytes::Bytes::from_static(br#"{"id":1,"name":"widget"}"#), true)
                        .unwrap();
                }
            });
        }
    });
    (format!("http://{address}"), seen)
}

/// The SDKs' client settings (`reqwest` retries off), speaking HTTP/2 without negotiation.
fn http2_client() -> reqwest::Client {
    reqwest::Client::builder()
        .http2_prior_knowledge()
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .build()
        .unwrap()
}

fn create(http: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
    http.post(format!("{base}/things"))
        .json(&serde_json::json!({ "name": "widget" }))
}

#[tokio::test]
async fn a_post_refused_unprocessed_is_sent_again() {
    let (base, seen) = refusing_server(1, h2::Reason::REFUSED_STREAM).await;
    let (runtime, _) = runtime(Credentials::None, fast_config(3));
    let http = http2_client();

    let reply = common::write::<Thing>(&runtime, &http, create(&http, &base), "createThing")
        .await
        .unwrap();

    assert_eq!(reply.status.as_u16(), 201);
    assert_eq!(reply.value.value().map(|thing| thing.id), Some(1));
    assert_eq!(seen.load(Ordering::SeqCst), 2, "refused once, then sent again");
}

#[tokio::test]
async fn a_post_reset_for_another_reason_is_not_sent_again() {
    let (base, seen) = refusing_server(1, h2::Reason::INTERNAL_ERROR).await;
    let (runtime, _) = runtime(Credentials::None, fast_config(3));
    let http = http2_client();

    let error = common::write::<Thing>(&runtime, &http, create(&http, &base), "createThing")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.outcome(), RequestOutcome::Unknown);
    assert_eq!(seen.load(Ordering::SeqCst), 1, "the server may have processed it");
}
