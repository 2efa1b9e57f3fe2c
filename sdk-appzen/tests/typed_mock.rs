//! The typed httpmock helpers of the `mock` feature, driven through the client.

mod common;

use httpmock::MockServer;
use sdk_appzen::mock::MockServerExt;
use sdk_appzen::types::{AppzenError, AppzenErrorStatus, StatusSyncRequest};
use sdk_appzen::{ErrorDetails, ErrorKind, StatusSync};

use common::*;

#[tokio::test]
async fn typed_mock_matches_the_uuid_and_the_body() {
    let server = MockServer::start_async().await;
    let sync = StatusSync::error(ErrorDetails::new("Supplier 10042 is not active in the ERP").status("400"));
    let expected = StatusSyncRequest::try_from(sync.clone()).unwrap();
    let mock = server.status_sync(|when, then| {
        when.uuid(&uuid()).body(&expected);
        then.ok().into_inner().header("x-correlation-id", CORRELATION_ID);
    });

    let receipt = client(&server).status_sync(uuid(), sync).await.unwrap();
    mock.assert_async().await;
    assert_eq!(receipt.request_id(), Some(CORRELATION_ID));

    // Another body does not match the mock.
    let other = client(&server)
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    assert_eq!(other.kind(), ErrorKind::Api);
    assert_eq!(
        other.status().map(|s| s.as_u16()),
        Some(404),
        "httpmock answers 404 when nothing matches"
    );
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn typed_mock_error_answers_decode_into_the_typed_error() {
    let server = MockServer::start_async().await;
    let seed: AppzenError = serde_json::from_str(SEED_404).unwrap();
    let mock = server.status_sync(|when, then| {
        when.uuid(&uuid());
        then.not_found(&seed);
    });

    let error = client(&server)
        .status_sync(uuid(), StatusSync::created("INV-1", "POSTED"))
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.body(), Some(&seed));
    assert_eq!(
        error.body().and_then(|b| b.status.clone()),
        Some(AppzenErrorStatus::Int32(404))
    );
    let raw: serde_json::Value = serde_json::from_str(error.raw_body().unwrap()).unwrap();
    assert_eq!(raw, serde_json::from_str::<serde_json::Value>(SEED_404).unwrap());
}

fn audit_results(status: &str, risk: &str) -> sdk_appzen::types::InvoiceAuditResults {
    serde_json::from_value(serde_json::json!({
        "audit_results": {
            "rules": [{"rule_code": "duplicate_invoice_amount", "risk_message": "Possible duplicate", "risk_results": {"risk_level": risk}}],
            "risk_level": risk,
            "status": status
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn typed_mocks_answer_the_audit_results_by_uuid_and_by_lookup() {
    use sdk_appzen::AuditLookup;
    use sdk_appzen::types::{AuditStatus, RiskLevel};

    let server = MockServer::start_async().await;
    let by_uuid = server.get_audit_results(|when, then| {
        when.uuid(&uuid());
        then.ok(&audit_results("Rejected", "HIGH"));
    });
    let by_pair = server.find_audit_results(|when, then| {
        when.supplier_id("7082403").invoice_number("MHEIN00051739");
        then.ok(&vec![sdk_appzen::Tolerant::Decoded(audit_results("Approved", "LOW"))]);
    });
    let client = client(&server);

    let verdict = client.audit_results(uuid()).await.unwrap().value.unwrap();
    by_uuid.assert_async().await;
    assert_eq!(verdict.status, Some(AuditStatus::Rejected));
    assert_eq!(verdict.risk_level, Some(RiskLevel::High));
    assert!(verdict.is_rejected() && !verdict.is_approved());
    assert_eq!(verdict.flagged_rules().count(), 1);

    let found = client
        .find_audit_results(&AuditLookup::supplier_invoice("7082403", "MHEIN00051739"))
        .await
        .unwrap()
        .value;
    by_pair.assert_async().await;
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .decoded()
            .is_some_and(|r| r.is_approved() && r.flagged_rules().count() == 0)
    );
}

#[tokio::test]
async fn typed_mock_answers_the_invoice_search_matching_its_body() {
    use chrono::{TimeZone, Utc};
    use sdk_appzen::types::{AppzenInvoiceStatus, InvoiceSearchRequest, InvoiceSearchResult};

    let server = MockServer::start_async().await;
    let from = Utc.with_ymd_and_hms(2021, 6, 16, 18, 0, 0).unwrap();
    let mut request = InvoiceSearchRequest::window(from, from + chrono::Duration::hours(1));
    request.appzen_invoice_status = Some(AppzenInvoiceStatus::Rejected);
    let result: InvoiceSearchResult = serde_json::from_value(serde_json::json!({
        "erp-invoice-id": "11069-Visit",
        "erp-invoice-status": "Ready for Review",
        "appzen-uuid": "57187384-2f9d-4f82-acac-555a264ba968",
        "appzen-invoice-status": "REJECTED",
        "last-appzen-update-time": "2021-06-16T18:53:38.603Z"
    }))
    .unwrap();
    let mock = server.search_invoices(|when, then| {
        when.body(&request);
        then.ok(&vec![sdk_appzen::Tolerant::Decoded(result.clone())]);
    });

    let found = client(&server).search_invoices(request.clone()).await.unwrap().value;
    mock.assert_async().await;
    assert_eq!(found, [sdk_appzen::Tolerant::Decoded(result)]);
}
