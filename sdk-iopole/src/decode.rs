//! Accessors on the generated types: one way to read what Iopole sends in either of its shapes.

use crate::LifecycleStatus;
use crate::types::{
    DocumentReference, DocumentStatus, IopoleError, IopoleErrorDetails, LifecycleDocument, StatusHistoryItem,
    StatusInfo, TradeParty, TradePartyRoleCode,
};

impl StatusInfo {
    /// The lifecycle status `code` names, whether it came as a name (`"APPROVED"`) or a numeric
    /// code (`"205"`). `None` for a code outside the 14 lifecycle statuses (the raw text stays in
    /// `code`).
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        LifecycleStatus::parse(&self.code)
    }
}

impl StatusHistoryItem {
    /// The lifecycle status of this item (see [`StatusInfo::lifecycle_status`]).
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        self.status.lifecycle_status()
    }
}

impl DocumentStatus {
    /// The lifecycle status of this response: from `code`, else from `status.code`.
    pub fn lifecycle_status(&self) -> Option<LifecycleStatus> {
        self.code
            .as_deref()
            .and_then(LifecycleStatus::parse)
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
    pub fn message_date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.identification
            .as_ref()
            .and_then(|i| i.date)
            .or_else(|| self.context.as_ref().and_then(|c| c.date))
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
