//! Money on the generated document types: amounts that arrive as JSON strings or numbers, the
//! currency as a name or an object, and the totals at the top level or under `summary`.

use std::borrow::Cow;

use crate::types::{Currency, DecimalValue, Document};

/// Whether `text` is a plain decimal number: an optional `-`, ASCII digits, and optionally a `.`
/// followed by ASCII digits (no exponent, no `+`, no `NaN`, no thousands separator).
fn is_plain_decimal(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

impl DecimalValue {
    /// The value as a number: a number as is, a string parsed (surrounding whitespace ignored).
    /// `None` when the string is not a finite decimal number. Use [`decimal_text`](Self::decimal_text)
    /// when exactness matters.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(number) => Some(*number).filter(|n| n.is_finite()),
            Self::String(text) => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        }
    }

    /// The value as exact decimal text, whichever JSON kind carried it: a string as sent
    /// (surrounding whitespace trimmed, e.g. `"184.50"` stays `184.50`), a number written out in
    /// full (`2.49`, `23`). `None` when the string is not a plain decimal number (`-`, digits,
    /// optionally `.` and digits): no exponent, sign `+`, comma or empty text. The text of a
    /// number is that of the `f64` it decoded into, so prefer the string form for money.
    pub fn decimal_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Self::String(text) => Some(text.trim()).filter(|t| is_plain_decimal(t)).map(Cow::Borrowed),
            Self::Number(number) => Some(number.to_string()).filter(|t| is_plain_decimal(t)).map(Cow::Owned),
        }
    }
}

impl Currency {
    /// The currency's name: the string form as sent (e.g. `Euro`), or the object's `name`.
    /// `None` when blank or absent.
    pub fn name(&self) -> Option<&str> {
        let name = match self {
            Self::String(name) => name.as_str(),
            Self::CurrencyDetails(details) => details.name.as_deref()?,
        };
        Some(name.trim()).filter(|n| !n.is_empty())
    }

    /// The ISO 4217 code: the object's `code` (e.g. `EUR`). The string form names the currency,
    /// so its code is known only when the string is itself a code (three upper-case ASCII
    /// letters) or the name `Euro` (any case, giving `EUR`), the currency of the Portuguese
    /// accounts the docs describe; otherwise `None`.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::CurrencyDetails(details) => details.code.as_deref().map(str::trim).filter(|c| !c.is_empty()),
            Self::String(name) => {
                let name = name.trim();
                if name.len() == 3 && name.bytes().all(|b| b.is_ascii_uppercase()) {
                    Some(name)
                } else if name.eq_ignore_ascii_case("euro") {
                    Some("EUR")
                } else {
                    None
                }
            }
        }
    }

    /// The currency symbol (e.g. `€`): only the object form carries one.
    pub fn symbol(&self) -> Option<&str> {
        match self {
            Self::CurrencyDetails(details) => details.symbol.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            Self::String(_) => None,
        }
    }
}

/// A document's totals, each read from the top level of the document or, when absent there,
/// from its `summary` (live documents repeat them there; some may carry them only there).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals<'a> {
    /// Sum of the item lines before discount and taxes (`sum`).
    pub sum: Option<&'a DecimalValue>,
    /// Total discount (`discount`).
    pub discount: Option<&'a DecimalValue>,
    /// Total before taxes (`before_taxes`).
    pub before_taxes: Option<&'a DecimalValue>,
    /// Total taxes (`taxes`).
    pub taxes: Option<&'a DecimalValue>,
    /// Grand total (`total`).
    pub total: Option<&'a DecimalValue>,
}

impl Document {
    /// The document's totals: each top-level field, else the same field of `summary`.
    pub fn totals(&self) -> Totals<'_> {
        fn pick<'a>(
            top: &'a Option<DecimalValue>,
            nested: Option<&'a Option<DecimalValue>>,
        ) -> Option<&'a DecimalValue> {
            top.as_ref().or_else(|| nested?.as_ref())
        }
        let summary = self.summary.as_ref();
        Totals {
            sum: pick(&self.sum, summary.map(|s| &s.sum)),
            discount: pick(&self.discount, summary.map(|s| &s.discount)),
            before_taxes: pick(&self.before_taxes, summary.map(|s| &s.before_taxes)),
            taxes: pick(&self.taxes, summary.map(|s| &s.taxes)),
            total: pick(&self.total, summary.map(|s| &s.total)),
        }
    }

    /// The currency's ISO 4217 code, from either form of `currency` (see [`Currency::code`]).
    pub fn currency_code(&self) -> Option<&str> {
        self.currency.as_ref()?.code()
    }

    /// The currency's name, from either form of `currency` (see [`Currency::name`]).
    pub fn currency_name(&self) -> Option<&str> {
        self.currency.as_ref()?.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::CurrencyDetails;

    #[test]
    fn decimal_values_read_as_numbers_and_as_exact_text() {
        assert_eq!(DecimalValue::String("2.0244".into()).as_f64(), Some(2.0244));
        assert_eq!(DecimalValue::String(" 1.0 ".into()).as_f64(), Some(1.0));
        assert_eq!(DecimalValue::Number(3.5).as_f64(), Some(3.5));
        assert_eq!(DecimalValue::String("1,5".into()).as_f64(), None);
        assert_eq!(DecimalValue::String("NaN".into()).as_f64(), None);
        assert_eq!(DecimalValue::String("".into()).as_f64(), None);

        let text = |value: DecimalValue| value.decimal_text().map(Cow::into_owned);
        assert_eq!(text(DecimalValue::String(" 184.50 ".into())).as_deref(), Some("184.50"));
        assert_eq!(text(DecimalValue::String("-0.5".into())).as_deref(), Some("-0.5"));
        assert_eq!(text(DecimalValue::Number(2.49)).as_deref(), Some("2.49"));
        assert_eq!(text(DecimalValue::Number(23.0)).as_deref(), Some("23"));
        assert_eq!(text(DecimalValue::Number(-0.465612)).as_deref(), Some("-0.465612"));
        assert_eq!(
            text(DecimalValue::Number(1e21)).as_deref(),
            Some("1000000000000000000000")
        );
        for bad in ["", "1,5", "1e3", "+1", ".5", "5.", "NaN", "inf", "1.2.3", "--1", "١"] {
            assert_eq!(text(DecimalValue::String(bad.into())), None, "{bad:?}");
        }
    }

    #[test]
    fn currency_name_and_code_from_either_form() {
        let details = |name: Option<&str>, code: Option<&str>, symbol: Option<&str>| {
            Currency::CurrencyDetails(CurrencyDetails {
                name: name.map(str::to_string),
                code: code.map(str::to_string),
                symbol: symbol.map(str::to_string),
            })
        };
        let live = details(Some("Euro"), Some("EUR"), Some("€"));
        assert_eq!(
            (live.name(), live.code(), live.symbol()),
            (Some("Euro"), Some("EUR"), Some("€"))
        );
        let bare = details(None, Some(" USD "), Some(" "));
        assert_eq!((bare.name(), bare.code(), bare.symbol()), (None, Some("USD"), None));

        let docs = Currency::String("Euro".into());
        assert_eq!(
            (docs.name(), docs.code(), docs.symbol()),
            (Some("Euro"), Some("EUR"), None)
        );
        assert_eq!(Currency::String("EURO".into()).code(), Some("EUR"));
        assert_eq!(Currency::String("GBP".into()).code(), Some("GBP"));
        let other = Currency::String("Dólar Americano".into());
        assert_eq!((other.name(), other.code()), (Some("Dólar Americano"), None));
        assert_eq!(Currency::String("usd".into()).code(), None);
        assert_eq!(Currency::String("  ".into()).name(), None);
    }

    #[test]
    fn totals_come_from_the_top_level_else_the_summary() {
        let doc: Document =
            serde_json::from_str(r#"{"id":1,"total":"184.5","summary":{"total":"999","taxes":"34.5","sum":150.0}}"#)
                .expect("decodes");
        let totals = doc.totals();
        assert_eq!(
            totals.total,
            Some(&DecimalValue::String("184.5".into())),
            "the top level wins"
        );
        assert_eq!(totals.taxes, Some(&DecimalValue::String("34.5".into())));
        assert_eq!(totals.sum, Some(&DecimalValue::Number(150.0)));
        assert_eq!((totals.discount, totals.before_taxes), (None, None));

        let bare: Document = serde_json::from_str(r#"{"id":2}"#).expect("decodes");
        assert_eq!(bare.totals(), Totals::default());
        assert_eq!((bare.currency_code(), bare.currency_name()), (None, None));
    }
}
