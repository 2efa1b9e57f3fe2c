//! Webhook deliveries: signatures computed here with the `hmac` and `sha2` crates directly (and
//! one known-answer vector computed outside Rust), never with the verifier; every check that
//! can fail; JSON and multipart checksums; answers; the push/pull feed; the receiver example on a
//! loopback port.

mod common;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use httpmock::prelude::*;
use sdk_iopole::feed::{FeedError, FeedStatus, PushOutcome, Source, StatusFeed};
use sdk_iopole::webhook::{
    Answer, Claim, DedupStore, Delivery, IncomingRequest, MemoryDedupStore, ReceiverAuth, VerifiedDelivery,
    VerifyError, WebhookVerifier,
};
use sdk_iopole::{NotSeenStatus, Uuid};
use sha2::{Digest, Sha256};

const SECRET: &str = "test-secret-0123456789-abcdefghij-KLMN";
const PATH: &str = "/hooks/iopole?tenant=7";
/// 2026-01-01T00:00:00Z in milliseconds.
const NOW_MS: u64 = 1_767_225_600_000;
const STATUS_ID: &str = "00000000-0000-4000-8000-000000000001";
const INVOICE_ID: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const BOUNDARY: &str = "----iopole-test-boundary-7MA4YWxk";

fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(ReceiverAuth::hmac(SECRET).unwrap()).clock(|| at(NOW_MS))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature as Iopole computes it, written here independently of the verifier.
fn sign(secret: &str, timestamp: &str, method: &str, path: &str, signed_content: &[u8]) -> String {
    let canonical = format!("{timestamp}\n{method}\n{path}\n{}", sha256_hex(signed_content));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(canonical.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn status_body(status_id: &str, code: &str) -> Vec<u8> {
    serde_json::to_vec(&history_item(status_id, INVOICE_ID, code)).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// Headers of a JSON delivery signed with `secret` at `timestamp`.
fn signed_json(secret: &str, timestamp: &str, body: &[u8]) -> HeaderMap {
    headers(&[
        ("content-type", "application/json"),
        ("x-timestamp", timestamp),
        ("x-signature", &sign(secret, timestamp, "POST", PATH, body)),
        ("x-idempotency-key", "idem-1"),
        ("x-target-electronic-address", "0002:111111111"),
    ])
}

fn verify(headers: &HeaderMap, body: &[u8]) -> Result<VerifiedDelivery, VerifyError> {
    verifier().verify(&IncomingRequest::new("POST", PATH, headers, body))
}

#[test]
fn a_known_answer_vector_computed_outside_rust_verifies() {
    // Computed with Python's hmac and hashlib.
    let body = br#"{"statusId":"00000000-0000-4000-8000-000000000001"}"#;
    assert_eq!(
        sha256_hex(body),
        "f1d38bbe216e131f9819e30eedee38d9c20969576532465996f51a9837d1af2f"
    );
    let signature = "f47893974566ee833403958279bed6ec642a498d59d59a23de8c8b00f9756d56";
    assert_eq!(sign(SECRET, "1767225600000", "POST", PATH, body), signature);
    let sent = headers(&[
        ("content-type", "application/json"),
        ("x-timestamp", "1767225600000"),
        ("x-signature", signature),
        (
            "x-checksum",
            "f1d38bbe216e131f9819e30eedee38d9c20969576532465996f51a9837d1af2f",
        ),
    ]);
    let verified = verify(&sent, body).expect("verifies");
    // A status without date, invoice or status still arrives: undecodable, with its id.
    let Delivery::Status(status) = verified.delivery else {
        panic!("a status")
    };
    assert_eq!(
        status
            .undecodable()
            .and_then(|u| u.field::<String>("statusId"))
            .as_deref(),
        Some(STATUS_ID)
    );
}

#[test]
fn a_signed_status_delivery_verifies_and_decodes_like_a_history_item() {
    let body = status_body(STATUS_ID, "APPROVED");
    let verified = verify(&signed_json(SECRET, &NOW_MS.to_string(), &body), &body).expect("verifies");
    assert_eq!(verified.idempotency_key.as_deref(), Some("idem-1"));
    assert_eq!(verified.target_electronic_address.as_deref(), Some("0002:111111111"));
    assert_eq!(verified.signed_at, Some(at(NOW_MS)));
    assert_eq!(verified.dedup_key().as_deref(), Some("idempotency:idem-1"));
    let Delivery::Status(status) = &verified.delivery else {
        panic!("a status")
    };
    let item = status.decoded().expect("decodes");
    assert_eq!(item.status_id.to_string(), STATUS_ID);
    assert_eq!(item.lifecycle_status().map(|s| s.code()), Some(205));
}

#[test]
fn the_public_signature_helper_matches_the_independent_computation() {
    let body = status_body(STATUS_ID, "APPROVED");
    let secret = sdk_iopole::Secret::new(SECRET);
    assert_eq!(
        sdk_iopole::webhook::signature(&secret, "1767225600000", "post", PATH, &body),
        sign(SECRET, "1767225600000", "POST", PATH, &body)
    );
}

#[test]
fn seconds_are_accepted_as_well_as_milliseconds() {
    let body = status_body(STATUS_ID, "APPROVED");
    let seconds = (NOW_MS / 1000 - 30).to_string();
    let verified = verify(&signed_json(SECRET, &seconds, &body), &body).expect("seconds verify");
    assert_eq!(verified.signed_at, Some(at(NOW_MS - 30_000)));
    let millis = (NOW_MS + 30_000).to_string();
    assert!(verify(&signed_json(SECRET, &millis, &body), &body).is_ok());
}

#[test]
fn stale_and_future_timestamps_are_refused_in_both_directions() {
    let body = status_body(STATUS_ID, "APPROVED");
    let window = 300_000;
    for (offset, ok) in [
        (-window, true),
        (window, true),
        (-window - 1, false),
        (window + 1, false),
    ] {
        let timestamp = (NOW_MS as i64 + offset).to_string();
        let result = verify(&signed_json(SECRET, &timestamp, &body), &body);
        assert_eq!(result.is_ok(), ok, "offset {offset}: {result:?}");
    }
    let stale = (NOW_MS - 3_600_000).to_string();
    assert_eq!(
        verify(&signed_json(SECRET, &stale, &body), &body).unwrap_err(),
        VerifyError::StaleTimestamp {
            age_ms: 3_600_000,
            window_ms: 300_000
        }
    );
    let future = (NOW_MS / 1000 + 3600).to_string();
    assert!(matches!(
        verify(&signed_json(SECRET, &future, &body), &body),
        Err(VerifyError::FutureTimestamp {
            ahead_ms: 3_600_000,
            ..
        })
    ));
    // A wider window accepts the hour-old delivery.
    let wide = verifier().window(Duration::from_secs(7200));
    let sent = signed_json(SECRET, &stale, &body);
    assert!(wide.verify(&IncomingRequest::new("POST", PATH, &sent, &body)).is_ok());
    let garbage = signed_json(SECRET, "yesterday", &body);
    assert_eq!(verify(&garbage, &body).unwrap_err(), VerifyError::MalformedTimestamp);
}

#[test]
fn a_wrong_secret_or_a_changed_request_is_refused() {
    let body = status_body(STATUS_ID, "APPROVED");
    let timestamp = NOW_MS.to_string();
    let other_secret = "another-secret-0123456789-abcdefghij-KLMN";
    assert_eq!(
        verify(&signed_json(other_secret, &timestamp, &body), &body).unwrap_err(),
        VerifyError::SignatureMismatch
    );
    // One byte of the body changed.
    let mut tampered = body.clone();
    let position = tampered.iter().position(|b| *b == b'A').unwrap();
    tampered[position] = b'B';
    let sent = signed_json(SECRET, &timestamp, &body);
    assert_eq!(verify(&sent, &tampered).unwrap_err(), VerifyError::SignatureMismatch);
    // With X-Checksum, the checksum check fails first.
    let mut with_checksum = sent.clone();
    with_checksum.insert("x-checksum", HeaderValue::from_str(&sha256_hex(&body)).unwrap());
    assert_eq!(verify(&with_checksum, &body).map(|_| ()), Ok(()));
    assert_eq!(
        verify(&with_checksum, &tampered).unwrap_err(),
        VerifyError::ChecksumMismatch
    );
    // Another path, query or method.
    for (method, path) in [
        ("POST", "/hooks/iopole?tenant=8"),
        ("POST", "/hooks/iopole"),
        ("PUT", PATH),
    ] {
        let result = verifier().verify(&IncomingRequest::new(method, path, &sent, &body));
        assert_eq!(result.unwrap_err(), VerifyError::SignatureMismatch, "{method} {path}");
    }
    // The method is compared upper-case, as signed.
    assert!(
        verifier()
            .verify(&IncomingRequest::new("post", PATH, &sent, &body))
            .is_ok()
    );
    // A changed timestamp.
    let mut moved = sent.clone();
    moved.insert("x-timestamp", HeaderValue::from_str(&(NOW_MS + 1).to_string()).unwrap());
    assert_eq!(verify(&moved, &body).unwrap_err(), VerifyError::SignatureMismatch);
}

#[test]
fn missing_or_malformed_headers_name_the_check() {
    let body = status_body(STATUS_ID, "APPROVED");
    let sent = signed_json(SECRET, &NOW_MS.to_string(), &body);
    for (header, expected) in [
        ("x-timestamp", VerifyError::MissingHeader("X-Timestamp")),
        ("x-signature", VerifyError::MissingHeader("X-Signature")),
    ] {
        let mut without = sent.clone();
        without.remove(header);
        assert_eq!(verify(&without, &body).unwrap_err(), expected);
        assert_eq!(
            expected.to_string(),
            format!("missing header {}", &expected.to_string()[15..])
        );
    }
    let mut short = sent.clone();
    short.insert("x-signature", HeaderValue::from_static("abc123"));
    assert_eq!(verify(&short, &body).unwrap_err(), VerifyError::MalformedSignature);
    let mut twice = sent.clone();
    twice.append("x-timestamp", HeaderValue::from_static("1"));
    assert_eq!(
        verify(&twice, &body).unwrap_err(),
        VerifyError::UnreadableHeader("X-Timestamp")
    );
}

#[test]
fn the_secret_never_shows_in_debug_display_or_errors() {
    assert!(!format!("{:?}", verifier()).contains(SECRET));
    let auth = ReceiverAuth::basic("iopole", "a-strong-password-42").unwrap();
    assert!(!format!("{auth:?}").contains("a-strong-password-42"));
    let body = status_body(STATUS_ID, "APPROVED");
    let wrong = signed_json("another-secret-0123456789-abcdefghij-KLMN", &NOW_MS.to_string(), &body);
    let error = verify(&wrong, &body).unwrap_err();
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(SECRET) && !text.contains("another-secret"), "{text}");
    }
    let short = ReceiverAuth::hmac("short-secret").unwrap_err();
    assert_eq!(
        short.to_string(),
        "the HMAC secret has 12 characters; Iopole requires 32 to 512"
    );
    assert!(!format!("{short:?}").contains("short-secret"));
    assert!(ReceiverAuth::hmac("x".repeat(512)).is_ok() && ReceiverAuth::hmac("x".repeat(513)).is_err());
}

fn multipart_body(file: &[u8], invoice_id: &str, accept: &str) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"invoiceId\"\r\n\r\n{invoice_id}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"invoice.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(
        format!(
            "\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"senderAcceptStatus\"\r\n\r\n{accept}\r\n\
             --{BOUNDARY}--\r\n"
        )
        .as_bytes(),
    );
    body
}

fn signed_multipart(file: &[u8]) -> HeaderMap {
    let timestamp = NOW_MS.to_string();
    headers(&[
        ("content-type", &format!("multipart/form-data; boundary={BOUNDARY}")),
        ("x-timestamp", &timestamp),
        ("x-signature", &sign(SECRET, &timestamp, "POST", PATH, file)),
        ("x-checksum", &sha256_hex(file)),
    ])
}

#[test]
fn a_multipart_invoice_is_signed_over_its_file_only() {
    let file = b"%PDF-1.4\n\x00\xff binary invoice \r\n--not-a-boundary\r\n";
    let body = multipart_body(file, INVOICE_ID, "true");
    let sent = signed_multipart(file);
    let verified = verify(&sent, &body).expect("verifies");
    let Delivery::Invoice(invoice) = &verified.delivery else {
        panic!("an invoice")
    };
    assert_eq!(&invoice.file[..], &file[..]);
    assert_eq!(invoice.invoice_id, Some(INVOICE_ID.parse().unwrap()));
    assert_eq!(invoice.sender_accept_status, Some(true));
    assert_eq!(invoice.file_name.as_deref(), Some("invoice.pdf"));
    assert_eq!(invoice.file_content_type.as_deref(), Some("application/pdf"));
    assert_eq!(verified.dedup_key(), Some(format!("invoice:{INVOICE_ID}")));

    // The whole body's checksum is not the signed one: a receiver hashing it would refuse all.
    let whole = headers(&[
        ("content-type", &format!("multipart/form-data; boundary={BOUNDARY}")),
        ("x-timestamp", &NOW_MS.to_string()),
        ("x-signature", &sign(SECRET, &NOW_MS.to_string(), "POST", PATH, &body)),
    ]);
    assert_eq!(verify(&whole, &body).unwrap_err(), VerifyError::SignatureMismatch);
    // One byte of the file changed.
    let mut changed = file.to_vec();
    changed[0] = b'#';
    let tampered = multipart_body(&changed, INVOICE_ID, "true");
    assert_eq!(verify(&sent, &tampered).unwrap_err(), VerifyError::ChecksumMismatch);
    let mut no_checksum = sent.clone();
    no_checksum.remove("x-checksum");
    assert_eq!(
        verify(&no_checksum, &tampered).unwrap_err(),
        VerifyError::SignatureMismatch
    );
    // Without a file there is nothing to check.
    let no_file = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"invoiceId\"\r\n\r\n{INVOICE_ID}\r\n--{BOUNDARY}--\r\n"
    );
    assert_eq!(verify(&sent, no_file.as_bytes()).unwrap_err(), VerifyError::MissingFile);
    assert!(matches!(
        verify(&sent, b"not multipart"),
        Err(VerifyError::MalformedMultipart(_))
    ));
}

#[test]
fn basic_auth_receivers_are_supported() {
    let verifier = WebhookVerifier::new(ReceiverAuth::basic("iopole", "a-strong-password-42").unwrap());
    let body = status_body(STATUS_ID, "APPROVED");
    let with = |value: &str| headers(&[("content-type", "application/json"), ("authorization", value)]);
    // base64("iopole:a-strong-password-42")
    let good = with("Basic aW9wb2xlOmEtc3Ryb25nLXBhc3N3b3JkLTQy");
    assert!(
        verifier
            .verify(&IncomingRequest::new("POST", PATH, &good, &body))
            .is_ok()
    );
    // base64("iopole:a-strong-password-43")
    let bad = with("Basic aW9wb2xlOmEtc3Ryb25nLXBhc3N3b3JkLTQz");
    assert_eq!(
        verifier
            .verify(&IncomingRequest::new("POST", PATH, &bad, &body))
            .unwrap_err(),
        VerifyError::CredentialsMismatch
    );
    let bearer = with("Bearer abc");
    assert_eq!(
        verifier
            .verify(&IncomingRequest::new("POST", PATH, &bearer, &body))
            .unwrap_err(),
        VerifyError::MalformedCredentials
    );
    let none = headers(&[("content-type", "application/json")]);
    assert_eq!(
        verifier
            .verify(&IncomingRequest::new("POST", PATH, &none, &body))
            .unwrap_err(),
        VerifyError::MissingHeader("Authorization")
    );
    assert!(ReceiverAuth::basic("iopole", "short").is_err());
}

#[test]
fn verify_http_takes_an_http_request() {
    let body = status_body(STATUS_ID, "APPROVED");
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("https://erp.example.com{PATH}"))
        .body(bytes::Bytes::from(body.clone()))
        .unwrap();
    *request.headers_mut() = signed_json(SECRET, &NOW_MS.to_string(), &body);
    assert!(verifier().verify_http(&request).is_ok());
    *request.uri_mut() = "/hooks/iopole?tenant=9".parse().unwrap();
    assert_eq!(
        verifier().verify_http(&request).unwrap_err(),
        VerifyError::SignatureMismatch
    );
}

#[test]
fn answers_are_2xx_empty_or_json_and_never_429() {
    for answer in [
        Answer::Accepted,
        Answer::Duplicate,
        Answer::Unauthorized,
        Answer::RetryLater,
    ] {
        let response = answer.into_response();
        assert_ne!(response.status(), 429);
        if answer.is_success() {
            assert_eq!(response.status(), 204);
            assert!(response.body().is_empty());
        } else {
            assert_eq!(response.headers()["content-type"], "application/json");
            serde_json::from_slice::<serde_json::Value>(response.body()).expect("JSON, not plain text");
        }
    }
    assert_eq!(Answer::Unauthorized.status(), 401);
    assert!(Answer::RetryLater.status().is_server_error());
}

#[test]
fn the_memory_store_claims_completes_releases_and_forgets_the_oldest() {
    let store = MemoryDedupStore::new(2);
    assert_eq!(store.claim("a"), Claim::New);
    assert_eq!(store.claim("a"), Claim::InFlight);
    store.release("a");
    assert_eq!(store.claim("a"), Claim::New);
    store.complete("a");
    assert_eq!(store.claim("a"), Claim::Done);
    for key in ["b", "c"] {
        assert_eq!(store.claim(key), Claim::New);
        store.complete(key);
    }
    assert_eq!(store.len(), 2);
    assert_eq!(store.claim("a"), Claim::New, "the oldest was forgotten");
}

/// A feed whose handler records what it got and fails while `failing` is set.
type Handled = Arc<Mutex<Vec<(Source, Uuid)>>>;
type Reply = std::future::Ready<Result<(), String>>;

fn recording_feed() -> (StatusFeed<impl Fn(FeedStatus) -> Reply>, Handled, Arc<Mutex<bool>>) {
    let handled = Arc::new(Mutex::new(Vec::new()));
    let failing = Arc::new(Mutex::new(false));
    let (seen, fail) = (handled.clone(), failing.clone());
    let feed = StatusFeed::new(move |status: FeedStatus| {
        if *fail.lock().unwrap() {
            return std::future::ready(Err("the ERP is down".to_string()));
        }
        seen.lock()
            .unwrap()
            .push((status.source, status.status.status_id().unwrap()));
        std::future::ready(Ok(()))
    });
    (feed, handled, failing)
}

fn delivery(status_id: &str, idempotency_key: &str) -> VerifiedDelivery {
    let body = status_body(status_id, "APPROVED");
    let mut sent = signed_json(SECRET, &NOW_MS.to_string(), &body);
    sent.insert("x-idempotency-key", HeaderValue::from_str(idempotency_key).unwrap());
    verify(&sent, &body).unwrap()
}

#[tokio::test]
async fn a_redelivery_is_handled_once_and_a_failing_handler_loses_nothing() {
    let (feed, handled, failing) = recording_feed();
    *failing.lock().unwrap() = true;
    let outcome = feed.push(delivery(STATUS_ID, "k1")).await;
    assert!(matches!(outcome, PushOutcome::Failed { .. }));
    assert_eq!(outcome.answer(), Answer::RetryLater);
    *failing.lock().unwrap() = false;
    let outcome = feed.push(delivery(STATUS_ID, "k1")).await;
    assert!(matches!(outcome, PushOutcome::Handled(_)), "{outcome:?}");
    assert_eq!(outcome.answer(), Answer::Accepted);
    let summary = outcome.summary().unwrap();
    assert_eq!(summary.code.as_deref(), Some("APPROVED"));
    assert_eq!(summary.invoice_id, Some(INVOICE_ID.parse().unwrap()));
    // The same content again, and the same status under another idempotency key.
    for key in ["k1", "k2"] {
        let outcome = feed.push(delivery(STATUS_ID, key)).await;
        assert!(matches!(outcome, PushOutcome::Duplicate(_)), "{key}: {outcome:?}");
        assert_eq!(outcome.answer(), Answer::Duplicate);
    }
    assert_eq!(handled.lock().unwrap().len(), 1);
}

fn not_seen_body(status_ids: &[&str]) -> String {
    let items: Vec<_> = status_ids
        .iter()
        .map(|id| history_item(id, INVOICE_ID, "APPROVED"))
        .collect();
    serde_json::json!([{"invoiceId": INVOICE_ID, "newStatus": items}]).to_string()
}

#[tokio::test]
async fn push_and_pull_overlap_is_absorbed_each_status_handled_once_and_marked_seen() {
    const PULLED: &str = "00000000-0000-4000-8000-000000000002";
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(200)
                .header("content-type", "application/json")
                .body(not_seen_body(&[STATUS_ID, PULLED]));
        })
        .await;
    let marked = server
        .mock_async(|when, then| {
            when.method(PUT).path_includes("/markAsSeen");
            then.status(204);
        })
        .await;
    let client = bearer_client(&server);
    let (feed, handled, _) = recording_feed();

    // STATUS_ID came by push first.
    assert!(matches!(
        feed.push(delivery(STATUS_ID, "k1")).await,
        PushOutcome::Handled(_)
    ));
    let report = feed.pull(&client).await.expect("drains");
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.handled.len(), 2, "both marked seen");
    marked.assert_calls_async(2).await;
    // Then PULLED comes by push: a duplicate.
    assert!(matches!(
        feed.push(delivery(PULLED, "k9")).await,
        PushOutcome::Duplicate(_)
    ));
    let handled = handled.lock().unwrap().clone();
    assert_eq!(
        handled,
        vec![
            (Source::Push, STATUS_ID.parse().unwrap()),
            (Source::Pull, PULLED.parse().unwrap())
        ]
    );
}

#[tokio::test]
async fn a_pulled_status_whose_handler_fails_is_not_marked_seen() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/invoice/status/notSeen");
            then.status(200)
                .header("content-type", "application/json")
                .body(not_seen_body(&[STATUS_ID]));
        })
        .await;
    let marked = server
        .mock_async(|when, then| {
            when.method(PUT).path_includes("/markAsSeen");
            then.status(204);
        })
        .await;
    let client = bearer_client(&server);
    let (feed, handled, failing) = recording_feed();
    *failing.lock().unwrap() = true;
    let report = feed.pull(&client).await.expect("drains");
    assert!(matches!(report.failed.as_slice(), [failure] if matches!(failure.error, FeedError::Handler(_))));
    marked.assert_calls_async(0).await;
    *failing.lock().unwrap() = false;
    // The next delivery (push or pull) is handled.
    assert!(matches!(
        feed.push(delivery(STATUS_ID, "k1")).await,
        PushOutcome::Handled(_)
    ));
    assert_eq!(handled.lock().unwrap().len(), 1);
    let report = feed.pull(&client).await.expect("drains");
    assert_eq!(report.handled.len(), 1, "marked seen, not handled again");
    assert_eq!(handled.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_undecodable_pushed_status_still_reaches_the_handler_once() {
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    let feed = StatusFeed::new(move |status: FeedStatus| {
        seen.lock().unwrap().push(status.status);
        std::future::ready(Ok::<(), Infallible>(()))
    });
    let body = format!(r#"{{"statusId":"{STATUS_ID}","status":{{"code":"REJECTED"}}}}"#).into_bytes();
    let sent = signed_json(SECRET, &NOW_MS.to_string(), &body);
    let outcome = feed.push(verify(&sent, &body).unwrap()).await;
    let PushOutcome::Handled(summary) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(summary.code.as_deref(), Some("REJECTED"));
    assert!(matches!(
        feed.push(verify(&sent, &body).unwrap()).await,
        PushOutcome::Duplicate(_)
    ));
    assert!(matches!(got.lock().unwrap().as_slice(), [NotSeenStatus::Undecodable(s)] if s.status_id.is_some()));
}

#[allow(dead_code)]
#[path = "../examples/webhook_receiver.rs"]
mod receiver;

#[tokio::test]
async fn the_receiver_example_answers_a_signed_delivery_on_a_loopback_port() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let printed = lines.clone();
    // The real clock: sign with the current time.
    let verifier = WebhookVerifier::new(ReceiverAuth::hmac(SECRET).unwrap());
    let server = tokio::spawn(receiver::serve(listener, verifier, move |line| {
        printed.lock().unwrap().push(line)
    }));
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>, tamper: bool| {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            .to_string();
        let signature = sign(SECRET, &now, "POST", "/any/path?x=1", &body);
        let body = if tamper {
            body.iter().map(|b| if *b == b'A' { b'B' } else { *b }).collect()
        } else {
            body
        };
        http.post(format!("http://{address}/any/path?x=1"))
            .header("content-type", "application/json")
            .header("x-timestamp", now)
            .header("x-signature", signature)
            .header("x-idempotency-key", "idem-42")
            .body(body)
            .send()
    };
    let body = status_body(STATUS_ID, "APPROVED");
    let first = post(body.clone(), false).await.unwrap();
    assert_eq!(first.status(), 204);
    assert!(first.bytes().await.unwrap().is_empty());
    let tampered = post(body.clone(), true).await.unwrap();
    assert_eq!(tampered.status(), 401);
    assert_eq!(tampered.headers()["content-type"], "application/json");
    let again = post(body, false).await.unwrap();
    assert_eq!(again.status(), 204);
    let lines = lines.lock().unwrap().clone();
    let lines: Vec<serde_json::Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"statusId": STATUS_ID, "invoiceId": INVOICE_ID, "code": "APPROVED", "duplicate": false}),
            serde_json::json!({"statusId": STATUS_ID, "invoiceId": INVOICE_ID, "code": "APPROVED", "duplicate": true}),
        ]
    );
    server.abort();
}
