//! `oneOf` types whose variants are distinct JSON kinds (a string or an object, an integer or a
//! string, ...), decoded by looking at the kind of the JSON value once.
//!
//! typify turns such a `oneOf` into a `#[serde(untagged)]` enum, whose derived `Deserialize`
//! buffers every value, then tries each variant in turn and builds an error for each miss. When no
//! two variants share a JSON kind, the kind alone decides the variant: `cargo xtask generate`
//! replaces those enums with [`one_of!`](macro@crate::one_of), which keeps typify's variant names,
//! inner types, `From` impls and `Display`, and decodes through `deserialize_any` with one visitor.

/// Declares an enum with one variant per JSON kind, decoded by kind.
///
/// Each variant names its JSON kind: `string`, `integer`, `number`, `boolean`, `object` or
/// `array`, at most one variant per kind. `with From` adds `From<inner>`; a trailing
/// `impl Display;` formats the inner value. Decoding dispatches on the JSON value's kind: a
/// string goes to the `string` variant, an integer to the `integer` variant (range-checked by its
/// inner type; to the `number` variant when there is no `integer` one), a number with a fraction to
/// the `number` variant (a whole number such as `404.0` to the `integer` variant when there is no
/// `number` one), an object or array to its variant's type, and any other kind is refused with an
/// error naming the kinds the type accepts. Serializing writes the inner value, untagged.
///
/// It needs a self-describing format (`deserialize_any`), as serde's untagged enums do.
///
/// ```
/// use std::collections::BTreeMap;
///
/// sdk_runtime::one_of! {
///     /// A code, as a number or as a string.
///     pub enum Code {
///         /// The integer form.
///         Int32(i32) as integer with From,
///         /// The string form.
///         String(String) as string,
///     }
///     impl Display;
/// }
///
/// sdk_runtime::one_of! {
///     /// A role: the bare code or an object.
///     pub enum Role {
///         /// The bare code.
///         String(String) as string,
///         /// The object form.
///         Object(BTreeMap<String, String>) as object with From,
///     }
/// }
///
/// assert_eq!(serde_json::from_str::<Code>("404").unwrap(), Code::Int32(404));
/// assert_eq!(serde_json::from_str::<Code>("\"404\"").unwrap(), Code::String("404".into()));
/// let error = serde_json::from_str::<Code>("true").unwrap_err().to_string();
/// assert!(error.contains("expected a JSON integer or string (Code)"), "{error}");
/// assert_eq!(serde_json::to_string(&Code::from(7)).unwrap(), "7");
/// assert_eq!(Code::String("x".into()).to_string(), "x");
/// assert!(matches!(serde_json::from_str::<Role>(r#"{"value":"SE"}"#).unwrap(), Role::Object(_)));
/// assert_eq!(serde_json::from_str::<Role>(r#""SE""#).unwrap(), Role::String("SE".into()));
/// ```
#[macro_export]
macro_rules! one_of {
    // Internal: decode through the variant whose kind is the wanted one; every other variant
    // expands to nothing.
    (@take string string $name:ident $variant:ident ($ty:ty) $de:expr) => {
        return <$ty as $crate::__private::serde::Deserialize>::deserialize($de).map($name::$variant)
    };
    (@take integer integer $name:ident $variant:ident ($ty:ty) $de:expr) => {
        return <$ty as $crate::__private::serde::Deserialize>::deserialize($de).map($name::$variant)
    };
    (@take number number $name:ident $variant:ident ($ty:ty) $de:expr) => {
        return <$ty as $crate::__private::serde::Deserialize>::deserialize($de).map($name::$variant)
    };
    (@take boolean boolean $name:ident $variant:ident ($ty:ty) $de:expr) => {
        return <$ty as $crate::__private::serde::Deserialize>::deserialize($de).map($name::$variant)
    };
    (@take object object $name:ident $variant:ident ($ty:ty) $de:expr) => {
        return <$ty as $crate::__private::serde::Deserialize>::deserialize($de).map($name::$variant)
    };
    (@take array array $name:ident $variant:ident ($ty:ty) $de:expr) => {
        return <$ty as $crate::__private::serde::Deserialize>::deserialize($de).map($name::$variant)
    };
    (@take $want:ident $kind:ident $name:ident $variant:ident ($ty:ty) $de:expr) => {};

    // Internal: a JSON number with a fraction part (or written `404.0`) for a type that has an
    // integer variant and no number variant: whole values go to the integer variant.
    (@whole integer $name:ident $variant:ident ($ty:ty) $value:ident $error:ident) => {{
        use $crate::__private::serde::de::value::{I64Deserializer, U64Deserializer};
        // -2^63 <= value < 2^63, then 2^63 <= value < 2^64: the casts below are exact.
        if $value.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&$value) {
            return <$ty as $crate::__private::serde::Deserialize>::deserialize(I64Deserializer::<$error>::new($value as i64))
                .map($name::$variant);
        }
        if $value.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&$value) {
            return <$ty as $crate::__private::serde::Deserialize>::deserialize(U64Deserializer::<$error>::new($value as u64))
                .map($name::$variant);
        }
        return ::std::result::Result::Err(<$error as $crate::__private::serde::de::Error>::invalid_value(
            $crate::__private::serde::de::Unexpected::Float($value),
            &concat!("an integer (", stringify!($name), " has no variant for fractional numbers)"),
        ));
    }};
    (@whole $kind:ident $name:ident $variant:ident ($ty:ty) $value:ident $error:ident) => {};

    // Internal: `Display` when asked for.
    (@display [Display] $name:ident [$($variant:ident)+]) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $( Self::$variant(value) => ::std::fmt::Display::fmt(value, f), )+
                }
            }
        }
    };
    (@display [] $name:ident [$($variant:ident)+]) => {};

    // Internal: `From<inner>` when asked for.
    (@from [From] $name:ident $variant:ident ($ty:ty)) => {
        impl ::std::convert::From<$ty> for $name {
            fn from(value: $ty) -> Self {
                Self::$variant(value)
            }
        }
    };
    (@from [] $name:ident $variant:ident ($ty:ty)) => {};

    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident($ty:ty) as $kind:ident $(with $from:ident)? ),+ $(,)?
        }
        $(impl $display:ident;)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant($ty), )+
        }

        $( $crate::one_of!(@from [$($from)?] $name $variant ($ty)); )+
        $crate::one_of!(@display [$($display)?] $name [$($variant)+]);

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(value) => $crate::__private::serde::Serialize::serialize(value, serializer), )+
                }
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct KindVisitor;

                // Each `visit_*` returns from the variant of its kind, if the type has one; the
                // refusal at its end is then unreachable.
                #[allow(unreachable_code, unused_variables)]
                impl<'de> $crate::__private::serde::de::Visitor<'de> for KindVisitor {
                    type Value = $name;

                    fn expecting(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        const KINDS: &[&str] = &[$(stringify!($kind)),+];
                        formatter.write_str("a JSON ")?;
                        for (index, kind) in KINDS.iter().enumerate() {
                            if index > 0 {
                                formatter.write_str(if index + 1 == KINDS.len() { " or " } else { ", " })?;
                            }
                            formatter.write_str(kind)?;
                        }
                        formatter.write_str(concat!(" (", stringify!($name), ")"))
                    }

                    fn visit_bool<E: $crate::__private::serde::de::Error>(self, v: bool) -> ::std::result::Result<$name, E> {
                        $( $crate::one_of!(@take boolean $kind $name $variant ($ty) $crate::__private::serde::de::value::BoolDeserializer::<E>::new(v)); )+
                        ::std::result::Result::Err(E::invalid_type($crate::__private::serde::de::Unexpected::Bool(v), &self))
                    }

                    fn visit_i64<E: $crate::__private::serde::de::Error>(self, v: i64) -> ::std::result::Result<$name, E> {
                        $( $crate::one_of!(@take integer $kind $name $variant ($ty) $crate::__private::serde::de::value::I64Deserializer::<E>::new(v)); )+
                        $( $crate::one_of!(@take number $kind $name $variant ($ty) $crate::__private::serde::de::value::I64Deserializer::<E>::new(v)); )+
                        ::std::result::Result::Err(E::invalid_type($crate::__private::serde::de::Unexpected::Signed(v), &self))
                    }

                    fn visit_u64<E: $crate::__private::serde::de::Error>(self, v: u64) -> ::std::result::Result<$name, E> {
                        $( $crate::one_of!(@take integer $kind $name $variant ($ty) $crate::__private::serde::de::value::U64Deserializer::<E>::new(v)); )+
                        $( $crate::one_of!(@take number $kind $name $variant ($ty) $crate::__private::serde::de::value::U64Deserializer::<E>::new(v)); )+
                        ::std::result::Result::Err(E::invalid_type($crate::__private::serde::de::Unexpected::Unsigned(v), &self))
                    }

                    fn visit_f64<E: $crate::__private::serde::de::Error>(self, v: f64) -> ::std::result::Result<$name, E> {
                        $( $crate::one_of!(@take number $kind $name $variant ($ty) $crate::__private::serde::de::value::F64Deserializer::<E>::new(v)); )+
                        $( $crate::one_of!(@whole $kind $name $variant ($ty) v E); )+
                        ::std::result::Result::Err(E::invalid_type($crate::__private::serde::de::Unexpected::Float(v), &self))
                    }

                    fn visit_str<E: $crate::__private::serde::de::Error>(self, v: &str) -> ::std::result::Result<$name, E> {
                        $( $crate::one_of!(@take string $kind $name $variant ($ty) $crate::__private::serde::de::value::StrDeserializer::<E>::new(v)); )+
                        ::std::result::Result::Err(E::invalid_type($crate::__private::serde::de::Unexpected::Str(v), &self))
                    }

                    fn visit_borrowed_str<E: $crate::__private::serde::de::Error>(self, v: &'de str) -> ::std::result::Result<$name, E> {
                        $( $crate::one_of!(@take string $kind $name $variant ($ty) $crate::__private::serde::de::value::BorrowedStrDeserializer::<'de, E>::new(v)); )+
                        ::std::result::Result::Err(E::invalid_type($crate::__private::serde::de::Unexpected::Str(v), &self))
                    }

                    fn visit_string<E: $crate::__private::serde::de::Error>(self, v: ::std::string::String) -> ::std::result::Result<$name, E> {
                        $( $crate::one_of!(@take string $kind $name $variant ($ty) $crate::__private::serde::de::value::StringDeserializer::<E>::new(v)); )+
                        ::std::result::Result::Err(E::invalid_type($crate::__private::serde::de::Unexpected::Str(&v), &self))
                    }

                    fn visit_map<A: $crate::__private::serde::de::MapAccess<'de>>(self, map: A) -> ::std::result::Result<$name, A::Error> {
                        $( $crate::one_of!(@take object $kind $name $variant ($ty) $crate::__private::serde::de::value::MapAccessDeserializer::new(map)); )+
                        ::std::result::Result::Err(<A::Error as $crate::__private::serde::de::Error>::invalid_type(
                            $crate::__private::serde::de::Unexpected::Map,
                            &self,
                        ))
                    }

                    fn visit_seq<A: $crate::__private::serde::de::SeqAccess<'de>>(self, seq: A) -> ::std::result::Result<$name, A::Error> {
                        $( $crate::one_of!(@take array $kind $name $variant ($ty) $crate::__private::serde::de::value::SeqAccessDeserializer::new(seq)); )+
                        ::std::result::Result::Err(<A::Error as $crate::__private::serde::de::Error>::invalid_type(
                            $crate::__private::serde::de::Unexpected::Seq,
                            &self,
                        ))
                    }
                }

                deserializer.deserialize_any(KindVisitor)
            }
        }

        impl $crate::__private::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }

            fn json_schema(generator: &mut $crate::__private::schemars::SchemaGenerator) -> $crate::__private::schemars::Schema {
                // What serde's untagged enum declares: any of the variants' schemas.
                $crate::__private::schemars::json_schema!({
                    "anyOf": [ $( generator.subschema_for::<$ty>() ),+ ]
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    /// An object type standing for a generated struct.
    #[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
    pub struct Role {
        code: Option<String>,
        value: Option<String>,
    }

    crate::one_of! {
        /// Every kind at once.
        pub enum Every {
            /// string
            String(String) as string,
            /// integer
            Int32(i32) as integer with From,
            /// boolean
            Boolean(bool) as boolean with From,
            /// object
            Role(Role) as object with From,
            /// array
            Array(Vec<serde_json::Value>) as array with From,
        }
    }

    crate::one_of! {
        /// Number or string, as `DecimalValue`.
        pub enum Decimal {
            /// string
            String(String) as string,
            /// number
            Number(f64) as number with From,
        }
        impl Display;
    }

    crate::one_of! {
        /// Integer or number, both present.
        pub enum Both {
            /// integer
            Int64(i64) as integer with From,
            /// number
            Number(f64) as number with From,
        }
    }

    crate::one_of! {
        /// Object or array of raw JSON, as `IopoleErrorDetails`.
        pub(crate) enum Details {
            /// object
            Object(serde_json::Map<String, serde_json::Value>) as object with From,
            /// array
            Array(Vec<serde_json::Value>) as array with From,
        }
    }

    crate::one_of! {
        /// Unsigned, with a map.
        enum Small {
            /// integer
            U8(u8) as integer,
            /// object
            Map(BTreeMap<String, u8>) as object,
        }
    }

    fn decode<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn each_kind_goes_to_its_variant() {
        assert_eq!(decode::<Every>(r#""SE""#), Ok(Every::String("SE".into())));
        // Escapes make serde_json hand over a transient (not borrowed) string.
        assert_eq!(decode::<Every>(r#""S\u0045""#), Ok(Every::String("SE".into())));
        assert_eq!(decode::<Every>("-12"), Ok(Every::Int32(-12)));
        assert_eq!(decode::<Every>("12"), Ok(Every::Int32(12)));
        assert_eq!(decode::<Every>("true"), Ok(Every::Boolean(true)));
        assert_eq!(
            decode::<Every>(r#"{"code":"SELLER","value":"SE","desc":"extra"}"#),
            Ok(Every::Role(Role {
                code: Some("SELLER".into()),
                value: Some("SE".into()),
            }))
        );
        assert_eq!(
            decode::<Every>(r#"[1,"a",null]"#),
            Ok(Every::Array(vec![1.into(), "a".into(), serde_json::Value::Null]))
        );
        assert_eq!(decode::<Decimal>("2.0244"), Ok(Decimal::Number(2.0244)));
        assert_eq!(decode::<Decimal>(r#""2.0244""#), Ok(Decimal::String("2.0244".into())));
        assert!(matches!(decode::<Details>(r#"{"a":[1]}"#), Ok(Details::Object(map)) if map.len() == 1));
        assert!(matches!(decode::<Details>("[]"), Ok(Details::Array(items)) if items.is_empty()));
        assert!(matches!(decode::<Small>(r#"{"a":1}"#), Ok(Small::Map(map)) if map["a"] == 1));
    }

    #[test]
    fn from_a_json_value_too() {
        let value = serde_json::json!({"code": "BY"});
        assert!(matches!(Every::deserialize(value), Ok(Every::Role(role)) if role.code.as_deref() == Some("BY")));
        assert_eq!(Every::deserialize(serde_json::json!(7)).unwrap(), Every::Int32(7));
        assert_eq!(
            Decimal::deserialize(serde_json::json!(7)).unwrap(),
            Decimal::Number(7.0)
        );
    }

    #[test]
    fn an_object_variant_reports_its_own_errors() {
        let error = decode::<Every>(r#"{"code": 5}"#).unwrap_err();
        assert!(
            error.contains("invalid type: integer `5`, expected a string"),
            "{error}"
        );
    }

    #[test]
    fn an_unexpected_kind_names_the_accepted_kinds() {
        let error = decode::<Decimal>("true").unwrap_err();
        assert!(
            error.starts_with("invalid type: boolean `true`, expected a JSON string or number (Decimal)"),
            "{error}"
        );
        let error = decode::<Decimal>("{}").unwrap_err();
        assert!(
            error.starts_with("invalid type: map, expected a JSON string or number"),
            "{error}"
        );
        let error = decode::<Details>(r#""text""#).unwrap_err();
        assert!(
            error.starts_with(r#"invalid type: string "text", expected a JSON object or array (Details)"#),
            "{error}"
        );
        let error = decode::<Details>("3").unwrap_err();
        assert!(
            error.starts_with("invalid type: integer `3`, expected a JSON object or array"),
            "{error}"
        );
        let error = decode::<Every>("1.5").unwrap_err();
        assert!(error.contains("has no variant for fractional numbers"), "{error}");
        let error = decode::<Every>("null").unwrap_err();
        assert!(
            error.starts_with("invalid type: null, expected a JSON string, integer, boolean, object or array (Every)"),
            "{error}"
        );
        assert!(decode::<Option<Every>>("null").unwrap().is_none());
        let error = decode::<Small>("[1]").unwrap_err();
        assert!(
            error.starts_with("invalid type: sequence, expected a JSON integer or object (Small)"),
            "{error}"
        );
    }

    #[test]
    fn integers_are_range_checked_by_the_inner_type() {
        assert_eq!(decode::<Every>("2147483647"), Ok(Every::Int32(i32::MAX)));
        assert_eq!(decode::<Every>("-2147483648"), Ok(Every::Int32(i32::MIN)));
        let error = decode::<Every>("2147483648").unwrap_err();
        assert!(
            error.contains("invalid value: integer `2147483648`, expected i32"),
            "{error}"
        );
        let error = decode::<Every>("-2147483649").unwrap_err();
        assert!(error.contains("expected i32"), "{error}");
        let error = decode::<Small>("-1").unwrap_err();
        assert!(error.contains("invalid value: integer `-1`, expected u8"), "{error}");
        assert_eq!(decode::<Both>("18446744073709551615").ok(), None, "above i64::MAX");
        assert_eq!(decode::<Both>("9223372036854775807"), Ok(Both::Int64(i64::MAX)));
        // Whole numbers written with a fraction part go to the integer variant when there is no
        // number variant; with one, they stay numbers.
        assert_eq!(decode::<Every>("404.0"), Ok(Every::Int32(404)));
        assert_eq!(decode::<Every>("4e2"), Ok(Every::Int32(400)));
        assert!(decode::<Every>("1e10").unwrap_err().contains("expected i32"));
        assert!(decode::<Every>("1e300").unwrap_err().contains("fractional"));
        assert_eq!(decode::<Both>("404.0"), Ok(Both::Number(404.0)));
        assert_eq!(decode::<Both>("404"), Ok(Both::Int64(404)));
        // No integer variant: integers become numbers.
        assert_eq!(decode::<Decimal>("3"), Ok(Decimal::Number(3.0)));
        assert_eq!(decode::<Decimal>("-3"), Ok(Decimal::Number(-3.0)));
    }

    #[test]
    fn serializing_writes_the_inner_value_and_round_trips() {
        let values = [
            Every::String("SE".into()),
            Every::Int32(-5),
            Every::Boolean(false),
            Every::Role(Role {
                code: Some("SELLER".into()),
                value: None,
            }),
            Every::Array(vec![serde_json::json!({"a": 1})]),
        ];
        let expected = [
            r#""SE""#,
            "-5",
            "false",
            r#"{"code":"SELLER","value":null}"#,
            r#"[{"a":1}]"#,
        ];
        for (value, json) in values.iter().zip(expected) {
            assert_eq!(serde_json::to_string(value).unwrap(), json);
            assert_eq!(&decode::<Every>(json).unwrap(), value);
        }
        for value in [Decimal::Number(2.5), Decimal::String("2.0244".into())] {
            assert_eq!(
                decode::<Decimal>(&serde_json::to_string(&value).unwrap()).unwrap(),
                value
            );
        }
    }

    #[test]
    fn from_and_display_are_the_inner_values() {
        assert_eq!(Every::from(3), Every::Int32(3));
        assert_eq!(Every::from(true), Every::Boolean(true));
        assert_eq!(Decimal::from(1.5), Decimal::Number(1.5));
        assert_eq!(Decimal::Number(1.5).to_string(), "1.5");
        assert_eq!(Decimal::String("2.0244".into()).to_string(), "2.0244");
        assert_eq!(Details::from(Vec::new()), Details::Array(Vec::new()));
        assert_eq!(Small::U8(1).clone(), Small::U8(1));
    }

    #[test]
    fn the_schema_is_any_of_the_variants() {
        let schema = schemars::schema_for!(Decimal);
        let value = serde_json::to_value(&schema).unwrap();
        let any_of = value["anyOf"].as_array().expect("anyOf");
        assert_eq!(any_of.len(), 2);
        assert_eq!(any_of[0]["type"], "string");
        assert_eq!(any_of[1]["type"], "number");
        assert_eq!(value["title"], "Decimal");
    }
}
