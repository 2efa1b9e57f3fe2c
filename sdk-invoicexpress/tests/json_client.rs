//! The JSON API client against an httpmock server on loopback.

mod common;

use chrono::NaiveDate;
use common::{
    CANARY, SEED_002_REQUEST, SEED_002_RESPONSE, answer_every_request, assert_api_error, assert_debug_hides_the_key,
    assert_no_canary, assert_refused_locally, assert_retried_503, assert_unauthorized_hides_the_key, json_client,
    json_client_with, no_retries,
};
use httpmock::prelude::*;
use sdk_invoicexpress::types::{self, DocumentStatus, SequenceId};
use sdk_invoicexpress::{
    Account, ApiError, Atcud, ConfigError, DocumentFilter, DocumentKind, ErrorExt, ErrorKind, InvoiceXpressClient,
    StateChange,
};
use serde_json::{Value, json};

fn change_path(kind: DocumentKind, id: i64) -> String {
    format!("/{kind}/{id}/change-state.json")
}

#[tokio::test]
async fn finalize_sends_the_documented_request_and_decodes_the_seed_response() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/invoices/123456789/change-state.json")
                .query_param("api_key", CANARY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .header_prefix("user-agent", "sdk-invoicexpress/")
                // progenitor's undocumented `api-version` header is not generated.
                .header_missing("api-version")
                .json_body(json!({"invoice": {"state": "finalized"}}));
            then.status(200)
                .header("content-type", "application/json")
                .body(SEED_002_RESPONSE);
        })
        .await;
    let client = json_client(&server.base_url());

    let reply = client
        .change_state(
            DocumentKind::Invoices,
            123456789,
            &StateChange::Finalize,
            Some(&DocumentStatus::Draft),
        )
        .await
        .expect("finalized");
    mock.assert_calls_async(1).await;

    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.value.expected_status(), Some(&DocumentStatus::Final));
    let doc = reply
        .value
        .document
        .as_ref()
        .expect("the seed example carries the document");
    assert_eq!(reply.value.status(), Some(&DocumentStatus::Final));
    assert_eq!(doc.id, 123456789);
    assert_eq!(doc.status, Some(DocumentStatus::Final));
    assert_eq!(doc.kind(), Some(DocumentKind::Invoices));
    assert_eq!(doc.type_.as_deref(), Some("Invoice"));
    assert_eq!(doc.sequence_number.as_deref(), Some("5/A"));
    assert_eq!(doc.atcud_status(), Some(Atcud::Code("ABCD1234-5")));
    assert_eq!(doc.sequence_id.as_ref().and_then(SequenceId::as_i64), Some(987654321));
    let day = NaiveDate::from_ymd_opt(2022, 11, 14);
    assert_eq!(doc.parsed_date(), Ok(day));
    assert_eq!(doc.parsed_due_date(), Ok(day));
    let totals = doc.totals();
    let numbers = [
        totals.sum,
        totals.discount,
        totals.before_taxes,
        totals.taxes,
        totals.total,
    ]
    .map(|amount| amount.and_then(types::DecimalValue::as_f64));
    assert_eq!(numbers, [Some(2.02), Some(0.0), Some(2.02), Some(0.47), Some(2.49)]);
    assert_eq!(
        doc.total,
        Some(types::DecimalValue::Number(2.49)),
        "a number in the docs' shape"
    );
    assert_eq!(doc.currency, Some(types::Currency::String("Euro".into())));
    assert_eq!((doc.currency_name(), doc.currency_code()), (Some("Euro"), Some("EUR")));
    assert!(
        doc.extra.is_empty(),
        "the docs' shape has no field the spec does not name"
    );
    assert_eq!(
        (
            doc.reference.as_deref(),
            doc.observations.as_deref(),
            doc.retention.as_ref()
        ),
        (None, None, None)
    );
    let client_summary = doc.client.as_ref().expect("client");
    assert_eq!(
        (client_summary.id, client_summary.name.as_deref()),
        (Some(51452363), Some("Gabriel Cunha"))
    );
    let item = &doc.items[0];
    assert_eq!(
        item.unit_price.as_ref().and_then(types::DecimalValue::as_f64),
        Some(2.0244)
    );
    assert_eq!(
        item.unit_price.as_ref().map(ToString::to_string).as_deref(),
        Some("2.0244")
    );
    assert_eq!(item.quantity.as_ref().and_then(types::DecimalValue::as_f64), Some(1.0));
    assert_eq!(item.tax.as_ref().and_then(|tax| tax.value), Some(23.0));
    assert_eq!(item.unit, None);
}

#[test]
fn seed_002_request_example_round_trips() {
    let request: types::ChangeStateRequest = serde_json::from_str(SEED_002_REQUEST).expect("decodes");
    let change = request.invoice.as_ref().expect("the invoice family's key");
    assert_eq!(change.state, types::StateChangeKind::Finalized);
    assert_eq!(change.message.as_deref(), Some("Wrong invoice totals."));
    let original: Value = serde_json::from_str(SEED_002_REQUEST).expect("JSON");
    assert_eq!(serde_json::to_value(&request).expect("encodes"), original);
}

#[test]
fn seed_002_response_example_round_trips() {
    fn without_nulls(value: Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, without_nulls(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
            other => other,
        }
    }
    let response: types::DocumentResponse = serde_json::from_str(SEED_002_RESPONSE).expect("decodes");
    let original: Value = serde_json::from_str(SEED_002_RESPONSE).expect("JSON");
    // Absent and null are the same to the typed document; everything else survives.
    assert_eq!(
        serde_json::to_value(&response).expect("encodes"),
        without_nulls(original)
    );
}

#[tokio::test]
async fn cancel_sends_the_reason_as_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/credit_notes/9/change-state.json")
                .query_param("api_key", CANARY)
                .json_body(json!({"invoice": {"state": "canceled", "message": "Wrong invoice totals."}}));
            then.status(200);
        })
        .await;
    let client = json_client(&server.base_url());
    let cancel = StateChange::cancel("Wrong invoice totals.").expect("reason");
    let reply = client
        .change_state(DocumentKind::CreditNotes, 9, &cancel, Some(&DocumentStatus::Final))
        .await
        .expect("canceled");
    mock.assert_calls_async(1).await;
    assert_eq!(reply.value.document, None);
    assert_eq!(reply.value.status(), Some(&DocumentStatus::Canceled));
}

#[tokio::test]
async fn an_empty_200_is_success_without_a_document() {
    for body in ["", "  \n"] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(PUT).path("/debit_notes/5/change-state.json");
                then.status(200).body(body);
            })
            .await;
        let client = json_client(&server.base_url());
        let reply = client
            .change_state(DocumentKind::DebitNotes, 5, &StateChange::Settle, None)
            .await
            .unwrap_or_else(|error| panic!("body {body:?}: {error:?}"));
        assert_eq!(reply.value.document, None, "body {body:?}");
        assert_eq!(reply.value.transition, None, "no status given, no table row");
        assert_eq!(reply.value.status(), None);
    }
}

#[tokio::test]
async fn every_per_type_wrapper_decodes() {
    let server = MockServer::start_async().await;
    for (index, kind) in DocumentKind::ALL.into_iter().enumerate() {
        let id = 100 + index as i64;
        let class = kind.class_name();
        let body = json!({ kind.wrapper_key(): {"id": id, "status": "settled", "type": class} });
        server
            .mock_async(|when, then| {
                when.method(PUT).path(change_path(kind, id));
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(body.clone());
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("/{kind}/{id}.json"))
                    .query_param("api_key", CANARY);
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(body);
            })
            .await;
    }
    let client = json_client(&server.base_url());
    for (index, kind) in DocumentKind::ALL.into_iter().enumerate() {
        let id = 100 + index as i64;
        let changed = client
            .change_state(kind, id, &StateChange::Settle, None)
            .await
            .expect("settled");
        let doc = changed
            .value
            .document
            .unwrap_or_else(|| panic!("{kind}: the wrapper {} decodes", kind.wrapper_key()));
        assert_eq!(
            (doc.id, doc.kind(), doc.status),
            (id, Some(kind), Some(DocumentStatus::Settled)),
            "{kind}"
        );
        let read = client.get_document(kind, id).await.expect("read");
        assert_eq!(read.value.id, id, "{kind}");
    }
}

#[tokio::test]
async fn lenient_documents_decode() {
    let server = MockServer::start_async().await;
    let body = json!({"invoice": {
        "id": 1,
        "status": "archived_by_robot",
        "sequence_id": "987654321",
        "date": "31/02/2022",
        "retention": "10.5",
        "client": null,
        "brand_new_field": {"nested": [1, 2]},
        "items": [{"unit_price": 2.5, "quantity": 3, "tax": null, "unit": null, "extra": true}]
    }});
    server
        .mock_async(|when, then| {
            when.method(GET).path("/invoices/1.json");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await;
    let with_nulls = r#"{"invoice":{"id":2,"items":null,"sum":null}}"#;
    for (method, path) in [(GET, "/invoices/2.json"), (PUT, "/invoices/2/change-state.json")] {
        server
            .mock_async(|when, then| {
                when.method(method).path(path);
                then.status(200)
                    .header("content-type", "application/json")
                    .body(with_nulls);
            })
            .await;
    }
    let client = json_client(&server.base_url());

    let doc = client
        .get_document(DocumentKind::Invoices, 1)
        .await
        .expect("decodes")
        .value;
    assert_eq!(doc.status, Some(DocumentStatus::Unknown("archived_by_robot".into())));
    assert_eq!(doc.sequence_id.as_ref().and_then(SequenceId::as_i64), Some(987654321));
    assert!(
        doc.parsed_date().is_err(),
        "31/02 is not a date, and that is an error, not a panic"
    );
    assert_eq!(doc.retention.as_ref().and_then(types::DecimalValue::as_f64), Some(10.5));
    assert_eq!(doc.items[0].unit_price, Some(types::DecimalValue::Number(2.5)));
    assert_eq!(
        doc.items[0].quantity.as_ref().and_then(types::DecimalValue::as_f64),
        Some(3.0)
    );

    // `items: null` fails the generated type's strict decoding; the runtime decodes the body again
    // without its nulls, for reads and state changes alike.
    let doc = client
        .get_document(DocumentKind::Invoices, 2)
        .await
        .expect("null items tolerated")
        .value;
    assert_eq!((doc.id, doc.items.len(), doc.sum), (2, 0, None));
    let changed = client
        .change_state(DocumentKind::Invoices, 2, &StateChange::Settle, None)
        .await
        .expect("null items tolerated")
        .value
        .document
        .expect("the document");
    assert_eq!((changed.id, changed.items.len(), changed.sum), (2, 0, None));
}

#[tokio::test]
async fn a_200_without_a_document_or_with_garbage_is_a_decode_error() {
    let server = MockServer::start_async().await;
    for (id, body) in [
        (1, "{}"),
        (2, r#"{"order":{"id":2}}"#),
        (3, "<html>maintenance</html>"),
        (4, r#"{"invoice":{"status":"final"}}"#),
    ] {
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("/invoices/{id}.json"));
                then.status(200).header("content-type", "application/json").body(body);
            })
            .await;
    }
    let client = json_client(&server.base_url());
    for id in 1..=4 {
        let error = client
            .get_document(DocumentKind::Invoices, id)
            .await
            .expect_err("no document");
        assert_eq!(error.kind(), ErrorKind::Decode, "{id}: {error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(200), "{id}");
        assert!(error.raw_body().is_some(), "{id}");
        assert_eq!(error.operation_id(), "getDocument");
    }
}

#[tokio::test]
async fn error_statuses_are_typed_and_every_error_shape_gives_messages() {
    let cases: &[(u16, &str, ApiError, &[&str])] = &[
        (401, "", ApiError::Unauthorized, &[]),
        (404, "", ApiError::NotFound, &[]),
        (
            406,
            r#"{"errors":[{"error":"The document is in an invalid state."}]}"#,
            ApiError::NotAcceptable,
            &["The document is in an invalid state."],
        ),
        (
            422,
            r#"{"errors":[{"error":"Invalid state"}]}"#,
            ApiError::UnprocessableEntity,
            &["Invalid state"],
        ),
        (
            422,
            r#"{"errors":[{"error":["Cancel message can't be blank"]}]}"#,
            ApiError::UnprocessableEntity,
            &["Cancel message can't be blank"],
        ),
        (
            422,
            r#"{"errors":{"error":"Invalid state"}}"#,
            ApiError::UnprocessableEntity,
            &["Invalid state"],
        ),
        (
            422,
            r#"{"errors":["Invalid state"]}"#,
            ApiError::UnprocessableEntity,
            &["Invalid state"],
        ),
        (
            422,
            r#"{"errors":{"date":["is required"]}}"#,
            ApiError::UnprocessableEntity,
            &["date: is required"],
        ),
        (
            401,
            r#"{"error":"Unauthorized"}"#,
            ApiError::Unauthorized,
            &["Unauthorized"],
        ),
    ];
    for (index, (status, body, api_error, messages)) in cases.iter().enumerate() {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(PUT).path("/invoices/1/change-state.json");
                then.status(*status)
                    .header("content-type", "application/json")
                    .body(*body);
            })
            .await;
        let client = json_client(&server.base_url());
        let error = client
            .change_state(DocumentKind::Invoices, 1, &StateChange::Finalize, None)
            .await
            .expect_err("an error status");
        let case = format!("case {index} (HTTP {status} {body})");
        mock.assert_calls_async(1).await;
        assert_api_error(&error, *status, *api_error, messages, body, &case);
        assert_eq!(error.operation_id(), "changeDocumentState");
        assert!(!error.is_retryable(), "{case}");
    }
}

#[tokio::test]
async fn a_refused_transition_sends_nothing() {
    let server = MockServer::start_async().await;
    let mock = answer_every_request(&server).await;
    let client = json_client(&server.base_url());
    let error = client
        .change_state(
            DocumentKind::CreditNotes,
            1,
            &StateChange::Settle,
            Some(&DocumentStatus::Draft),
        )
        .await
        .expect_err("draft credit notes cannot be settled");
    let refused = assert_refused_locally(
        &error,
        DocumentKind::CreditNotes,
        &DocumentStatus::Draft,
        &["finalized", "deleted"],
    );
    assert_eq!(refused.change, types::StateChangeKind::Settled);
    let text = error.to_string();
    assert!(
        text.contains("credit_notes")
            && text.contains("draft")
            && text.contains("settled")
            && text.contains("finalized"),
        "{text}"
    );

    // Second copies are not in seed 002's table at all.
    let error = client
        .change_state(
            DocumentKind::Invoices,
            1,
            &StateChange::SecondCopy,
            Some(&DocumentStatus::Final),
        )
        .await
        .expect_err("no second copy in the JSON table");
    assert!(error.transition_refused().is_some());
    mock.assert_calls_async(0).await;
}

#[tokio::test]
async fn without_a_status_the_server_decides() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/credit_notes/1/change-state.json")
                .json_body(json!({"invoice": {"state": "settled"}}));
            then.status(422)
                .header("content-type", "application/json")
                .body(r#"{"errors":[{"error":"Invalid state"}]}"#);
        })
        .await;
    let client = json_client(&server.base_url());
    let error = client
        .change_state(DocumentKind::CreditNotes, 1, &StateChange::Settle, None)
        .await
        .expect_err("the server refuses");
    mock.assert_calls_async(1).await;
    assert_eq!(error.transition_refused(), None);
    assert_eq!(error.messages(), ["Invalid state"]);
}

#[tokio::test]
async fn retries_and_their_count_come_from_the_runtime() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            // Every attempt must be the whole request again (it is built again, not copied).
            when.method(PUT)
                .path("/invoices/1/change-state.json")
                .query_param("api_key", CANARY)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .body_includes("\"state\":\"finalized\"");
            then.status(503);
        })
        .await;
    let client = json_client(&server.base_url());
    let error = client
        .change_state(DocumentKind::Invoices, 1, &StateChange::Finalize, None)
        .await
        .expect_err("503");
    assert_retried_503(&error, &mock).await;

    // A listing page too, with its whole query.
    let pages = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/invoices.json")
                .query_param("api_key", CANARY)
                .query_param("status[]", "final")
                .query_param("page", "2")
                .query_param("per_page", "50")
                .header("accept", "application/json");
            then.status(503);
        })
        .await;
    let filter = DocumentFilter::new().status(DocumentStatus::Final).per_page(50);
    let error = client.list_documents_page(&filter, 2).await.expect_err("503");
    assert_retried_503(&error, &pages).await;

    let once = json_client_with(&server.base_url(), no_retries());
    let error = once
        .change_state(DocumentKind::Invoices, 1, &StateChange::Finalize, None)
        .await
        .expect_err("503");
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn the_api_key_never_shows() {
    let server = MockServer::start_async().await;
    let echo = format!(r#"{{"errors":["api_key {CANARY} is not valid"]}}"#);
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT).query_param("api_key", CANARY);
            then.status(401).header("content-type", "application/json").body(echo);
        })
        .await;
    let client = json_client(&server.base_url());
    assert_debug_hides_the_key(
        &client,
        &InvoiceXpressClient::builder(Account::name("acme")).api_key(CANARY),
    );

    let unauthorized = client
        .change_state(DocumentKind::Invoices, 1, &StateChange::Finalize, None)
        .await
        .expect_err("401");
    mock.assert_calls_async(1).await;
    assert_unauthorized_hides_the_key(&unauthorized);

    let refused = client
        .change_state(
            DocumentKind::Invoices,
            1,
            &StateChange::Unsettle,
            Some(&DocumentStatus::Final),
        )
        .await
        .expect_err("refused");
    assert_no_canary("refused", &refused);

    // Nothing listens on this port: a connection error, whose reqwest text would carry the URL.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let offline = json_client_with(&format!("http://127.0.0.1:{port}"), no_retries());
    let unreachable = offline
        .get_document(DocumentKind::Invoices, 1)
        .await
        .expect_err("nothing listens");
    assert_eq!(unreachable.kind(), ErrorKind::Connect, "{unreachable:?}");
    assert_no_canary("connect error", &unreachable);
}

#[test]
fn configuration_is_validated_without_showing_values() {
    let swapped = InvoiceXpressClient::builder(Account::name(format!("{CANARY}.x")))
        .api_key("acme")
        .build()
        .expect_err("a key is no account name");
    assert!(matches!(swapped, ConfigError::InvalidName { .. }));
    assert_no_canary("config error", &swapped);
    assert_eq!(
        InvoiceXpressClient::builder(Account::name("acme"))
            .api_key("  ")
            .build()
            .expect_err("blank key"),
        ConfigError::InvalidCredential {
            name: "api_key".into(),
            reason: "is empty"
        }
    );
    let insecure = InvoiceXpressClient::builder(Account::custom("http://example.com"))
        .api_key(CANARY)
        .build();
    assert!(matches!(insecure, Err(ConfigError::InvalidUrl { .. })));
    let client = InvoiceXpressClient::builder(Account::name("Acme-Lda"))
        .api_key(CANARY)
        .build()
        .expect("valid");
    assert_eq!(client.base_url(), "https://acme-lda.app.invoicexpress.com");
    assert_eq!(client.runtime().provider().name, "invoicexpress");
}

#[test]
fn clients_errors_and_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<InvoiceXpressClient>();
    send_sync::<sdk_invoicexpress::legacy::LegacyClient>();
    send_sync::<sdk_invoicexpress::Error>();
    send_sync::<sdk_invoicexpress::legacy::Error>();
    let client = InvoiceXpressClient::builder(Account::name("acme"))
        .api_key(CANARY)
        .build()
        .expect("valid");
    send(&client.change_state(DocumentKind::Invoices, 1, &StateChange::Finalize, None));
    send(&client.get_document(DocumentKind::Invoices, 1));
    let legacy = sdk_invoicexpress::legacy::LegacyClient::builder(Account::name("acme"))
        .api_key(CANARY)
        .build()
        .expect("valid");
    send(&legacy.change_state(DocumentKind::DebitNotes, 1, &StateChange::Finalize, None));
}
