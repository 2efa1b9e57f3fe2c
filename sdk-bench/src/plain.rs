//! Plain serde structs with the shape of an Iopole status history: the decoding benchmark's
//! reference point for "typed decoding with no SDK logic at all".
//!
//! They keep every field the SDK types keep, but as the cheapest owned representation: dates,
//! uuids and enum values stay `String`s (no chrono, uuid or open-enum work), free-form JSON stays
//! `serde_json::Value` as in the SDK types, and the two string-or-object fields use the SDK's own
//! visitor-based types. `deny_unknown_fields` makes the benchmark's check fail if the generated
//! history ever carries a field these structs (and so the comparison) would skip.

#![allow(dead_code)] // The fields exist to be decoded, not read.

use sdk_iopole::types::{DocumentTypeCode, TradePartyRoleCode};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One status, as `StatusHistoryItem`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlainStatus {
    date: String,
    dest_type: Option<String>,
    invoice_id: String,
    json: Option<PlainDocument>,
    status: PlainStatusInfo,
    status_id: String,
    xml: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlainStatusInfo {
    code: String,
    desc: Option<String>,
    message: Option<String>,
    network_code: Option<String>,
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlainDocument {
    business_process_id: Option<String>,
    category: Option<PlainCategory>,
    context: Option<PlainContext>,
    identification: Option<PlainIdentification>,
    issuer: Option<PlainParty>,
    #[serde(default)]
    notes: Vec<Value>,
    #[serde(default)]
    recipients: Vec<PlainParty>,
    #[serde(default)]
    responses: Vec<PlainResponse>,
    sender: Option<PlainParty>,
    test_indicator: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainCategory {
    code: Option<String>,
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainContext {
    date: Option<String>,
    id: Option<String>,
    issuer: Option<PlainParty>,
    name: Option<String>,
    #[serde(default)]
    recipients: Vec<PlainParty>,
    sender: Option<PlainParty>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainIdentification {
    date: Option<String>,
    id: Option<String>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlainParty {
    country: Option<String>,
    #[serde(default)]
    identifiers: Vec<Value>,
    name: Option<String>,
    postal_address: Option<Map<String, Value>>,
    role_code: Option<TradePartyRoleCode>,
    siren: Option<String>,
    siret: Option<String>,
    vat_number: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlainResponse {
    #[serde(default)]
    additional_data: Vec<Value>,
    document_reference: Option<PlainReference>,
    document_status: Option<PlainDocumentStatus>,
    rejection_detail: Option<PlainRejection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlainReference {
    issue_date: Option<String>,
    issuer: Option<PlainParty>,
    issuer_assigned_id: Option<String>,
    issuer_trade_party: Option<PlainParty>,
    receipt_date: Option<String>,
    type_code: Option<DocumentTypeCode>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlainDocumentStatus {
    code: Option<String>,
    details: Option<PlainStatusDetails>,
    message: Option<String>,
    network_code: Option<String>,
    status: Option<PlainStatusInfo>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlainStatusDetails {
    #[serde(default)]
    document_status_characteristic: Vec<Value>,
    generated_date: Option<String>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainRejection {
    #[serde(default)]
    errors: Vec<Value>,
    message: Option<String>,
    reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_structs_keep_every_field_of_a_generated_history() {
        let bytes = crate::history::generate(300, 7);
        let plain: Vec<PlainStatus> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(plain.len(), 300);
        assert!(plain.iter().any(|status| status.json.is_some() && status.xml.is_some()));
    }

    #[test]
    fn an_unknown_field_is_refused_so_nothing_is_skipped_silently() {
        let error = serde_json::from_str::<PlainStatusInfo>(r#"{"code":"205","extra":1}"#).unwrap_err();
        assert!(error.to_string().contains("unknown field `extra`"), "{error}");
    }
}
