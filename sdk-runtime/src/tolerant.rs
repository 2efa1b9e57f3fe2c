//! Per-item tolerant decoding of lists: one item the SDK cannot read must not fail the list.
//!
//! A provider's list (a status history, a batch of not-seen statuses) is decoded item by item
//! through [`Tolerant<T>`]: each item is first delimited as raw JSON (a cheap scan, no tree is
//! built), then decoded as `T` from that text, borrowed from the input when the deserializer reads
//! from memory (`serde_json::from_slice`, `from_str`) and copied only for an item that does not
//! decode. An item that decodes is [`Tolerant::Decoded`]; one that does not is
//! [`Tolerant::Undecodable`], which keeps the item's raw JSON and the decode error, so nothing is
//! dropped and nothing is hidden. Decoding a `Vec<Tolerant<T>>` fails only
//! when the body itself is not a JSON array (or not JSON at all).
//!
//! `cargo xtask generate` uses it for every array a spec marks `x-sdk-tolerant-items: true`: the
//! generated field or response type is `Vec<sdk_runtime::Tolerant<Item>>`.
//!
//! Delimiting each item costs a scan of its text, about 13% of a whole decode. [`from_slice`],
//! which the SDKs decode every response body with, first decodes the items directly, as plain
//! `T`s; only when an item refuses does it decode the body again, item by item as above. The
//! result is the same either way; a body with an undecodable item costs that second pass.
//!
//! ```
//! use sdk_runtime::Tolerant;
//!
//! #[derive(serde::Deserialize, Debug, PartialEq)]
//! struct Status {
//!     id: u32,
//!     code: String,
//! }
//!
//! let body = r#"[{"id": 1, "code": "APPROVED"}, {"id": "two", "code": 205}, {"id": 3, "code": "PAID"}]"#;
//! let items: Vec<Tolerant<Status>> = serde_json::from_str(body).unwrap();
//! assert_eq!(items.len(), 3, "nothing is dropped");
//! assert_eq!(items[0].decoded().map(|s| s.id), Some(1));
//! let bad = items[1].undecodable().unwrap();
//! assert_eq!(bad.raw_json(), r#"{"id": "two", "code": 205}"#);
//! assert!(bad.error().contains("invalid type"), "{}", bad.error());
//! assert_eq!(bad.field::<String>("id").as_deref(), Some("two"));
//! assert_eq!(bad.field::<u32>("code"), Some(205));
//! let (decoded, undecodable) = sdk_runtime::tolerant::partition(items);
//! assert_eq!((decoded.len(), undecodable.len()), (2, 1));
//! ```

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// One list item: decoded as `T`, or kept as raw JSON with the reason it could not be decoded.
///
/// Decoding never fails on the item's content, only on JSON that is not well formed (which fails
/// the whole document anyway). Serializing writes the decoded value, or the raw JSON verbatim.
#[derive(Clone, Debug, PartialEq)]
pub enum Tolerant<T> {
    /// The item decoded as `T`.
    Decoded(T),
    /// The item did not decode as `T`: its raw JSON and the error.
    Undecodable(Undecodable),
}

/// An item that did not decode: its raw JSON, exactly as received, and the decode error.
#[derive(Clone)]
pub struct Undecodable {
    raw: Box<RawValue>,
    error: String,
}

impl Undecodable {
    /// An undecodable item from its raw JSON and the error met decoding it.
    pub fn new(raw: Box<RawValue>, error: impl fmt::Display) -> Self {
        Self {
            raw,
            error: error.to_string(),
        }
    }

    /// The item's JSON text, exactly as received.
    pub fn raw_json(&self) -> &str {
        self.raw.get()
    }

    /// The item's JSON as a [`RawValue`].
    pub fn raw(&self) -> &RawValue {
        &self.raw
    }

    /// Why the item did not decode (serde's message; line and column count from the item's start).
    pub fn error(&self) -> &str {
        &self.error
    }

    /// The item parsed as a `serde_json::Value`.
    pub fn to_value(&self) -> serde_json::Value {
        // The text was delimited by the JSON parser, so it is valid JSON; `Null` cannot happen.
        serde_json::from_str(self.raw.get()).unwrap_or(serde_json::Value::Null)
    }

    /// The member `name` of the item, when the item is a JSON object that has it and its value
    /// decodes as `V` (for example the item's identifier, to act on an item the SDK cannot read).
    /// `None` otherwise; never fails.
    pub fn field<V: DeserializeOwned>(&self, name: &str) -> Option<V> {
        let mut deserializer = serde_json::Deserializer::from_str(self.raw.get());
        deserializer
            .deserialize_any(FieldVisitor {
                name,
                found: std::marker::PhantomData::<V>,
            })
            .ok()
            .flatten()
    }
}

impl fmt::Debug for Undecodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undecodable")
            .field("error", &self.error)
            .field("raw", &self.raw.get())
            .finish()
    }
}

impl fmt::Display for Undecodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "undecodable item ({})", self.error)
    }
}

impl PartialEq for Undecodable {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get() && self.error == other.error
    }
}

/// Reads one member of a JSON object, skipping the others without building them.
struct FieldVisitor<'a, V> {
    name: &'a str,
    found: std::marker::PhantomData<V>,
}

impl<'de, V: DeserializeOwned> Visitor<'de> for FieldVisitor<'_, V> {
    type Value = Option<V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if found.is_none() && key == self.name {
                // A value of another shape is "not readable", not an error: keep scanning.
                let raw: Box<RawValue> = map.next_value()?;
                found = serde_json::from_str::<V>(raw.get()).ok();
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    // Any other kind of value has no members.
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<T> Tolerant<T> {
    /// The decoded item, if it decoded.
    pub fn decoded(&self) -> Option<&T> {
        match self {
            Self::Decoded(value) => Some(value),
            Self::Undecodable(_) => None,
        }
    }

    /// The decoded item, if it decoded.
    pub fn into_decoded(self) -> Option<T> {
        match self {
            Self::Decoded(value) => Some(value),
            Self::Undecodable(_) => None,
        }
    }

    /// The undecodable item, if it did not decode.
    pub fn undecodable(&self) -> Option<&Undecodable> {
        match self {
            Self::Decoded(_) => None,
            Self::Undecodable(undecodable) => Some(undecodable),
        }
    }

    /// True for [`Tolerant::Decoded`].
    pub fn is_decoded(&self) -> bool {
        matches!(self, Self::Decoded(_))
    }

    /// `Ok` with the decoded item, `Err` with the undecodable one.
    pub fn as_result(&self) -> Result<&T, &Undecodable> {
        match self {
            Self::Decoded(value) => Ok(value),
            Self::Undecodable(undecodable) => Err(undecodable),
        }
    }

    /// `Ok` with the decoded item, `Err` with the undecodable one.
    pub fn into_result(self) -> Result<T, Undecodable> {
        match self {
            Self::Decoded(value) => Ok(value),
            Self::Undecodable(undecodable) => Err(undecodable),
        }
    }
}

impl<T: DeserializeOwned> Tolerant<T> {
    /// Decodes one item from its raw JSON; never fails.
    ///
    /// When `T` refuses the item, it is tried once more with every `null` object member removed
    /// (a `null` where `T` wants a value reads as an absent member, as the runtime does for whole
    /// bodies); if that fails too, the item is [`Tolerant::Undecodable`] with the first error.
    pub fn from_raw(raw: Box<RawValue>) -> Self {
        match decode_item(raw.get()) {
            Ok(value) => Self::Decoded(value),
            Err(error) => Self::Undecodable(Undecodable::new(raw, error)),
        }
    }

    /// As [`Tolerant::from_raw`], from the item's text as the deserializer handed it (lent by one
    /// that reads from memory): the text is copied only when the item does not decode. Never
    /// fails, so one item never fails its list.
    fn from_text(text: Cow<'_, str>) -> Self {
        match decode_item(&text) {
            Ok(value) => Self::Decoded(value),
            Err(error) => match RawValue::from_string(text.into_owned()) {
                Ok(raw) => Self::Undecodable(Undecodable::new(raw, error)),
                // The parser delimited the text, so it is JSON; should that ever not hold, the
                // item is still kept (as `null`), with both reasons.
                Err(kept) => Self::Undecodable(Undecodable::new(
                    RawValue::NULL.to_owned(),
                    format!("{error} (its text could not be kept: {kept})"),
                )),
            },
        }
    }
}

/// An item's JSON text decoded as `T`, then, if `T` refuses it, without its `null` members; the
/// error is the first attempt's.
fn decode_item<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str::<T>(text).or_else(|error| match without_null_members(text).map(T::deserialize) {
        Some(Ok(value)) => Ok(value),
        _ => Err(error),
    })
}

/// The JSON text parsed with every `null` object member removed (nulls in arrays stay: they are
/// items). `None` when the text does not parse or has no null member to remove.
fn without_null_members(text: &str) -> Option<serde_json::Value> {
    fn strip(value: serde_json::Value, removed: &mut bool) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                let mut kept = serde_json::Map::new();
                for (key, member) in map {
                    if member.is_null() {
                        *removed = true;
                    } else {
                        kept.insert(key, strip(member, removed));
                    }
                }
                Value::Object(kept)
            }
            Value::Array(items) => Value::Array(items.into_iter().map(|v| strip(v, removed)).collect()),
            other => other,
        }
    }
    if !text.contains("null") {
        return None;
    }
    let mut removed = false;
    let value = strip(serde_json::from_str(text).ok()?, &mut removed);
    removed.then_some(value)
}

impl<T> From<T> for Tolerant<T> {
    fn from(value: T) -> Self {
        Self::Decoded(value)
    }
}

/// The name under which serde_json hands a value's raw text to the one who asks for it: what
/// `RawValue`'s own `Deserialize` asks with. serde_json keeps it private, so it is written here.
/// If it ever changed, decoding would still be right, only one copy slower: serde_json would then
/// treat the request as any newtype, and [`ItemVisitor::visit_newtype_struct`] takes that path.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl<'de, T: DeserializeOwned> Deserialize<'de> for Tolerant<T> {
    // Asked as serde_json's `RawValue` is, so that a deserializer reading from memory lends the
    // item's text instead of copying it into a `Box<RawValue>` first; one reading a stream or a
    // `Value` hands a `String`. Inside `from_slice`'s first pass, the item is decoded directly.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if DIRECT_PASS.get() {
            return T::deserialize(deserializer).map(Tolerant::Decoded).inspect_err(|_| {
                ITEM_REFUSED.set(true);
            });
        }
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, ItemVisitor(std::marker::PhantomData))
    }
}

thread_local! {
    /// Set during [`from_slice`]'s first pass: items decode directly, without their text.
    static DIRECT_PASS: Cell<bool> = const { Cell::new(false) };
    /// Set when an item refused to decode during that pass.
    static ITEM_REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// Ends the direct pass when dropped (even by a panicking `Deserialize` impl), so that no other
/// decode on this thread runs in it.
struct DirectPass {
    outer: bool,
}

impl DirectPass {
    fn start() -> Self {
        ITEM_REFUSED.set(false);
        Self {
            outer: DIRECT_PASS.replace(true),
        }
    }
}

impl Drop for DirectPass {
    fn drop(&mut self) {
        DIRECT_PASS.set(self.outer);
    }
}

/// Decodes JSON as `serde_json::from_slice` does, with every [`Tolerant`] list item on its fast
/// path: the body is first decoded with each item read directly as its `T`; only if an item
/// refuses is the body decoded again, with each item delimited and kept raw when it does not
/// decode. The result is the same as `serde_json::from_slice`'s. A body without `Tolerant` items,
/// one whose items all decode, and one that fails for another reason than an item's content (JSON
/// that is not well formed, for one) is decoded once.
///
/// ```
/// use sdk_runtime::Tolerant;
///
/// let body = br#"[{"id": 1}, {"id": "two"}]"#;
/// #[derive(serde::Deserialize)]
/// struct Status {
///     id: u32,
/// }
/// let items: Vec<Tolerant<Status>> = sdk_runtime::tolerant::from_slice(body).unwrap();
/// assert!(items[0].is_decoded() && !items[1].is_decoded());
/// ```
///
/// # Errors
///
/// As `serde_json::from_slice`: the body is not JSON, or a part of it outside `Tolerant` items
/// does not decode.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    let direct = {
        let _pass = DirectPass::start();
        serde_json::from_slice(body)
    };
    let refused = ITEM_REFUSED.replace(false);
    match direct {
        // Only content an item refused is worth a second pass: JSON that is not well formed fails
        // both the same way.
        Err(error) if refused && error.is_data() => serde_json::from_slice(body),
        other => other,
    }
}

/// Takes one item's raw text from serde_json (a one-member map: the token, then the text).
struct ItemVisitor<T>(std::marker::PhantomData<fn() -> T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for ItemVisitor<T> {
    type Value = Tolerant<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<RawValueKey>()? {
            Some(RawValueKey) => {
                let ItemText(text) = map.next_value()?;
                Ok(Tolerant::from_text(text))
            }
            None => Err(serde::de::Error::invalid_type(serde::de::Unexpected::Map, &self)),
        }
    }

    // A deserializer that does not know the token: the text through `RawValue`'s own path.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Tolerant::from_raw)
    }
}

/// The key of serde_json's raw-text map; any other key is an error (a real map is never taken
/// for raw text).
struct RawValueKey;

impl<'de> Deserialize<'de> for RawValueKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RawValueKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("serde_json's raw value")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<RawValueKey, E> {
                if key == RAW_VALUE_TOKEN {
                    Ok(RawValueKey)
                } else {
                    Err(E::custom("expected serde_json's raw value"))
                }
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// An item's raw text: lent when the deserializer can, owned otherwise.
struct ItemText<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for ItemText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = ItemText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("raw JSON text")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(ItemText(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
                Ok(ItemText(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
                Ok(ItemText(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

impl<T: Serialize> Serialize for Tolerant<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Decoded(value) => value.serialize(serializer),
            Self::Undecodable(undecodable) => undecodable.raw.serialize(serializer),
        }
    }
}

impl<T: JsonSchema> JsonSchema for Tolerant<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    // The items the spec documents are the `T`s; undecodable ones are what falls outside it.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// Splits tolerant items into the decoded ones and the undecodable ones, each in list order.
pub fn partition<T>(items: impl IntoIterator<Item = Tolerant<T>>) -> (Vec<T>, Vec<Undecodable>) {
    let mut decoded = Vec::new();
    let mut undecodable = Vec::new();
    for item in items {
        match item {
            Tolerant::Decoded(value) => decoded.push(value),
            Tolerant::Undecodable(bad) => undecodable.push(bad),
        }
    }
    (decoded, undecodable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
    struct Item {
        id: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
    }

    #[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
    struct Group {
        name: String,
        #[serde(default)]
        items: Vec<Tolerant<Item>>,
    }

    /// Bodies whose results `from_slice` must give exactly as `serde_json::from_slice` does.
    const BODIES: &[&str] = &[
        r#"[{"id":1},{"id":2,"tags":["a"]}]"#,
        r#"[{"id":1},{"id":-2},"text",null,{"id":4,"tags":["a"]}]"#,
        r#"[{"id":1,"tags":null}]"#,
        r#"[]"#,
        r#"{"name":"g","items":[{"id":1},{"id":"x"}]}"#,
        r#"{"name":"g","items":[{"id":1}]}"#,
        r#"[{"id":1},"#,
        r#"{"name":7,"items":[{"id":"x"}]}"#,
        r#"{"items":[{"id":"x"}],"name":7}"#,
    ];

    #[test]
    fn from_slice_gives_what_serde_json_gives() {
        for body in BODIES {
            let lists = (
                from_slice::<Vec<Tolerant<Item>>>(body.as_bytes()).map_err(|e| e.to_string()),
                serde_json::from_slice::<Vec<Tolerant<Item>>>(body.as_bytes()).map_err(|e| e.to_string()),
            );
            assert_eq!(lists.0, lists.1, "{body}");
            let groups = (
                from_slice::<Group>(body.as_bytes()).map_err(|e| e.to_string()),
                serde_json::from_slice::<Group>(body.as_bytes()).map_err(|e| e.to_string()),
            );
            assert_eq!(groups.0, groups.1, "{body}");
        }
    }

    /// A number that records whether it was decoded in `from_slice`'s direct pass.
    #[derive(Debug, PartialEq)]
    struct Probe(bool);

    impl<'de> Deserialize<'de> for Probe {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            u32::deserialize(deserializer)?;
            Ok(Probe(DIRECT_PASS.get()))
        }
    }

    #[test]
    fn from_slice_decodes_once_when_every_item_decodes() {
        let all_good: Vec<Tolerant<Probe>> = from_slice(b"[1,2]").unwrap();
        assert_eq!(
            all_good,
            [Tolerant::Decoded(Probe(true)), Tolerant::Decoded(Probe(true))]
        );
        // One refusal: the whole body again, item by item, outside the direct pass.
        let one_bad: Vec<Tolerant<Probe>> = from_slice(br#"[1,"x"]"#).unwrap();
        assert_eq!(one_bad[0], Tolerant::Decoded(Probe(false)));
        assert_eq!(one_bad[1].undecodable().map(Undecodable::raw_json), Some(r#""x""#));
    }

    #[test]
    fn from_slice_leaves_no_direct_pass_behind() {
        // A refused item ends the direct pass; the next plain decode on the thread keeps items raw.
        let _ = from_slice::<Vec<Tolerant<Item>>>(br#"[{"id":"x"}]"#);
        let after: Vec<Tolerant<Item>> = serde_json::from_slice(br#"[{"id":"x"}]"#).unwrap();
        assert!(!after[0].is_decoded());
        // A body that fails outside the items is not decoded twice, and its error is serde_json's.
        let error = from_slice::<Group>(br#"{"name":7,"items":[]}"#).unwrap_err();
        assert!(error.to_string().contains("invalid type"), "{error}");
        assert!(!DIRECT_PASS.get() && !ITEM_REFUSED.get());
        // A body cut inside an item fails as JSON, in one pass, with serde_json's error.
        let cut = from_slice::<Vec<Tolerant<Item>>>(br#"[{"id":1},{"id":"#).unwrap_err();
        assert!(cut.is_eof(), "{cut}");
    }

    #[test]
    fn one_bad_item_keeps_the_others_in_order() {
        let body = br#"[{"id":1},{"id":-2},"text",null,{"id":4,"tags":["a"]}]"#;
        let items: Vec<Tolerant<Item>> = serde_json::from_slice(body).unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(items[0].decoded().map(|i| i.id), Some(1));
        assert_eq!(items[1].undecodable().map(Undecodable::raw_json), Some(r#"{"id":-2}"#));
        assert_eq!(items[2].undecodable().map(Undecodable::raw_json), Some(r#""text""#));
        assert_eq!(items[3].undecodable().map(Undecodable::raw_json), Some("null"));
        assert_eq!(items[4].decoded().map(|i| i.tags.clone()), Some(vec!["a".to_string()]));
        assert!(items[1].undecodable().unwrap().error().contains("-2"));
    }

    #[test]
    fn decodes_from_text_bytes_readers_and_values() {
        let text = r#"[{"id":1},{"id":"x"}]"#;
        let from_str: Vec<Tolerant<Item>> = serde_json::from_str(text).unwrap();
        let from_reader: Vec<Tolerant<Item>> = serde_json::from_reader(text.as_bytes()).unwrap();
        let from_value: Vec<Tolerant<Item>> = serde_json::from_value(serde_json::from_str(text).unwrap()).unwrap();
        for items in [&from_reader, &from_value] {
            assert_eq!(items.len(), 2);
            assert!(items[0].is_decoded() && !items[1].is_decoded());
            assert_eq!(
                items[1].undecodable().unwrap().field::<String>("id").as_deref(),
                Some("x")
            );
        }
        assert_eq!(from_str, from_reader);
    }

    #[test]
    fn nested_lists_are_tolerant_too_and_round_trip_verbatim() {
        let text = r#"[{"name":"g","items":[{"id":1},{"id":true}]},{"name":7}]"#;
        let groups: Vec<Tolerant<Group>> = serde_json::from_str(text).unwrap();
        let first = groups[0].decoded().unwrap();
        assert_eq!(first.items.len(), 2);
        assert!(first.items[0].is_decoded() && !first.items[1].is_decoded());
        assert!(!groups[1].is_decoded());
        assert_eq!(serde_json::to_string(&groups).unwrap(), text);
    }

    #[test]
    fn a_null_member_reads_as_absent() {
        let items: Vec<Tolerant<Item>> = serde_json::from_str(r#"[{"id":1,"tags":null,"note":null}]"#).unwrap();
        assert_eq!(
            items[0],
            Tolerant::Decoded(Item {
                id: 1,
                note: None,
                tags: vec![]
            })
        );
    }

    #[test]
    fn only_a_malformed_or_non_array_body_fails() {
        assert!(serde_json::from_str::<Vec<Tolerant<Item>>>(r#"[{"id":1},"#).is_err());
        assert!(serde_json::from_str::<Vec<Tolerant<Item>>>(r#"{"id":1}"#).is_err());
        assert!(serde_json::from_str::<Vec<Tolerant<Item>>>("[]").unwrap().is_empty());
    }

    #[test]
    fn a_map_from_another_deserializer_is_refused_not_read_as_raw_text() {
        use serde::de::value::{Error, MapDeserializer};
        let map = MapDeserializer::<_, Error>::new(vec![("id", 1u32)].into_iter());
        let error = Tolerant::<Item>::deserialize(map).expect_err("not serde_json's raw value");
        assert!(error.to_string().contains("raw value"), "{error}");
    }

    #[test]
    fn text_that_cannot_be_kept_still_gives_an_item_not_an_error() {
        let item = Tolerant::<Item>::from_text(Cow::Borrowed("{not json"));
        let bad = item.undecodable().expect("kept as undecodable");
        assert_eq!(bad.raw_json(), "null");
        assert!(bad.error().contains("its text could not be kept"), "{}", bad.error());
        let good = Tolerant::<Item>::from_text(Cow::Borrowed(r#"{"id":3}"#));
        assert_eq!(good.decoded().map(|item| item.id), Some(3));
    }

    #[test]
    fn field_reads_one_member_and_never_fails() {
        let bad = Undecodable::new(
            RawValue::from_string(r#"{"a":{"b":1},"id":"x","id":"y"}"#.into()).unwrap(),
            "e",
        );
        assert_eq!(bad.field::<String>("id").as_deref(), Some("x"));
        assert_eq!(bad.field::<u32>("id"), None);
        assert_eq!(bad.field::<String>("missing"), None);
        let scalar = Undecodable::new(RawValue::from_string("[1,2]".into()).unwrap(), "e");
        assert_eq!(scalar.field::<u32>("0"), None);
        assert_eq!(scalar.to_value(), serde_json::json!([1, 2]));
    }
}
