//! Errors: the JSON client's [`Error`], the accessors both clients' errors share ([`ErrorExt`]),
//! the messages in InvoiceXpress error bodies, the HTTP statuses the API documents, and
//! configuration mistakes.

use reqwest::StatusCode;
use serde_json::Value;

use crate::ensure::TargetUnreachable;
use crate::transitions::TransitionRefused;
use crate::types::ErrorResponse;

/// The error of every JSON API call: the runtime's error with InvoiceXpress's error body.
///
/// Use [`ErrorExt`] for the provider's messages ([`ErrorExt::messages`]), the documented status
/// ([`ErrorExt::api_error`]) and a locally refused state change
/// ([`ErrorExt::transition_refused`]). The legacy XML client's
/// [`legacy::Error`](crate::legacy::Error) is the same runtime error with the legacy error body,
/// and has the same accessors.
pub type Error = sdk_runtime::Error<ErrorResponse>;

/// The error statuses InvoiceXpress documents, with what they mean for a document call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiError {
    /// 401: the `api_key` parameter is missing or wrong.
    Unauthorized,
    /// 404: no document of that type has that id.
    NotFound,
    /// 406: the document is in a state that does not allow the request.
    NotAcceptable,
    /// 422: some parameters were incorrect, e.g. "Invalid state" (the transition is not allowed)
    /// or "Cancel message can't be blank".
    UnprocessableEntity,
    /// 429: too many requests (unofficially 100 per minute per account).
    TooManyRequests,
    /// A 5xx server error.
    Server(u16),
    /// Any other error status.
    Other(u16),
}

impl ApiError {
    /// The variant for an HTTP status; `None` for a success or informational status.
    pub fn from_status(status: StatusCode) -> Option<Self> {
        Some(match status.as_u16() {
            401 => Self::Unauthorized,
            404 => Self::NotFound,
            406 => Self::NotAcceptable,
            422 => Self::UnprocessableEntity,
            429 => Self::TooManyRequests,
            code @ 500..=599 => Self::Server(code),
            code @ 400..=499 => Self::Other(code),
            _ => return None,
        })
    }
}

/// Keys that hold messages rather than name a field.
const MESSAGE_KEYS: &[&str] = &["error", "errors", "message", "base"];

/// Collects every message in an error value of any observed shape; a field name becomes a
/// `field: ` prefix.
fn collect_messages(value: &Value, field: Option<&str>, out: &mut Vec<String>) {
    let mut push = |text: String| {
        let text = text.trim();
        if !text.is_empty() {
            out.push(match field {
                Some(field) => format!("{field}: {text}"),
                None => text.to_string(),
            });
        }
    };
    match value {
        Value::Null => {}
        Value::String(text) => push(text.clone()),
        Value::Bool(_) | Value::Number(_) => push(value.to_string()),
        Value::Array(items) => items.iter().for_each(|item| collect_messages(item, field, out)),
        Value::Object(map) => {
            for (key, item) in map {
                let field = if MESSAGE_KEYS.contains(&key.as_str()) {
                    field
                } else {
                    Some(key.as_str())
                };
                collect_messages(item, field, out);
            }
        }
    }
}

/// The messages of an error body's text: its `errors` value, or else its top-level `error` or
/// `message`. Empty when the text is not JSON.
fn messages_from_json_text(raw: &str) -> Vec<String> {
    let mut messages = Vec::new();
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(raw) else {
        return messages;
    };
    match map.get("errors") {
        Some(errors) => collect_messages(errors, None, &mut messages),
        None => ["error", "message"]
            .iter()
            .filter_map(|key| map.get(*key))
            .for_each(|value| collect_messages(value, None, &mut messages)),
    }
    messages
}

impl ErrorResponse {
    /// The error messages, whichever of the five observed shapes `errors` has:
    ///
    /// | Body | Messages |
    /// |---|---|
    /// | `{"errors":[{"error":"Invalid state"}]}` | `Invalid state` |
    /// | `{"errors":[{"error":["Invalid state"]}]}` | `Invalid state` |
    /// | `{"errors":{"error":"Invalid state"}}` | `Invalid state` |
    /// | `{"errors":["Invalid state"]}` | `Invalid state` |
    /// | `{"errors":{"date":["is required"]}}` | `date: is required` |
    ///
    /// Any other shape gives every string found in it.
    pub fn messages(&self) -> Vec<String> {
        let mut messages = Vec::new();
        if let Some(errors) = &self.errors {
            collect_messages(errors, None, &mut messages);
        }
        messages
    }
}

/// InvoiceXpress-specific accessors on the errors of both clients: the JSON client's [`Error`]
/// and the legacy XML client's [`legacy::Error`](crate::legacy::Error).
pub trait ErrorExt {
    /// Why a client refuses a call before sending anything: [`TransitionRefused`] for the JSON
    /// client, [`LocalRefusal`](crate::legacy::LocalRefusal) for the legacy client (a refused
    /// transition, or a body XML cannot carry).
    type Refusal;

    /// The provider's error messages, trimmed, in order: for the JSON API, whichever of the
    /// observed shapes the body has (see [`ErrorResponse::messages`]), or else its top-level
    /// `error` or `message`; for the legacy API, the `<error>` elements of an
    /// `<errors><error>…</error></errors>` body. Empty when there is no such body (401 and 404
    /// often come without one); [`sdk_runtime::Error::raw_body`] keeps the text either way.
    fn messages(&self) -> Vec<String>;

    /// The documented error status, when the provider answered with one.
    fn api_error(&self) -> Option<ApiError>;

    /// The transition guard's refusal, when the call was refused locally for that reason.
    fn transition_refused(&self) -> Option<&TransitionRefused>;

    /// Why [`ensure_state`](crate::InvoiceXpressClient::ensure_state) refused to go on, when the
    /// target cannot be reached from the document's current status.
    fn target_unreachable(&self) -> Option<&TargetUnreachable> {
        None
    }

    /// Why the call was refused before sending, when it was (kind
    /// [`ErrorKind::InvalidRequest`](sdk_runtime::ErrorKind::InvalidRequest), no attempt made).
    fn local_refusal(&self) -> Option<&Self::Refusal>;
}

mod sealed {
    use crate::transitions::TransitionRefused;

    /// An InvoiceXpress error body, JSON or legacy XML: what [`super::ErrorExt`] needs to know
    /// about it. Implemented by the two body types only.
    pub trait ErrorBody: std::fmt::Debug {
        /// Why the client of this API refuses a call before sending it (the `source` of its
        /// `InvalidRequest` errors).
        type Refusal: std::error::Error + 'static;

        /// The messages of a decoded body.
        fn body_messages(&self) -> Vec<String>;

        /// The messages of a body's text that did not decode as `Self`.
        fn raw_messages(_raw: &str) -> Vec<String> {
            Vec::new()
        }

        /// The transition guard's refusal, when that is the reason.
        fn transition(refusal: &Self::Refusal) -> Option<&TransitionRefused>;
    }
}

pub(crate) use sealed::ErrorBody;

/// For the JSON client's [`Error`] (`Refusal` is [`TransitionRefused`]) and the legacy client's
/// [`legacy::Error`](crate::legacy::Error) (`Refusal` is
/// [`LocalRefusal`](crate::legacy::LocalRefusal)).
impl<B: ErrorBody> ErrorExt for sdk_runtime::Error<B> {
    type Refusal = B::Refusal;

    fn messages(&self) -> Vec<String> {
        let typed = self.body().map(B::body_messages).unwrap_or_default();
        if !typed.is_empty() {
            return typed;
        }
        self.raw_body().map(B::raw_messages).unwrap_or_default()
    }

    fn api_error(&self) -> Option<ApiError> {
        self.status()
            .filter(|_| self.kind() == sdk_runtime::ErrorKind::Api)
            .and_then(ApiError::from_status)
    }

    fn transition_refused(&self) -> Option<&TransitionRefused> {
        self.local_refusal().and_then(B::transition)
    }

    fn target_unreachable(&self) -> Option<&TargetUnreachable> {
        std::error::Error::source(self).and_then(|source| source.downcast_ref())
    }

    fn local_refusal(&self) -> Option<&B::Refusal> {
        std::error::Error::source(self).and_then(|source| source.downcast_ref())
    }
}

/// The JSON client refuses a call locally only for the transition guard.
impl ErrorBody for ErrorResponse {
    type Refusal = TransitionRefused;

    fn body_messages(&self) -> Vec<String> {
        self.messages()
    }

    fn raw_messages(raw: &str) -> Vec<String> {
        messages_from_json_text(raw)
    }

    fn transition(refusal: &TransitionRefused) -> Option<&TransitionRefused> {
        Some(refusal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages_of(json: &str) -> Vec<String> {
        serde_json::from_str::<ErrorResponse>(json)
            .expect("any JSON object decodes")
            .messages()
    }

    #[test]
    fn the_five_observed_shapes() {
        assert_eq!(
            messages_of(r#"{"errors":[{"error":"Invalid state"}]}"#),
            ["Invalid state"]
        );
        assert_eq!(
            messages_of(r#"{"errors":[{"error":["Invalid state","Other"]}]}"#),
            ["Invalid state", "Other"]
        );
        assert_eq!(
            messages_of(r#"{"errors":{"error":"Invalid state"}}"#),
            ["Invalid state"]
        );
        assert_eq!(messages_of(r#"{"errors":["Invalid state"]}"#), ["Invalid state"]);
        // Field order follows serde_json's map, which a feature elsewhere may change: compare sorted.
        let mut fields = messages_of(r#"{"errors":{"date":["is required"],"client":["can't be blank"]}}"#);
        fields.sort();
        assert_eq!(fields, ["client: can't be blank", "date: is required"]);
    }

    #[test]
    fn odd_shapes_never_fail() {
        assert!(messages_of(r#"{"errors":null}"#).is_empty());
        assert!(messages_of(r#"{}"#).is_empty());
        assert!(messages_of(r#"{"errors":[]}"#).is_empty());
        assert_eq!(messages_of(r#"{"errors":"Invalid state"}"#), ["Invalid state"]);
        assert_eq!(messages_of(r#"{"errors":[{"code":42}]}"#), ["code: 42"]);
        assert_eq!(messages_from_json_text(r#"{"error":"Unauthorized"}"#), ["Unauthorized"]);
        assert!(messages_from_json_text("<html>oops</html>").is_empty());
        assert!(messages_from_json_text("").is_empty());
    }

    #[test]
    fn documented_statuses() {
        let of = |code| ApiError::from_status(StatusCode::from_u16(code).expect("valid status"));
        assert_eq!(of(401), Some(ApiError::Unauthorized));
        assert_eq!(of(404), Some(ApiError::NotFound));
        assert_eq!(of(406), Some(ApiError::NotAcceptable));
        assert_eq!(of(422), Some(ApiError::UnprocessableEntity));
        assert_eq!(of(429), Some(ApiError::TooManyRequests));
        assert_eq!(of(503), Some(ApiError::Server(503)));
        assert_eq!(of(418), Some(ApiError::Other(418)));
        assert_eq!(of(200), None);
    }
}
