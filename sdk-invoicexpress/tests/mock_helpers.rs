//! The typed httpmock helpers re-exported under the `mock` feature, driving the facade.

#![cfg(feature = "mock")]

mod common;

use common::json_client;
use httpmock::MockServer;
use sdk_invoicexpress::mock::MockServerExt;
use sdk_invoicexpress::types::{
    ChangeStateRequest, Document, DocumentResponse, DocumentStatus, DocumentType, ErrorResponse,
    StateChange as WireChange, StateChangeKind,
};
use sdk_invoicexpress::{DocumentKind, ErrorExt, StateChange};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn typed_mocks_serve_the_facade() {
    // httpmock's blocking API must not run inside an async runtime: set up first, then run.
    let server = MockServer::start();
    let document: Document =
        serde_json::from_value(serde_json::json!({"id": 31, "status": "settled"})).expect("document");
    let settled = server.change_document_state(|when, then| {
        when.document_type(&DocumentType::InvoiceReceipts)
            .document_id(31)
            .body(&ChangeStateRequest {
                invoice: Some(WireChange {
                    state: StateChangeKind::Finalized,
                    message: None,
                }),
                ..ChangeStateRequest::default()
            });
        then.ok(&DocumentResponse {
            invoice_receipt: Some(document),
            ..DocumentResponse::default()
        });
    });
    let refused = server.change_document_state(|when, then| {
        when.document_type(&DocumentType::Invoices).document_id(32);
        then.unprocessable_entity(&ErrorResponse {
            errors: Some(serde_json::json!([{"error": "Invalid state"}])),
        });
    });
    let client = json_client(&server.base_url());

    runtime().block_on(async {
        let reply = client
            .change_state(
                DocumentKind::InvoiceReceipts,
                31,
                &StateChange::Finalize,
                Some(&DocumentStatus::Draft),
            )
            .await
            .expect("finalized");
        // An invoice receipt is settled by finalizing it (seed 002's specific row).
        assert_eq!(reply.value.expected_status(), Some(&DocumentStatus::Settled));
        assert_eq!(
            reply.value.document.map(|d| (d.id, d.status)),
            Some((31, Some(DocumentStatus::Settled)))
        );

        let error = client
            .change_state(DocumentKind::Invoices, 32, &StateChange::Settle, None)
            .await
            .expect_err("422");
        assert_eq!(error.messages(), ["Invalid state"]);
    });
    settled.assert_calls(1);
    refused.assert_calls(1);
}
