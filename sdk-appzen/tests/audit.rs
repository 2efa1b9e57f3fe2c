//! Audit results: the lookups refused locally (nothing sent), what each form sends, and the
//! lenient decoding of what comes back.

mod common;

use httpmock::MockServer;
use sdk_appzen::{AuditLookup, ErrorKind, InvalidLookup, Tolerant, Uuid};

use common::*;

const FIND_PATH: &str = "/dictionary-data-services/invoice/audit-results";

#[tokio::test]
async fn an_invalid_lookup_is_refused_with_no_request_sent() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).body("[]");
        })
        .await;
    let client = client(&server);

    // Half a pair cannot be built from parts ...
    assert_eq!(
        AuditLookup::from_parts(None, None, Some("7082403"), None),
        Err(InvalidLookup::SupplierWithoutInvoiceNumber)
    );
    assert_eq!(
        AuditLookup::from_parts(None, None, Some(" "), Some("MHEIN00051739")),
        Err(InvalidLookup::InvoiceNumberWithoutSupplier)
    );
    assert_eq!(
        AuditLookup::from_parts(None, None, None, None),
        Err(InvalidLookup::NoCriterion)
    );
    assert_eq!(
        AuditLookup::from_parts(Some(uuid()), Some("77887788"), None, None),
        Err(InvalidLookup::SeveralForms)
    );

    // ... and a pair with a blank half, a blank id or the nil uuid is refused by the call.
    let cases = [
        (
            AuditLookup::supplier_invoice("7082403", ""),
            InvalidLookup::Empty {
                field: "invoice-number",
            },
        ),
        (
            AuditLookup::supplier_invoice(" ", "MHEIN00051739"),
            InvalidLookup::Empty { field: "supplier-id" },
        ),
        (
            AuditLookup::invoice_id("\t"),
            InvalidLookup::Empty { field: "invoice-id" },
        ),
        (AuditLookup::uuid(Uuid::nil()), InvalidLookup::NilUuid),
    ];
    for (lookup, reason) in cases {
        let error = client.find_audit_results(&lookup).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{lookup:?}");
        assert_eq!(error.attempts(), 0);
        let source = std::error::Error::source(&error).and_then(|s| s.downcast_ref::<InvalidLookup>());
        assert_eq!(source, Some(&reason));
    }
    let error = client.audit_results(Uuid::nil()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);

    assert_eq!(any.calls_async().await, 0, "nothing reached AppZen");
}

#[tokio::test]
async fn each_lookup_form_sends_its_parameters_and_only_them() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    let forms = [
        (AuditLookup::uuid(uuid()), vec![("uuid", UUID)]),
        (AuditLookup::invoice_id("77887788"), vec![("invoice-id", "77887788")]),
        (
            AuditLookup::supplier_invoice("7082403", "MHEIN 00051739"),
            vec![("supplier-id", "7082403"), ("invoice-number", "MHEIN 00051739")],
        ),
    ];
    for (lookup, params) in forms {
        let mock = server
            .mock_async(|when, then| {
                let mut when = when.path(FIND_PATH);
                for name in ["uuid", "invoice-id", "supplier-id", "invoice-number"] {
                    when = match params.iter().find(|(n, _)| *n == name) {
                        Some((_, value)) => when.query_param(name, *value),
                        None => when.query_param_missing(name),
                    };
                }
                then.status(200).header("content-type", "application/json").body("[]");
            })
            .await;
        let found = client.find_audit_results(&lookup).await.unwrap().value;
        assert!(found.is_empty());
        mock.assert_async().await;
        mock.delete_async().await;
    }
}

#[tokio::test]
async fn audit_results_decode_leniently() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path(format!("/dictionary-data-services/invoice/{UUID}/audit-results"));
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"audit_results": {"risk_level": "NONE_RISK", "status": "APPROVED", "rules": [{"rule_code": 7}, {"rule_code": "supplier_check", "risk_results": {"risk_level": "MEDIUM"}}], "extra": true}}"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path(FIND_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"[{"audit_results": {"uuid": "not-a-uuid"}}, {}, {"audit_results": {"invoice-id": "77887788", "status": "Rejected"}}]"#);
        })
        .await;
    let client = client(&server);

    let results = client.audit_results(uuid()).await.unwrap().value.unwrap();
    assert!(
        !results.risk_level.as_ref().unwrap().is_known(),
        "NONE_RISK is kept as unknown"
    );
    assert!(results.is_approved(), "APPROVED in upper case still reads as approved");
    assert_eq!(results.rules.len(), 2);
    assert!(
        results.rules[0].undecodable().is_some(),
        "a rule that does not decode is kept"
    );
    assert_eq!(results.flagged_rules().count(), 1);

    let found = client
        .find_audit_results(&AuditLookup::invoice_id("77887788"))
        .await
        .unwrap()
        .value;
    assert_eq!(found.len(), 3, "nothing dropped");
    assert!(matches!(found[0], Tolerant::Undecodable(_)));
    assert_eq!(
        found[1],
        Tolerant::Decoded(Default::default()),
        "no audit_results: empty results"
    );
    assert!(found[2].decoded().is_some_and(|r| r.is_rejected()));
}

#[tokio::test]
async fn an_invoice_not_audited_yet_has_no_results() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path(format!("/dictionary-data-services/invoice/{UUID}/audit-results"));
            then.status(200);
        })
        .await;
    let reply = client(&server).audit_results(uuid()).await.unwrap();
    assert_eq!(reply.value, None);
}
