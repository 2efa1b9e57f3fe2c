//! Accessors on the generated types: one way to read what Iopole sends in either of its shapes.

use crate::LifecycleStatus;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::types::{
    DocumentReference, DocumentStatus, IopoleDateTime, IopoleError, IopoleErrorDetails, LifecycleDocument, StatusCode,
    StatusHistoryItem, StatusInfo, TradeParty, TradePartyRoleCode,
};

impl StatusCode {
    /// The lifecycle status this code names, whether it came as a name (`"APPROVED"`), a numeric
    /// code as a string (`"205"`) or as a JSON number (`205`). `None` for a code outside the 14
    /// lifecycle statuses.
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        match self {
            Self::String(code) => LifecycleStatus::parse(code),
            Self::Int64(code) => LifecycleStatus::parse(&code.to_string()),
        }
    }

    /// True when the code is `text` as sent (`"205"` also matches the number 205).
    pub fn is(&self, text: &str) -> bool {
        match self {
            Self::String(code) => code == text,
            Self::Int64(code) => text.parse::<i64>().is_ok_and(|n| n == *code),
        }
    }
}

impl PartialEq<str> for StatusCode {
    fn eq(&self, other: &str) -> bool {
        self.is(other)
    }
}

impl PartialEq<&str> for StatusCode {
    fn eq(&self, other: &&str) -> bool {
        self.is(other)
    }
}

impl IopoleDateTime {
    /// The instant in UTC: an RFC 3339 date-time as given; a date-time without an offset
    /// (`"2024-07-16T20:35:16"`, optionally with fractional seconds, `T` or a space) read as UTC;
    /// an integer read as milliseconds since 1970-01-01 UTC. `None` for a string that is none of
    /// these or an out-of-range number; the raw value stays in `self`.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::String(text) => {
                let text = text.trim();
                DateTime::parse_from_rfc3339(text)
                    .map(|date| date.with_timezone(&Utc))
                    .ok()
                    .or_else(|| {
                        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                            .iter()
                            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
                            .map(|naive| naive.and_utc())
                    })
            }
            Self::Int64(millis) => DateTime::from_timestamp_millis(*millis),
        }
    }
}

impl From<DateTime<Utc>> for IopoleDateTime {
    fn from(date: DateTime<Utc>) -> Self {
        Self::String(date.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl StatusInfo {
    /// The lifecycle status `code` names, whether it came as a name (`"APPROVED"`) or a numeric
    /// code (`"205"` or `205`). `None` for a code outside the 14 lifecycle statuses (the raw value
    /// stays in `code`).
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        self.code.lifecycle_status()
    }
}

impl StatusHistoryItem {
    /// The lifecycle status of this item (see [`StatusInfo::lifecycle_status`]).
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        self.status.lifecycle_status()
    }

    /// When the status was recorded, in UTC (see [`IopoleDateTime::to_utc`]); `None` when Iopole
    /// sent a date this SDK cannot read (the raw value stays in `date`).
    pub fn recorded_at(&self) -> Option<DateTime<Utc>> {
        self.date.to_utc()
    }
}

impl DocumentStatus {
    /// The lifecycle status of this response: from `code`, else from `status.code`.
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        self.code
            .as_ref()
            .and_then(|code| LifecycleStatus::parse(code.as_str()))
            .or_else(|| self.status.as_ref().and_then(StatusInfo::lifecycle_status))
    }
}

impl LifecycleDocument {
    /// The message identifier: `identification.id` (current shape) or `context.id` (older shape).
    pub fn message_id(&self) -> Option<&str> {
        self.identification
            .as_ref()
            .and_then(|i| i.id.as_deref())
            .or_else(|| self.context.as_ref().and_then(|c| c.id.as_deref()))
    }

    /// The message name: `identification.name` (current shape) or `context.name` (older shape).
    pub fn message_name(&self) -> Option<&str> {
        self.identification
            .as_ref()
            .and_then(|i| i.name.as_deref())
            .or_else(|| self.context.as_ref().and_then(|c| c.name.as_deref()))
    }

    /// When the message was generated: `identification.date` or `context.date`.
    pub fn message_date(&self) -> Option<DateTime<Utc>> {
        self.identification
            .as_ref()
            .and_then(|i| i.date.as_ref()?.to_utc())
            .or_else(|| self.context.as_ref().and_then(|c| c.date.as_ref()?.to_utc()))
    }

    /// The sender: top-level `sender` (current shape) or `context.sender` (older shape).
    pub fn sender_party(&self) -> Option<&TradeParty> {
        self.sender
            .as_ref()
            .or_else(|| self.context.as_ref().and_then(|c| c.sender.as_ref()))
    }

    /// The issuer: top-level `issuer` (current shape) or `context.issuer` (older shape). `None`
    /// when absent or `null`.
    pub fn issuer_party(&self) -> Option<&TradeParty> {
        self.issuer
            .as_ref()
            .or_else(|| self.context.as_ref().and_then(|c| c.issuer.as_ref()))
    }

    /// The recipients: top-level `recipients` (current shape) when not empty, else
    /// `context.recipients` (older shape).
    pub fn recipient_parties(&self) -> &[TradeParty] {
        if !self.recipients.is_empty() {
            return &self.recipients;
        }
        self.context
            .as_ref()
            .map(|c| c.recipients.as_slice())
            .unwrap_or_default()
    }
}

impl DocumentReference {
    /// The issuer of the referenced document: `issuer` (current shape) or `issuerTradeParty`
    /// (older shape).
    pub fn issuer_party(&self) -> Option<&TradeParty> {
        self.issuer.as_ref().or(self.issuer_trade_party.as_ref())
    }
}

impl TradePartyRoleCode {
    /// The UNCL 3035 role code (`"SE"`, `"BY"`, ...): the bare string, or the object's `value`.
    pub fn role_value(&self) -> Option<&str> {
        match self {
            Self::String(code) => Some(code.as_str()),
            Self::RoleCode(role) => role.value.as_deref(),
        }
    }

    /// The role name (`"SELLER"`, ...), only present in the object form.
    pub fn role_name(&self) -> Option<&str> {
        match self {
            Self::String(_) => None,
            Self::RoleCode(role) => role.code.as_deref(),
        }
    }
}

impl IopoleError {
    /// True for a `409` conflict body `{"code": "DUPLICATE_RESOURCE", ...}`: the same status was
    /// already sent.
    pub fn is_duplicate(&self) -> bool {
        self.code.as_deref() == Some("DUPLICATE_RESOURCE")
    }

    /// `details` when it is an object (for example field name to messages).
    pub fn details_object(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        match &self.details {
            Some(IopoleErrorDetails::Object(map)) => Some(map),
            _ => None,
        }
    }

    /// `details` when it is an array.
    pub fn details_array(&self) -> Option<&[serde_json::Value]> {
        match &self.details {
            Some(IopoleErrorDetails::Array(items)) => Some(items),
            _ => None,
        }
    }

    /// Every message in `details`, flattened: the strings of an array or of an object's values
    /// (object entries as `"field: message"`). Non-string values are rendered as JSON.
    pub fn detail_messages(&self) -> Vec<String> {
        fn flatten(prefix: Option<&str>, value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::Array(items) => items.iter().for_each(|item| flatten(prefix, item, out)),
                serde_json::Value::String(text) => out.push(match prefix {
                    Some(field) => format!("{field}: {text}"),
                    None => text.clone(),
                }),
                other => out.push(match prefix {
                    Some(field) => format!("{field}: {other}"),
                    None => other.to_string(),
                }),
            }
        }
        let mut out = Vec::new();
        match &self.details {
            Some(IopoleErrorDetails::Object(map)) => {
                map.iter()
                    .for_each(|(field, value)| flatten(Some(field), value, &mut out));
            }
            Some(IopoleErrorDetails::Array(items)) => items.iter().for_each(|item| flatten(None, item, &mut out)),
            None => {}
        }
        out
    }
}
