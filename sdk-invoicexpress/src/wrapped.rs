//! A document response read for its documents: what `change_state` decodes a 200 into
//! (`x-sdk-decode-as`, CONVENTIONS rule 19).
//!
//! The generated `DocumentResponse` holds its fourteen possible documents inline, about 16 KiB,
//! where a body carries one; built on the stack and copied into the reply, it cost more than the
//! rest of the call's decoding. [`WrappedDocuments`] reads the same JSON and boxes each document
//! present as it is decoded: a few words, and one box per document.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::state::{DocumentFamily, DocumentKind};
use crate::types::Document;

/// The key a document sits under: a type's singular key (`credit_note`), or a family key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WrapperKey {
    Kind(DocumentKind),
    Estimate,
    Guide,
}

impl WrapperKey {
    /// The key named `key`, if it is one of `DocumentResponse`'s.
    fn of(key: &str) -> Option<Self> {
        match key {
            "estimate" => Some(Self::Estimate),
            "guide" => Some(Self::Guide),
            _ => DocumentKind::ALL
                .into_iter()
                .find(|kind| kind.wrapper_key() == key)
                .map(Self::Kind),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Kind(kind) => kind.wrapper_key(),
            Self::Estimate => "estimate",
            Self::Guide => "guide",
        }
    }

    /// The family key of `kind`'s family, for the families that have one.
    fn family_of(kind: DocumentKind) -> Option<Self> {
        match kind.family() {
            DocumentFamily::Estimates => Some(Self::Estimate),
            DocumentFamily::Guides => Some(Self::Guide),
            DocumentFamily::Invoices | DocumentFamily::Receipts => None,
        }
    }
}

/// The documents a document response wraps, each boxed, with the key it came under. The first is
/// kept apart from the others (a response wraps one document, almost always), so the usual
/// response costs one allocation.
#[derive(Debug, Default)]
pub(crate) struct WrappedDocuments {
    first: Option<(WrapperKey, Box<Document>)>,
    others: Vec<(WrapperKey, Box<Document>)>,
}

impl WrappedDocuments {
    /// Whether a document came under `key`.
    fn has(&self, key: WrapperKey) -> bool {
        self.first.as_ref().is_some_and(|(present, _)| *present == key)
            || self.others.iter().any(|(present, _)| *present == key)
    }

    /// Keeps `document`, which came under `key`.
    fn push(&mut self, key: WrapperKey, document: Box<Document>) {
        match self.first {
            None => self.first = Some((key, document)),
            Some(_) => self.others.push((key, document)),
        }
    }

    /// The document `DocumentResponse::into_document(kind)` would give: under the key of `kind`,
    /// then its family's key, then the first found in [`DocumentKind::ALL`]'s order (each type's
    /// key, then its family's), then `estimate`, then `guide`.
    pub(crate) fn take_preferred(&mut self, kind: DocumentKind) -> Option<Document> {
        let own = [Some(WrapperKey::Kind(kind)), WrapperKey::family_of(kind)];
        let any = DocumentKind::ALL
            .into_iter()
            .flat_map(|other| [Some(WrapperKey::Kind(other)), WrapperKey::family_of(other)]);
        let last = [Some(WrapperKey::Estimate), Some(WrapperKey::Guide)];
        let key = own
            .into_iter()
            .chain(any)
            .chain(last)
            .flatten()
            .find(|key| self.has(*key))?;
        if self.first.as_ref().is_some_and(|(present, _)| *present == key) {
            return self.first.take().map(|(_, document)| *document);
        }
        let at = self.others.iter().position(|(present, _)| *present == key)?;
        Some(*self.others.swap_remove(at).1)
    }
}

impl<'de> Deserialize<'de> for WrappedDocuments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocumentsVisitor)
    }
}

struct DocumentsVisitor;

impl<'de> Visitor<'de> for DocumentsVisitor {
    type Value = WrappedDocuments;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object wrapping a document under its type's key")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut documents = WrappedDocuments::default();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let Some(key) = key else {
                // A key `DocumentResponse` has no field for: ignored, as it ignores it.
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if documents.has(key) {
                return Err(de::Error::duplicate_field(key.name()));
            }
            // `null` is no document, as for `DocumentResponse`'s `Option`s.
            if let Some(document) = map.next_value::<Option<Box<Document>>>()? {
                documents.push(key, document);
            }
        }
        Ok(documents)
    }
}

/// A map key, read without allocating: a [`WrapperKey`] or another key.
struct Key(Option<WrapperKey>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(Key(WrapperKey::of(key)))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DocumentResponse;

    /// Bodies the two readings must agree on: per-type keys, family keys, several documents,
    /// nulls, unknown keys, and none.
    const BODIES: &[&str] = &[
        r#"{"invoice":{"id":1},"credit_note":{"id":2}}"#,
        r#"{"estimate":{"id":5}}"#,
        r#"{"guide":{"id":6},"shipping":{"id":7}}"#,
        r#"{"quote":null,"proforma":{"id":8},"token":"x","account":{"id":3}}"#,
        r#"{"receipt":{"id":9},"invoice_receipt":{"id":10},"simplified_invoice":{"id":11}}"#,
        r#"{"devolution":{"id":12},"transport":{"id":13},"fees_note":{"id":14},"debit_note":{"id":15}}"#,
        r#"{}"#,
        r#"{"unknown":{"id":4}}"#,
    ];

    #[test]
    fn it_chooses_the_document_the_generated_type_chooses() {
        for body in BODIES {
            for kind in DocumentKind::ALL {
                let generated: DocumentResponse = serde_json::from_str(body).expect("decodes");
                let mut compact: WrappedDocuments = serde_json::from_str(body).expect("decodes");
                assert_eq!(
                    compact.take_preferred(kind).map(|d| d.id),
                    generated.into_document(kind).map(|d| d.id),
                    "{body} as {kind:?}"
                );
            }
        }
    }

    #[test]
    fn it_knows_every_key_of_the_generated_type() {
        // Every field of `DocumentResponse` set: each must come back as a document.
        let document: Document = serde_json::from_str(r#"{"id":1}"#).expect("decodes");
        let keys: Vec<String> = {
            let probe = serde_json::to_value(DocumentResponse::default()).expect("encodes");
            assert_eq!(probe, serde_json::json!({}), "an empty response has no keys");
            let full: serde_json::Value = serde_json::to_value(DocumentResponse {
                credit_note: Some(document.clone()),
                debit_note: Some(document.clone()),
                devolution: Some(document.clone()),
                estimate: Some(document.clone()),
                fees_note: Some(document.clone()),
                guide: Some(document.clone()),
                invoice: Some(document.clone()),
                invoice_receipt: Some(document.clone()),
                proforma: Some(document.clone()),
                quote: Some(document.clone()),
                receipt: Some(document.clone()),
                shipping: Some(document.clone()),
                simplified_invoice: Some(document.clone()),
                transport: Some(document.clone()),
            })
            .expect("encodes");
            full.as_object().expect("an object").keys().cloned().collect()
        };
        for key in &keys {
            assert!(WrapperKey::of(key).is_some(), "`{key}` is not read");
        }
        assert_eq!(keys.len(), 14);
    }

    #[test]
    fn a_repeated_key_or_a_body_that_is_not_an_object_is_refused() {
        assert!(serde_json::from_str::<WrappedDocuments>(r#"{"invoice":{"id":1},"invoice":{"id":2}}"#).is_err());
        assert!(serde_json::from_str::<WrappedDocuments>(r#"[1]"#).is_err());
        assert!(serde_json::from_str::<WrappedDocuments>(r#"{"invoice":{"id":"x"}}"#).is_err());
    }
}
