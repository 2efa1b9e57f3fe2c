//! Decoding history items as Iopole really sends them, each case from literal JSON.

mod common;

use common::*;
use sdk_iopole::LifecycleStatus;
use sdk_iopole::types::{
    DestType, DocumentTypeCode, IopoleError, LifecycleDocument, NotSeenInvoiceStatuses, StatusHistoryItem, TradeParty,
    TradePartyRoleCode,
};
use serde_json::json;

fn item(value: serde_json::Value) -> StatusHistoryItem {
    serde_json::from_value(value).expect("history item decodes")
}

#[test]
fn seed_001_example_decodes_as_a_history_item() {
    let decoded: StatusHistoryItem = serde_json::from_str(SEED_001_EXAMPLE).expect("seed 001 decodes");
    assert_eq!(decoded.invoice_id.to_string(), "f47ac10b-58cc-4372-a567-0e02b2c3d479");
    assert_eq!(decoded.status.value.as_deref(), Some("Approved"));
    assert_eq!(
        decoded.status.message.as_deref(),
        Some("La facture est en cours de traitement par le destinataire")
    );
    assert_eq!(decoded.lifecycle_status(), Some(LifecycleStatus::Approved));
    assert!(decoded.xml.as_deref().is_some_and(|xml| xml.starts_with("<?xml")));
    let document = decoded.json.expect("json");
    let category = document.category.as_ref().expect("category");
    assert_eq!(
        (category.code.as_deref(), category.value.as_deref()),
        (Some("eInvoicing"), Some("S1"))
    );
    assert_eq!(document.message_name(), Some("LifeCycle - Approuvée"));
    assert_eq!(
        document.message_date().map(|d| d.to_rfc3339()),
        Some("2024-07-16T20:36:31+00:00".into())
    );
    let recipient = &document.recipient_parties()[0];
    assert_eq!(
        recipient.role_code.as_ref().and_then(TradePartyRoleCode::role_name),
        Some("INTERMEDIARY")
    );
    let details = document.responses[0]
        .document_status
        .as_ref()
        .unwrap()
        .details
        .as_ref()
        .unwrap();
    assert!(details.document_status_characteristic.is_empty());
    assert_eq!(
        details.reason.as_deref(),
        Some("Error occurred during invoice validation process")
    );
    assert_eq!(
        document.responses[0].document_reference.as_ref().unwrap().type_code,
        Some(DocumentTypeCode::String("CDAR".into()))
    );
}

#[test]
fn current_shape_with_identification_and_notes_decodes() {
    let decoded = item(json!({
        "statusId": "5b1d7a3e-8c2f-4e6a-9d0b-1f2e3a4b5c6d",
        "date": "2025-02-03T08:15:00Z",
        "destType": "PLATFORM",
        "invoiceId": "7c2e8b4f-9d3a-4f7b-8e1c-2a3b4c5d6e7f",
        "status": {"code": "REFUSED", "value": "Refused", "networkCode": "210"},
        "xml": "<ApplicationResponse/>",
        "json": {
            "testIndicator": false,
            "identification": {"id": "LC-0001", "name": "LifeCycle - Refusée", "date": "2025-02-03T08:14:59Z"},
            "notes": [{"subject": "REF", "content": "Duplicate"}, "free text"],
            "sender": {"name": "Buyer SAS", "siren": "123456789", "roleCode": "BY"},
            "issuer": {"name": "Buyer SAS", "roleCode": {"code": "BUYER", "value": "BY"}},
            "recipients": [{"name": "Seller SARL", "siret": "98765432109876", "roleCode": "SE"}],
            "responses": [{
                "documentReference": {
                    "issuerAssignedId": "INV-2025-001",
                    "typeCode": 380,
                    "issueDate": "2025-01-31",
                    "issuer": {"name": "Seller SARL", "roleCode": "SE"}
                },
                "documentStatus": {"code": "REFUSED", "networkCode": "210"},
                "additionalData": [{"key": "k", "value": "v"}],
                "rejectionDetail": {"reason": "DUPLICATE_INVOICE", "message": "Already received", "errors": [{"code": "E1"}]}
            }]
        }
    }));
    assert_eq!(decoded.dest_type, Some(DestType::Platform));
    assert_eq!(decoded.lifecycle_status(), Some(LifecycleStatus::Refused));
    assert_eq!(decoded.status.network_code.as_deref(), Some("210"));
    let document = decoded.json.expect("json");
    assert_eq!(document.test_indicator, Some(false));
    assert_eq!(document.message_id(), Some("LC-0001"));
    assert_eq!(document.message_name(), Some("LifeCycle - Refusée"));
    assert_eq!(document.notes.len(), 2);
    assert_eq!(
        document.sender_party().and_then(|p| p.role_code.as_ref()?.role_value()),
        Some("BY")
    );
    assert_eq!(
        document.issuer_party().and_then(|p| p.role_code.as_ref()?.role_name()),
        Some("BUYER")
    );
    assert_eq!(document.recipient_parties()[0].name.as_deref(), Some("Seller SARL"));
    let response = &document.responses[0];
    let reference = response.document_reference.as_ref().unwrap();
    assert_eq!(reference.type_code, Some(DocumentTypeCode::Int64(380)));
    assert_eq!(reference.issue_date.as_deref(), Some("2025-01-31"));
    assert_eq!(
        reference.issuer_party().and_then(|p| p.name.as_deref()),
        Some("Seller SARL")
    );
    assert_eq!(
        response.document_status.as_ref().unwrap().lifecycle_status(),
        Some(LifecycleStatus::Refused)
    );
    assert_eq!(response.additional_data.len(), 1);
    let rejection = response.rejection_detail.as_ref().unwrap();
    assert_eq!(rejection.reason.as_deref(), Some("DUPLICATE_INVOICE"));
    assert_eq!(rejection.errors.len(), 1);
}

#[test]
fn role_code_decodes_as_string_or_object() {
    let party: TradeParty = serde_json::from_value(json!({"roleCode": "SE"})).unwrap();
    assert_eq!(party.role_code, Some(TradePartyRoleCode::String("SE".into())));
    assert_eq!(party.role_code.as_ref().unwrap().role_value(), Some("SE"));
    assert_eq!(party.role_code.as_ref().unwrap().role_name(), None);

    let party: TradeParty =
        serde_json::from_value(json!({"roleCode": {"code": "SELLER", "value": "SE", "desc": "Vendeur"}})).unwrap();
    let role = party.role_code.unwrap();
    assert!(matches!(role, TradePartyRoleCode::RoleCode(_)));
    assert_eq!(role.role_value(), Some("SE"));
    assert_eq!(role.role_name(), Some("SELLER"));
}

#[test]
fn type_code_decodes_as_integer_or_string() {
    let document: LifecycleDocument = serde_json::from_value(json!({"responses": [
        {"documentReference": {"typeCode": 380}},
        {"documentReference": {"typeCode": "380"}},
        {"documentReference": {"typeCode": "CDAR"}}
    ]}))
    .unwrap();
    let codes: Vec<_> = document
        .responses
        .iter()
        .map(|r| r.document_reference.as_ref().unwrap().type_code.clone())
        .collect();
    assert_eq!(
        codes,
        vec![
            Some(DocumentTypeCode::Int64(380)),
            Some(DocumentTypeCode::String("380".into())),
            Some(DocumentTypeCode::String("CDAR".into()))
        ]
    );
}

#[test]
fn null_issuers_decode_as_none() {
    let document: LifecycleDocument = serde_json::from_value(json!({
        "issuer": null,
        "context": {"id": "X", "issuer": null},
        "responses": [{"documentReference": {"issuer": null, "issuerTradeParty": null}}]
    }))
    .unwrap();
    assert!(document.issuer.is_none());
    assert!(document.issuer_party().is_none());
    assert!(document.context.as_ref().unwrap().issuer.is_none());
    assert!(
        document.responses[0]
            .document_reference
            .as_ref()
            .unwrap()
            .issuer_party()
            .is_none()
    );
}

#[test]
fn missing_optional_fields_decode() {
    // No networkCode, no desc, no value, no destType, no xml, no json.
    let decoded = item(json!({
        "statusId": "5b1d7a3e-8c2f-4e6a-9d0b-1f2e3a4b5c6d",
        "date": "2025-02-03T08:15:00+01:00",
        "invoiceId": "7c2e8b4f-9d3a-4f7b-8e1c-2a3b4c5d6e7f",
        "status": {"code": "202"}
    }));
    assert_eq!(decoded.lifecycle_status(), Some(LifecycleStatus::Received));
    assert!(decoded.status.desc.is_none() && decoded.status.network_code.is_none());
    assert!(decoded.dest_type.is_none() && decoded.json.is_none() && decoded.xml.is_none());
    assert_eq!(
        decoded.recorded_at().map(|d| d.to_rfc3339()).as_deref(),
        Some("2025-02-03T07:15:00+00:00")
    );
    // And a document status without networkCode or status.
    let document: LifecycleDocument =
        serde_json::from_value(json!({"responses": [{"documentStatus": {"code": "APPROVED"}}]})).unwrap();
    assert_eq!(
        document.responses[0]
            .document_status
            .as_ref()
            .unwrap()
            .lifecycle_status(),
        Some(LifecycleStatus::Approved)
    );
}

#[test]
fn unknown_extra_fields_are_ignored_and_documented_extras_kept() {
    let decoded = item(json!({
        "statusId": "5b1d7a3e-8c2f-4e6a-9d0b-1f2e3a4b5c6d",
        "date": "2025-02-03T08:15:00Z",
        "invoiceId": "7c2e8b4f-9d3a-4f7b-8e1c-2a3b4c5d6e7f",
        "status": {"code": "APPROVED", "somethingNew": 1},
        "seen": false,
        "routing": {"network": "PEPPOL"},
        "json": {
            "businessProcessId": "urn:fdc:peppol.eu:poacc:bis:invoice_response:3",
            "futureField": [1, 2, 3],
            "sender": {
                "name": "Seller GmbH",
                "country": "DE",
                "vatNumber": "DE123456789",
                "identifiers": [{"scheme": "0204", "value": "991-01234-56"}],
                "postalAddress": {"city": "Berlin", "postcode": "10115"},
                "anotherField": true
            }
        }
    }));
    let document = decoded.json.unwrap();
    assert_eq!(
        document.business_process_id.as_deref(),
        Some("urn:fdc:peppol.eu:poacc:bis:invoice_response:3")
    );
    let sender = document.sender_party().unwrap();
    assert_eq!(sender.country.as_deref(), Some("DE"));
    assert_eq!(sender.vat_number.as_deref(), Some("DE123456789"));
    assert_eq!(sender.identifiers.len(), 1);
    assert_eq!(
        sender.postal_address.as_ref().and_then(|a| a.get("city")),
        Some(&json!("Berlin"))
    );
}

#[test]
fn enum_values_the_spec_does_not_list_are_kept_as_unknown() {
    let decoded = item(json!({
        "statusId": "5b1d7a3e-8c2f-4e6a-9d0b-1f2e3a4b5c6d",
        "date": "2025-02-03T08:15:00Z",
        "destType": "PEPPOL_AP",
        "invoiceId": "7c2e8b4f-9d3a-4f7b-8e1c-2a3b4c5d6e7f",
        "status": {"code": "ROUTING_FAILURE"},
        "json": {"responses": [{"rejectionDetail": {"reason": "ROUTING_FAILURE"}}]}
    }));
    assert_eq!(decoded.dest_type, Some(DestType::Unknown("PEPPOL_AP".into())));
    assert_eq!(decoded.dest_type.as_ref().map(DestType::as_str), Some("PEPPOL_AP"));
    // A status code outside the 14 lifecycle codes: no lifecycle status, raw code kept.
    assert_eq!(decoded.lifecycle_status(), None);
    assert_eq!(decoded.status.code, "ROUTING_FAILURE");
    let rejection = decoded.json.unwrap().responses[0].rejection_detail.clone().unwrap();
    assert_eq!(rejection.reason.as_deref(), Some("ROUTING_FAILURE"));
}

#[test]
fn lifecycle_status_reads_names_and_numbers_and_never_panics() {
    for (code, expected) in [
        ("200", Some(LifecycleStatus::Submitted)),
        ("SUBMITTED", Some(LifecycleStatus::Submitted)),
        ("205", Some(LifecycleStatus::Approved)),
        ("APPROVED", Some(LifecycleStatus::Approved)),
        ("213", Some(LifecycleStatus::Rejected)),
        ("299", None),
        ("", None),
        ("2O5", None),
        ("18446744073709551616", None),
        ("Approuvée", None),
    ] {
        let decoded = item(json!({
            "statusId": "5b1d7a3e-8c2f-4e6a-9d0b-1f2e3a4b5c6d",
            "date": "2025-02-03T08:15:00Z",
            "invoiceId": "7c2e8b4f-9d3a-4f7b-8e1c-2a3b4c5d6e7f",
            "status": {"code": code}
        }));
        assert_eq!(decoded.lifecycle_status(), expected, "{code:?}");
    }
}

#[test]
fn not_seen_groups_decode() {
    let groups: Vec<NotSeenInvoiceStatuses> = serde_json::from_value(json!([
        {"invoiceId": "f47ac10b-58cc-4372-a567-0e02b2c3d479", "newStatus": [seed_001_value()]},
        {"newStatus": []},
        {}
    ]))
    .unwrap();
    assert_eq!(groups.len(), 3);
    assert_eq!(
        groups[0].new_status[0]
            .decoded()
            .and_then(StatusHistoryItem::lifecycle_status),
        Some(LifecycleStatus::Approved)
    );
    assert!(groups[2].invoice_id.is_none() && groups[2].new_status.is_empty());
}

#[test]
fn iopole_error_bodies_decode_in_every_documented_shape() {
    let object: IopoleError = serde_json::from_value(json!({
        "statusMessage": "Request validation issues",
        "details": {"invoiceId": ["invoiceId must be a UUID"]}
    }))
    .unwrap();
    assert_eq!(object.detail_messages(), vec!["invoiceId: invoiceId must be a UUID"]);
    let array: IopoleError =
        serde_json::from_value(json!({"statusMessage": "Request validation issues", "details": ["a", {"b": 1}]}))
            .unwrap();
    assert_eq!(array.detail_messages(), vec!["a".to_string(), r#"{"b":1}"#.to_string()]);
    let conflict: IopoleError =
        serde_json::from_value(json!({"code": "DUPLICATE_RESOURCE", "statusMessage": "already sent"})).unwrap();
    assert!(conflict.is_duplicate() && conflict.details.is_none());
    let empty: IopoleError = serde_json::from_value(json!({})).unwrap();
    assert!(!empty.is_duplicate() && empty.detail_messages().is_empty());
}

/// `TradeParty.siren` and `.siret` carry the French domain patterns in the spec, marked
/// `x-sdk-lenient-pattern`: a foreign party (Peppol) or a formatted SIRET must not make the whole
/// history item, and with it the whole `status_history` / `not_seen` answer, fail to decode.
#[test]
fn siren_and_siret_outside_the_french_pattern_still_decode() {
    for party in [
        json!({"name": "Seller SAS", "siren": "123456789", "siret": "12345678900012"}),
        json!({"name": "Seller GmbH", "siren": "DE123456789"}),
        json!({"name": "Seller SAS", "siret": "123 456 789 00012"}),
        json!({"name": "Seller SAS", "siren": ""}),
    ] {
        let decoded = serde_json::from_value::<TradeParty>(party.clone());
        assert!(decoded.is_ok(), "{party}: {decoded:?}");
    }
    let mut seed = seed_001_value();
    seed["json"]["context"]["sender"]["siren"] = json!("BE0123456789");
    let item = serde_json::from_value::<StatusHistoryItem>(seed).expect("decodes");
    let sender = item
        .json
        .and_then(|j| j.context)
        .and_then(|c| c.sender)
        .expect("sender");
    assert_eq!(sender.siren.as_deref(), Some("BE0123456789"));
}

/// A status item in the shape Iopole's platform delivers live (webhook and not-seen alike): a
/// Peppol `ApplicationResponse` in `xml`, `issuer: null`, bare-string `roleCode`, integer
/// `typeCode`, `electronicAddress` on every party, `issuerAssignedId: null`, a rejection reason
/// outside the send enum and `networkReason: null`. Values are made up; the shape follows a
/// captured live delivery (amazscript/laravel-einvoicing, tests/Fixtures).
fn live_status_item() -> serde_json::Value {
    let party = json!({
        "name": "EXEMPLE EMETTEUR SAS",
        "siren": "552100554",
        "country": "FR",
        "roleCode": "SE",
        "vatNumber": "FR40552100554",
        "identifiers": [
            {"type": "ELECTRONIC_ADDRESS", "value": "552100554", "scheme": "0002"},
            {"type": "PARTY_LEGAL_IDENTIFIER", "value": "552100554", "scheme": "0002"}
        ],
        "postalAddress": {"country": "FR", "cityName": "Lyon", "postalCode": "69002", "addressLineOne": "2 quai Test"},
        "electronicAddress": "0002:552100554"
    });
    json!({
        "invoiceId": "0190aa10-1111-7000-8000-000000000001",
        "statusId": "0190aa10-2222-7000-8000-000000000002",
        "date": "2026-03-02T09:10:11.123Z",
        "destType": "OPERATOR",
        "status": {"code": "REJECTED"},
        "xml": "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApplicationResponse xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2\"/>",
        "json": {
            "issuer": null,
            "sender": party,
            "responses": [{
                "documentStatus": {"code": "REJECTED"},
                "rejectionDetail": {
                    "reason": "ROUTING_FAILURE",
                    "message": "No route found for given key (electronicAddress : 0002:999999999)",
                    "networkReason": null
                },
                "documentReference": {
                    "issuer": party,
                    "typeCode": 380,
                    "issueDate": "2026-03-02T00:00:00.000Z",
                    "receiptDate": "2026-03-02T09:10:10.000Z",
                    "issuerAssignedId": null
                }
            }],
            "recipients": [party],
            "testIndicator": false,
            "identification": {"id": "0190aa10-3333-7000-8000-000000000003", "date": "2026-03-02T09:10:11.123Z", "name": "Lifecycle - REJECTED"},
            "businessProcessId": "REGULATED"
        }
    })
}

#[test]
fn a_live_status_item_decodes_with_its_electronic_addresses() {
    let decoded = item(live_status_item());
    assert_eq!(decoded.lifecycle_status(), Some(LifecycleStatus::Rejected));
    assert_eq!(
        decoded.recorded_at().map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-03-02T09:10:11.123+00:00")
    );
    let document = decoded.json.as_ref().expect("json");
    assert!(document.issuer_party().is_none(), "issuer: null");
    assert_eq!(
        document.sender_party().and_then(|p| p.electronic_address.as_deref()),
        Some("0002:552100554")
    );
    assert_eq!(
        document.recipient_parties()[0].electronic_address.as_deref(),
        Some("0002:552100554")
    );
    let response = &document.responses[0];
    let reference = response.document_reference.as_ref().expect("documentReference");
    assert_eq!(
        reference.issuer_party().and_then(|p| p.electronic_address.as_deref()),
        Some("0002:552100554")
    );
    assert!(reference.issuer_assigned_id.is_none());
    assert_eq!(reference.type_code, Some(DocumentTypeCode::Int64(380)));
    let rejection = response.rejection_detail.as_ref().expect("rejectionDetail");
    assert_eq!(rejection.reason.as_deref(), Some("ROUTING_FAILURE"));
    assert!(rejection.network_reason.is_none());
    assert_eq!(
        response.document_status.as_ref().and_then(|s| s.lifecycle_status()),
        Some(LifecycleStatus::Rejected)
    );
}

/// The shape differences with Iopole's own spec that the curated spec used to drop or reject.
#[test]
fn iopole_spec_fields_the_curated_spec_used_to_drop_now_decode() {
    let mut value = live_status_item();
    value["json"]["responses"][0]["attachments"] =
        json!([{"mimeType": "application/pdf", "fileName": "avoir.pdf", "content": "JVBERi0x"}]);
    value["json"]["responses"][0]["rejectionDetail"]["networkReason"] = json!("REC");
    let decoded = item(value);
    let response = &decoded.json.as_ref().unwrap().responses[0];
    assert_eq!(response.attachments.len(), 1);
    assert_eq!(response.attachments[0].file_name.as_deref(), Some("avoir.pdf"));
    assert_eq!(response.attachments[0].content.as_deref(), Some("JVBERi0x"));
    assert_eq!(
        response
            .rejection_detail
            .as_ref()
            .and_then(|r| r.network_reason.as_deref()),
        Some("REC")
    );
}

/// `status.code` as a JSON number (205) as well as a string; date-times without an offset (read
/// as UTC) and as epoch milliseconds; a new enum value and an extra field never fail decoding.
#[test]
fn numeric_codes_offsetless_and_epoch_dates_new_values_and_extra_fields_decode() {
    let decoded = item(json!({
        "statusId": "0190aa10-2222-7000-8000-000000000002",
        "date": "2024-07-16T20:35:16",
        "invoiceId": "0190aa10-1111-7000-8000-000000000001",
        "destType": "SOMEWHERE_NEW",
        "status": {"code": 205, "brandNew": {"x": 1}},
        "json": {
            "identification": {"id": "m-1", "date": 1721162131000_i64},
            "responses": [{
                "documentStatus": {"code": "PAYMENT_RECEIVED", "networkCode": "212"},
                "documentReference": {"receiptDate": "2024-07-16 20:35:16.5"},
                "extra": [1, 2]
            }]
        },
        "somethingElse": true
    }));
    assert_eq!(decoded.lifecycle_status(), Some(LifecycleStatus::Approved));
    assert!(decoded.status.code == "205");
    assert_eq!(
        decoded.recorded_at().map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-07-16T20:35:16+00:00"),
        "no offset: read as UTC"
    );
    assert_eq!(decoded.dest_type, Some(DestType::Unknown("SOMEWHERE_NEW".into())));
    let document = decoded.json.as_ref().unwrap();
    assert_eq!(
        document.message_date().map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-07-16T20:35:31+00:00"),
        "epoch milliseconds"
    );
    let response = &document.responses[0];
    assert_eq!(
        response.document_status.as_ref().and_then(|s| s.lifecycle_status()),
        Some(LifecycleStatus::PaymentReceived)
    );
    assert_eq!(
        response
            .document_reference
            .as_ref()
            .and_then(|r| r.receipt_date.as_ref()?.to_utc())
            .map(|d| d.to_rfc3339()),
        Some("2024-07-16T20:35:16.500+00:00".into())
    );
    // An unreadable date string still decodes; only reading it gives `None`.
    let odd = item(json!({
        "statusId": "0190aa10-2222-7000-8000-000000000002", "date": "yesterday",
        "invoiceId": "0190aa10-1111-7000-8000-000000000001", "status": {"code": "APPROVED"}
    }));
    assert_eq!(odd.recorded_at(), None);
    assert_eq!(odd.date.to_string(), "yesterday");
}
