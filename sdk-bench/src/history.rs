//! A deterministic, realistic Iopole status history (`GET /v1/invoice/{id}/status-history`) of any
//! length, for the decoding benchmark.
//!
//! Entries follow seed 001 and `specs/iopole.yaml`: every entry has `statusId`, `date`, `invoiceId`
//! and `status`; most have `destType`, an `xml` CDAR message of 1 to 2 KB and a `json` lifecycle
//! document. The `json` alternates between the older documented shape (`category`, `context`,
//! `responses` with `issuerTradeParty` and a string `typeCode`) and the current one
//! (`testIndicator`, `identification`, `notes`, `sender`, `issuer`, `recipients`, `responses` with
//! `issuer`, an integer `typeCode`, `additionalData` and sometimes a `rejectionDetail`). `roleCode`
//! is an object or a bare string; `issuer` is sometimes `null`; some parties carry the extra
//! `country`, `vatNumber`, `identifiers` and `postalAddress` seen in real payloads.

use serde_json::{Value, json};

/// SplitMix64: a small, fast, deterministic generator (same sequence on every machine).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A random version-4 UUID, hyphenated.
    pub fn uuid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }

    /// `len` decimal digits.
    pub fn digits(&mut self, len: usize) -> String {
        (0..len).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// The 14 received lifecycle statuses: numeric code, name, English and French labels.
const STATUSES: &[(&str, &str, &str, &str)] = &[
    ("200", "DEPOSITED", "Deposited", "Déposée"),
    ("201", "ISSUED", "Issued", "Émise par la plateforme"),
    ("202", "RECEIVED", "Received", "Reçue par la plateforme"),
    ("203", "MADE_AVAILABLE", "Made available", "Mise à disposition"),
    ("204", "IN_HAND", "In hand", "Prise en charge"),
    ("205", "APPROVED", "Approved", "Approuvée"),
    (
        "206",
        "PARTIALLY_APPROVED",
        "Partially approved",
        "Approuvée partiellement",
    ),
    ("207", "DISPUTED", "Disputed", "En litige"),
    ("208", "SUSPENDED", "Suspended", "Suspendue"),
    ("209", "COMPLETED", "Completed", "Complétée"),
    ("210", "REFUSED", "Refused", "Refusée"),
    ("211", "PAYMENT_SENT", "Payment sent", "Paiement transmis"),
    ("212", "PAYMENT_RECEIVED", "Payment received", "Encaissée"),
    ("213", "REJECTED", "Rejected", "Rejetée"),
];

const ROLES: &[(&str, &str, &str)] = &[
    ("SELLER", "SE", "Vendeur"),
    ("BUYER", "BY", "Acheteur"),
    ("INTERMEDIARY", "IN", "Intermédiaire"),
    ("PAYEE", "PE", "Bénéficiaire"),
];

const COMPANIES: &[&str] = &[
    "Sender Company",
    "Issuer Company",
    "Recipient Company",
    "Boulangerie Martin SAS",
    "Transports Lefèvre & Fils",
    "Cabinet Dubois Conseil",
    "Société Générale d'Équipement",
    "Atelier Rousseau SARL",
    "Nordic Supplies AB",
    "Logistique du Sud-Ouest",
];

const MESSAGES: &[&str] = &[
    "La facture est en cours de traitement par le destinataire",
    "Facture reçue et intégrée dans le système comptable",
    "Montant contesté : écart de 12,50 EUR sur la ligne 3",
    "Paiement effectué par virement SEPA",
    "Invoice routed to the buyer's platform",
];

const REASONS: &[&str] = &[
    "ROUTING_FAILURE",
    "DUPLICATE_INVOICE",
    "WRONG_AMOUNT",
    "MISSING_PO_NUMBER",
];

/// A date-time in 2024, `minutes` after New Year, sometimes with milliseconds.
fn date(rng: &mut Rng, minutes: u64) -> String {
    let day_of_year = (minutes / 1440) % 360;
    let month = day_of_year / 30 + 1;
    let day = day_of_year % 30 + 1;
    let (hour, minute) = ((minutes / 60) % 24, minutes % 60);
    let second = rng.below(60);
    if rng.chance(30) {
        format!(
            "2024-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{:03}Z",
            rng.below(1000)
        )
    } else {
        format!("2024-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    }
}

fn role_code(rng: &mut Rng) -> Value {
    let (code, value, desc) = *rng.pick(ROLES);
    if rng.chance(50) {
        json!({"code": code, "value": value, "desc": desc})
    } else {
        json!(value)
    }
}

fn party(rng: &mut Rng, extras: bool) -> Value {
    let siren = rng.digits(9);
    let siret = format!("{siren}{}", rng.digits(5));
    let mut party = json!({
        "name": *rng.pick(COMPANIES),
        "siren": siren,
        "siret": siret,
        "roleCode": role_code(rng),
    });
    if extras && rng.chance(60) {
        let object = party.as_object_mut().expect("an object");
        object.insert("country".into(), json!("FR"));
        object.insert("vatNumber".into(), json!(format!("FR{}{}", rng.digits(2), siren)));
        object.insert(
            "identifiers".into(),
            json!([{"scheme": "0009", "value": siret}, {"scheme": "0225", "value": rng.digits(9)}]),
        );
        object.insert(
            "postalAddress".into(),
            json!({
                "lineOne": format!("{} rue de la République", rng.below(200) + 1),
                "postCode": rng.digits(5),
                "city": "Lyon",
                "countryCode": "FR",
            }),
        );
    }
    party
}

/// A CDAR message of about 1 to 2 KB.
fn cdar_xml(rng: &mut Rng, status: &(&str, &str, &str, &str), invoice_number: &str, when: &str) -> String {
    let (code, _, _, label) = *status;
    let mut xml = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
            "<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100\" ",
            "xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\" ",
            "xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\">\n",
            "  <rsm:ExchangedDocument>\n",
            "    <ram:ID>LC-{id}</ram:ID>\n",
            "    <ram:Name>LifeCycle - {label}</ram:Name>\n",
            "    <ram:IssueDateTime><udt:DateTimeString format=\"204\">{when}</udt:DateTimeString></ram:IssueDateTime>\n",
            "    <ram:SenderTradeParty><ram:GlobalID schemeID=\"0225\">{sender}</ram:GlobalID><ram:RoleCode>BY</ram:RoleCode></ram:SenderTradeParty>\n",
            "    <ram:IssuerTradeParty><ram:GlobalID schemeID=\"0225\">{issuer}</ram:GlobalID><ram:RoleCode>SE</ram:RoleCode></ram:IssuerTradeParty>\n",
            "  </rsm:ExchangedDocument>\n",
            "  <rsm:AcknowledgementDocument>\n",
            "    <ram:TypeCode>23</ram:TypeCode>\n",
            "    <ram:IssueDateTime><udt:DateTimeString format=\"204\">{when}</udt:DateTimeString></ram:IssueDateTime>\n",
            "    <ram:ReferenceReferencedDocument>\n",
            "      <ram:IssuerAssignedID>{invoice}</ram:IssuerAssignedID>\n",
            "      <ram:StatusCode>{code}</ram:StatusCode>\n",
            "      <ram:TypeCode>380</ram:TypeCode>\n",
        ),
        id = rng.uuid(),
        label = label,
        when = when,
        sender = rng.digits(9),
        issuer = rng.digits(9),
        invoice = invoice_number,
        code = code,
    );
    // Zero to three status characteristics bring the message to 1-2 KB.
    for index in 0..rng.below(4) {
        xml.push_str(&format!(
            "      <ram:SpecifiedDocumentCharacteristic><ram:TypeCode>MEN</ram:TypeCode><ram:ValueAmount>{}.{:02}</ram:ValueAmount><ram:ID>{index}</ram:ID></ram:SpecifiedDocumentCharacteristic>\n",
            rng.below(100_000),
            rng.below(100)
        ));
    }
    xml.push_str("    </ram:ReferenceReferencedDocument>\n  </rsm:AcknowledgementDocument>\n</rsm:CrossDomainAcknowledgementAndResponse>");
    xml
}

/// The older documented `json` shape (seed 001).
fn older_shape(rng: &mut Rng, status: &(&str, &str, &str, &str), invoice_number: &str, when: &str) -> Value {
    let (code, _, value, desc) = *status;
    let recipients: Vec<Value> = (0..rng.below(3) + 1).map(|_| party(rng, false)).collect();
    let issuer = if rng.chance(10) { Value::Null } else { party(rng, false) };
    let responses: Vec<Value> = (0..rng.below(2) + 1)
        .map(|_| {
            json!({
                "documentReference": {
                    "issuerAssignedId": invoice_number,
                    "typeCode": "CDAR",
                    "receiptDate": when,
                    "issuerTradeParty": party(rng, false),
                },
                "documentStatus": {
                    "message": *rng.pick(MESSAGES),
                    "status": {"code": code, "value": value, "desc": desc},
                    "details": {
                        "generatedDate": when,
                        "reason": "Error occurred during invoice validation process",
                        "documentStatusCharacteristic": [],
                    },
                },
            })
        })
        .collect();
    json!({
        "category": {"code": "eInvoicing", "value": "S1"},
        "context": {
            "id": format!("LC_{}_STREAM", status.1),
            "name": format!("LifeCycle - {desc}"),
            "date": when,
            "sender": party(rng, false),
            "issuer": issuer,
            "recipients": recipients,
        },
        "responses": responses,
    })
}

/// The current `json` shape (Iopole's current spec, plus fields seen in real payloads).
fn current_shape(rng: &mut Rng, status: &(&str, &str, &str, &str), invoice_number: &str, when: &str) -> Value {
    let (code, name, value, _) = *status;
    let recipients: Vec<Value> = (0..rng.below(3) + 1).map(|_| party(rng, true)).collect();
    let issuer = if rng.chance(15) { Value::Null } else { party(rng, true) };
    let responses: Vec<Value> = (0..rng.below(2) + 1)
        .map(|_| {
            let mut response = json!({
                "documentReference": {
                    "issuerAssignedId": invoice_number,
                    "typeCode": 380,
                    "issueDate": &when[..10],
                    "issuer": party(rng, true),
                },
                "documentStatus": {
                    "code": name,
                    "networkCode": code,
                    "message": *rng.pick(MESSAGES),
                    "status": {"code": code, "value": value},
                },
                "additionalData": [{"key": "channel", "value": "PEPPOL"}],
            });
            if matches!(name, "REFUSED" | "REJECTED" | "DISPUTED") {
                response.as_object_mut().expect("an object").insert(
                    "rejectionDetail".into(),
                    json!({
                        "reason": *rng.pick(REASONS),
                        "message": *rng.pick(MESSAGES),
                        "errors": [{"code": "E042", "label": "Montant incohérent"}],
                    }),
                );
            }
            response
        })
        .collect();
    json!({
        "testIndicator": false,
        "businessProcessId": "REGULATED",
        "identification": {"id": rng.uuid(), "name": format!("LifeCycle - {value}"), "date": when},
        "notes": [{"subject": "AAB", "content": *rng.pick(MESSAGES)}],
        "sender": party(rng, true),
        "issuer": issuer,
        "recipients": recipients,
        "responses": responses,
    })
}

/// One history entry.
fn entry(rng: &mut Rng, index: u64, invoice_id: &str) -> Value {
    let status = rng.pick(STATUSES);
    let minutes = index * 7 + rng.below(7);
    let when = date(rng, minutes);
    let invoice_number = format!("F-2024-{:06}", rng.below(1_000_000));
    let code = if rng.chance(50) { status.0 } else { status.1 };
    let mut status_info = json!({"code": code, "value": status.2, "desc": status.3});
    if rng.chance(60) {
        status_info
            .as_object_mut()
            .expect("an object")
            .insert("message".into(), json!(*rng.pick(MESSAGES)));
    }
    if rng.chance(25) {
        status_info
            .as_object_mut()
            .expect("an object")
            .insert("networkCode".into(), json!(status.0));
    }
    let mut item = json!({
        "statusId": rng.uuid(),
        "date": when,
        "destType": *rng.pick(&["OPERATOR", "PLATFORM", "PPF"]),
        "invoiceId": invoice_id,
        "status": status_info,
    });
    let object = item.as_object_mut().expect("an object");
    // About 5% of the statuses come without their lifecycle message.
    if !rng.chance(5) {
        object.insert("xml".into(), json!(cdar_xml(rng, status, &invoice_number, &when)));
        let document = if index.is_multiple_of(2) {
            older_shape(rng, status, &invoice_number, &when)
        } else {
            current_shape(rng, status, &invoice_number, &when)
        };
        object.insert("json".into(), document);
    }
    item
}

/// A status history of `entries` statuses as the JSON bytes Iopole would send, the same bytes for
/// the same `seed` on every run.
pub fn generate(entries: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let invoice_id = rng.uuid();
    let items: Vec<Value> = (0..entries as u64)
        .map(|index| entry(&mut rng, index, &invoice_id))
        .collect();
    serde_json::to_vec(&Value::Array(items)).expect("a Value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdk_iopole::types::{StatusHistoryItem, TradePartyRoleCode};

    #[test]
    fn the_history_is_deterministic_and_decodes_into_the_sdk_types() {
        let bytes = generate(400, 7);
        assert_eq!(bytes, generate(400, 7));
        let items: Vec<StatusHistoryItem> = serde_json::from_slice(&bytes).expect("decodes");
        assert_eq!(items.len(), 400);

        let roles = items
            .iter()
            .filter_map(|item| item.json.as_ref())
            .flat_map(|doc| {
                doc.sender
                    .iter()
                    .chain(doc.context.iter().flat_map(|c| c.sender.iter()))
            })
            .filter_map(|party| party.role_code.as_ref())
            .fold((0, 0), |(strings, objects), role| match role {
                TradePartyRoleCode::String(_) => (strings + 1, objects),
                TradePartyRoleCode::RoleCode(_) => (strings, objects + 1),
            });
        assert!(roles.0 > 0 && roles.1 > 0, "both roleCode forms: {roles:?}");
        let older = items
            .iter()
            .filter(|item| item.json.as_ref().is_some_and(|doc| doc.context.is_some()))
            .count();
        let current = items
            .iter()
            .filter(|item| item.json.as_ref().is_some_and(|doc| doc.identification.is_some()))
            .count();
        assert!(
            older > 100 && current > 100,
            "both shapes: {older} older, {current} current"
        );
        let xml: Vec<usize> = items
            .iter()
            .filter_map(|item| item.xml.as_ref().map(String::len))
            .collect();
        let (min, max) = (xml.iter().min().copied(), xml.iter().max().copied());
        assert!(
            xml.iter().all(|len| (1000..=2048).contains(len)),
            "xml sizes {min:?}..{max:?}"
        );
        assert!(items.iter().any(|item| item.json.is_none()));
    }
}
