//! Open enums: the spec's listed values as variants, plus `Unknown(String)` for anything else, so
//! that a provider adding a value never breaks decoding. `cargo xtask generate` invokes
//! [`open_enum!`](macro@crate::open_enum) for every schema marked `x-sdk-open-enum: true`.

/// Declares an open enum.
///
/// ```
/// sdk_runtime::open_enum! {
///     /// A traffic light.
///     pub enum Light {
///         /// `RED`
///         Red => "RED",
///         /// `GREEN`
///         Green => "GREEN",
///     }
/// }
///
/// let light: Light = serde_json::from_str("\"AMBER\"").unwrap();
/// assert_eq!(light, Light::Unknown("AMBER".into()));
/// assert_eq!(serde_json::to_string(&Light::Red).unwrap(), "\"RED\"");
/// assert_eq!("GREEN".parse::<Light>(), Ok(Light::Green));
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version of the SDK does not list, kept verbatim.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every value the spec lists, in the spec's order.
            pub const KNOWN_VALUES: &'static [&'static str] = &[$($value),+];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// False for [`Self::Unknown`].
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }

            /// The variant for a wire value; `Unknown` when the spec does not list it.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from_wire(value))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::from_wire(&value)
            }
        }

        impl ::std::convert::From<&$name> for $name {
            fn from(value: &$name) -> Self {
                value.clone()
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                // A visitor, not `String`/`Cow` (serde's `Cow` impl always allocates): a listed
                // value decodes without an allocation.
                struct WireVisitor;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for WireVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: $crate::__private::serde::de::Error>(self, value: &str) -> ::std::result::Result<$name, E> {
                        Ok($name::from_wire(value))
                    }
                    fn visit_string<E: $crate::__private::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<$name, E> {
                        match $name::from_wire(&value) {
                            $name::Unknown(_) => Ok($name::Unknown(value)),
                            known => Ok(known),
                        }
                    }
                }
                deserializer.deserialize_str(WireVisitor)
            }
        }

        impl $crate::__private::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut $crate::__private::schemars::SchemaGenerator) -> $crate::__private::schemars::Schema {
                // Any string decodes; the listed values are the ones the spec documents.
                $crate::__private::schemars::json_schema!({
                    "type": "string",
                    "examples": [$($value),+]
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        /// A traffic light.
        pub enum Light {
            /// `RED`
            Red => "RED",
            /// `GREEN`
            Green => "GREEN",
        }
    }

    #[test]
    fn decodes_listed_and_new_values_from_text_and_from_values() {
        let listed: Vec<Light> = serde_json::from_str(r#"["RED","GREEN","BLUE","RED\u0020"]"#).unwrap();
        assert_eq!(
            listed,
            [
                Light::Red,
                Light::Green,
                Light::Unknown("BLUE".into()),
                Light::Unknown("RED ".into())
            ]
        );
        // A `Value` hands over owned strings (`visit_string`): same outcome.
        let owned: Vec<Light> = serde_json::from_value(serde_json::json!(["GREEN", "AMBER"])).unwrap();
        assert_eq!(owned, [Light::Green, Light::Unknown("AMBER".into())]);
        assert_eq!(serde_json::to_string(&owned).unwrap(), r#"["GREEN","AMBER"]"#);
        assert_eq!(Light::KNOWN_VALUES, ["RED", "GREEN"]);
        assert!(owned[0].is_known() && !owned[1].is_known());
    }

    #[test]
    fn a_value_of_another_json_kind_is_an_error_naming_the_type() {
        let error = serde_json::from_str::<Light>("42").unwrap_err().to_string();
        assert!(error.contains("a string (Light)"), "{error}");
    }
}
