//! A document as live InvoiceXpress accounts send it in 2026 (currency object, ISO dates, amounts
//! as strings, `summary`, fields the docs do not list) decodes in full, through `get_document`
//! and through the body of a state change, and the accessors read it as they read the docs' shape.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use common::json_client;
use httpmock::prelude::*;
use sdk_invoicexpress::types::{Currency, CurrencyDetails, DecimalValue, Document, DocumentStatus, SequenceId};
use sdk_invoicexpress::{Atcud, DocumentKind, StateChange};
use serde_json::{Value, json};

/// The live 2026 invoice body, wrapped as the API returns it (`{"invoice":{...}}`).
const LIVE_2026_INVOICE: &str = include_str!("fixtures/live_2026_invoice.json");

fn text(value: &str) -> Option<DecimalValue> {
    Some(DecimalValue::String(value.into()))
}

/// Every field of the fixture, read through the generated type and the facade's accessors.
fn assert_live_document(doc: &Document) {
    assert_eq!(doc.id, 246813579);
    assert_eq!(doc.status, Some(DocumentStatus::Final));
    assert_eq!(doc.archived, Some(false));
    assert_eq!(doc.kind(), Some(DocumentKind::Invoices));
    assert_eq!(
        (doc.sequence_number.as_deref(), doc.inverted_sequence_number.as_deref()),
        (Some("12/2026"), Some("2026/12"))
    );
    assert_eq!(doc.atcud_status(), Some(Atcud::Code("JFMZ3K7D-12")));
    assert_eq!(doc.sequence_id.as_ref().and_then(SequenceId::as_i64), Some(1843922));

    // ISO dates, read by the same accessors as the docs' dd/mm/yyyy.
    assert_eq!(doc.parsed_date(), Ok(NaiveDate::from_ymd_opt(2026, 3, 2)));
    assert_eq!(doc.parsed_due_date(), Ok(NaiveDate::from_ymd_opt(2026, 4, 1)));

    assert_eq!(doc.reference.as_deref(), Some("PO-2026-0117"));
    assert_eq!(doc.observations, None);
    assert_eq!(doc.retention, text("0.0"));
    assert_eq!(
        doc.permalink.as_deref(),
        Some("https://www.app.invoicexpress.com/documents/246813579f3a9c1e")
    );
    assert_eq!(doc.saft_hash.as_deref(), Some("Xk9Q"));

    // Amounts as strings: kept exact, readable as numbers.
    assert_eq!(
        (&doc.sum, &doc.discount, &doc.before_taxes, &doc.taxes, &doc.total),
        (
            &text("150.0"),
            &text("0.0"),
            &text("150.0"),
            &text("34.5"),
            &text("184.5")
        )
    );
    let totals = doc.totals();
    assert_eq!(totals.total.and_then(|t| t.decimal_text()).as_deref(), Some("184.5"));
    assert_eq!(totals.taxes.and_then(DecimalValue::as_f64), Some(34.5));

    // The summary repeats the totals.
    let summary = doc.summary.as_ref().expect("summary");
    assert_eq!(
        (
            &summary.sum,
            &summary.discount,
            &summary.before_taxes,
            &summary.taxes,
            &summary.total
        ),
        (
            &text("150.0"),
            &text("0.0"),
            &text("150.0"),
            &text("34.5"),
            &text("184.5")
        )
    );
    assert!(summary.extra.is_empty(), "{:?}", summary.extra);

    // The currency object.
    assert_eq!(
        doc.currency,
        Some(Currency::CurrencyDetails(CurrencyDetails {
            name: Some("Euro".into()),
            code: Some("EUR".into()),
            symbol: Some("€".into()),
        }))
    );
    assert_eq!((doc.currency_name(), doc.currency_code()), (Some("Euro"), Some("EUR")));
    assert_eq!(doc.currency.as_ref().and_then(Currency::symbol), Some("€"));

    // Fields the spec does not name are kept, not dropped.
    let extra: BTreeSet<&str> = doc.extra.keys().map(String::as_str).collect();
    assert_eq!(
        extra,
        BTreeSet::from(["account", "global_discount", "owner_invoice_id", "token"])
    );
    assert_eq!(doc.extra["token"], json!("c2f1e0d9b8a7f6e5d4c3b2a1"));
    assert_eq!(
        doc.extra["account"],
        json!({"id": 98765, "name": "Demo Unipessoal Lda"})
    );
    assert_eq!(
        doc.extra["global_discount"],
        json!({"value_type": "percentage", "value": "0.0"})
    );
    assert_eq!(doc.extra["owner_invoice_id"], Value::Null);
    assert_eq!(doc.owner_invoice_id(), None);

    let client = doc.client.as_ref().expect("client");
    assert_eq!(
        (client.id, client.name.as_deref(), client.code.as_deref()),
        (Some(51452363), Some("Gabriel Cunha"), Some("C-0042"))
    );

    let [item] = doc.items.as_slice() else {
        panic!("one line, got {}", doc.items.len())
    };
    assert_eq!(
        (item.name.as_deref(), item.unit.as_deref()),
        (Some("Consulting"), Some("hour"))
    );
    assert_eq!(
        [
            &item.unit_price,
            &item.quantity,
            &item.discount,
            &item.subtotal,
            &item.tax_amount,
            &item.discount_amount,
            &item.total
        ],
        [
            &text("75.0"),
            &text("2.0"),
            &text("0.0"),
            &text("150.0"),
            &text("34.5"),
            &text("0.0"),
            &text("184.5")
        ]
    );
    let tax = item.tax.as_ref().expect("tax");
    assert_eq!(
        (tax.id, tax.name.as_deref(), tax.value),
        (Some(349454), Some("IVA23"), Some(23.0))
    );
    assert!(item.extra.is_empty(), "{:?}", item.extra);
}

#[test]
fn the_fixture_is_the_specs_live_example() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/invoicexpress.yaml");
    let spec = sdk_contract::spec::parse_yaml(&std::fs::read_to_string(path).expect("the spec")).expect("YAML");
    let example = spec.pointer("/components/examples/LiveInvoice2026/value");
    let fixture: Value = serde_json::from_str(LIVE_2026_INVOICE).expect("JSON");
    assert_eq!(example, Some(&fixture));
}

#[tokio::test]
async fn get_document_decodes_a_live_2026_invoice_in_full() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/invoices/246813579.json");
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .body(LIVE_2026_INVOICE);
        })
        .await;

    let reply = json_client(&server.base_url())
        .get_document(DocumentKind::Invoices, 246813579)
        .await
        .expect("the live body decodes");
    mock.assert_async().await;
    assert_live_document(&reply.value);
}

#[tokio::test]
async fn a_state_change_answered_with_a_live_2026_body_carries_the_document() {
    let server = MockServer::start_async().await;
    // The same body under each document type's wrapper key.
    let fixture: Value = serde_json::from_str(LIVE_2026_INVOICE).expect("JSON");
    for (kind, key) in [
        (DocumentKind::Invoices, "invoice"),
        (DocumentKind::CreditNotes, "credit_note"),
    ] {
        let body = json!({ key: fixture["invoice"] }).to_string();
        server
            .mock_async(|when, then| {
                when.method(PUT).path(format!("/{kind}/246813579/change-state.json"));
                then.status(200).header("content-type", "application/json").body(body);
            })
            .await;
    }
    let client = json_client(&server.base_url());

    for kind in [DocumentKind::Invoices, DocumentKind::CreditNotes] {
        let reply = client
            .change_state(kind, 246813579, &StateChange::Settle, Some(&DocumentStatus::Final))
            .await
            .expect("settled");
        let document = reply
            .value
            .document
            .as_ref()
            .expect("the live body decodes into the document");
        assert_live_document(document);
        assert_eq!(
            reply.value.status(),
            Some(&DocumentStatus::Final),
            "the document's own status"
        );
        assert_eq!(reply.value.expected_status(), Some(&DocumentStatus::Settled));
    }
}
