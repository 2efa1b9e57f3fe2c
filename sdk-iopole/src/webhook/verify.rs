//! Checking that a delivery comes from Iopole: HMAC-SHA256 signatures or basic credentials.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sdk_runtime::Secret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::config::WebhookConfigError;
use super::delivery::{self, VerifiedDelivery};

/// `X-Timestamp`: when Iopole signed the delivery (milliseconds since 1970; seconds accepted).
pub const TIMESTAMP_HEADER: &str = "x-timestamp";
/// `X-Signature`: the hex HMAC-SHA256 of the canonical string.
pub const SIGNATURE_HEADER: &str = "x-signature";
/// `X-Checksum`: the SHA-256 hex digest of the signed content (optional).
pub const CHECKSUM_HEADER: &str = "x-checksum";
/// `X-Idempotency-Key`: stable across redeliveries of the same content.
pub const IDEMPOTENCY_KEY_HEADER: &str = "x-idempotency-key";
/// `X-Target-Electronic-Address`: the recipient's electronic address (`scheme:value`).
pub const TARGET_ELECTRONIC_ADDRESS_HEADER: &str = "x-target-electronic-address";

/// The default timestamp window: a delivery signed more than 5 minutes before or after the
/// verifier's clock is refused.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(300);

/// The shortest and longest HMAC secret Iopole accepts.
const HMAC_SECRET_CHARS: std::ops::RangeInclusive<usize> = 32..=512;
/// The shortest and longest basic-auth password Iopole accepts.
const BASIC_PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 12..=256;
/// A timestamp above this is in milliseconds (in seconds it would be after the year 5000).
const MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// How Iopole authenticates to your webhook: what you registered with
/// [`IopoleClient::register_webhook`](crate::IopoleClient::register_webhook) and what the
/// verifier checks. `Debug` never shows a secret.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ReceiverAuth {
    /// Deliveries signed with HMAC-SHA256 keyed with this secret (32 to 512 characters).
    Hmac(Secret),
    /// Deliveries carrying `Authorization: Basic` with these credentials (password 12 to 256
    /// characters).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
}

impl ReceiverAuth {
    /// HMAC-SHA256 with `secret`, which must have 32 to 512 characters (Iopole's limits).
    pub fn hmac(secret: impl Into<Secret>) -> Result<Self, WebhookConfigError> {
        let secret = secret.into();
        let chars = secret.expose().chars().count();
        if !HMAC_SECRET_CHARS.contains(&chars) {
            return Err(WebhookConfigError::SecretLength { chars });
        }
        Ok(Self::Hmac(secret))
    }

    /// Basic credentials; the password must have 12 to 256 characters (Iopole's limits) and the
    /// user name no `:`.
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Result<Self, WebhookConfigError> {
        let (username, password) = (username.into(), password.into());
        if username.is_empty() || username.contains(':') {
            return Err(WebhookConfigError::InvalidUsername);
        }
        let chars = password.expose().chars().count();
        if !BASIC_PASSWORD_CHARS.contains(&chars) {
            return Err(WebhookConfigError::PasswordLength { chars });
        }
        Ok(Self::Basic { username, password })
    }

    /// `"hmac"` or `"basic"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Hmac(_) => "hmac",
            Self::Basic { .. } => "basic",
        }
    }
}

/// Why a delivery was refused. Each variant names the check that failed; none holds a secret,
/// a signature or a credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A header the check needs is missing (its name, as Iopole writes it).
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A header is not visible ASCII text, or appears more than once.
    #[error("header {0} is not a single readable value")]
    UnreadableHeader(&'static str),
    /// `X-Timestamp` is not a whole number.
    #[error("X-Timestamp is not a number of milliseconds (or seconds) since 1970")]
    MalformedTimestamp,
    /// `X-Timestamp` is older than the window allows (a replay, or a clock far behind).
    #[error("X-Timestamp is {age_ms} ms old, more than the {window_ms} ms window")]
    StaleTimestamp {
        /// How old it is.
        age_ms: u64,
        /// The window.
        window_ms: u64,
    },
    /// `X-Timestamp` is further in the future than the window allows.
    #[error("X-Timestamp is {ahead_ms} ms in the future, more than the {window_ms} ms window")]
    FutureTimestamp {
        /// How far ahead it is.
        ahead_ms: u64,
        /// The window.
        window_ms: u64,
    },
    /// `X-Signature` is not 64 hexadecimal digits.
    #[error("X-Signature is not a hex SHA-256 HMAC")]
    MalformedSignature,
    /// The multipart body could not be parsed.
    #[error("the multipart body is malformed: {0}")]
    MalformedMultipart(String),
    /// The multipart body has no `file` field (or more than one): there is nothing to check the
    /// signature against.
    #[error("the multipart body has no single `file` field")]
    MissingFile,
    /// `X-Checksum` is not the SHA-256 of the signed content: the body was changed.
    #[error("X-Checksum does not match the content received")]
    ChecksumMismatch,
    /// `X-Signature` does not match: wrong secret, or the timestamp, method, path or content
    /// was changed.
    #[error("X-Signature does not match the request received")]
    SignatureMismatch,
    /// `Authorization` is not `Basic` with base64 `user:password`.
    #[error("Authorization is not readable basic credentials")]
    MalformedCredentials,
    /// The basic credentials are not the registered ones.
    #[error("the basic credentials do not match")]
    CredentialsMismatch,
}

/// What the server received, as plain parts: no web framework needed.
#[derive(Clone, Copy, Debug)]
pub struct IncomingRequest<'a> {
    /// The HTTP method (`POST`).
    pub method: &'a str,
    /// The path with its query string, exactly as received (`/hooks/iopole?tenant=7`): the path
    /// signed is the path the request was sent to.
    pub path_and_query: &'a str,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The raw body, exactly as received.
    pub body: &'a [u8],
}

impl<'a> IncomingRequest<'a> {
    /// The parts of a received request.
    pub fn new(method: &'a str, path_and_query: &'a str, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Self {
            method,
            path_and_query,
            headers,
            body,
        }
    }
}

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Verifies and decodes webhook deliveries. Cheap to clone; `Debug` never shows a secret.
#[derive(Clone)]
pub struct WebhookVerifier {
    auth: ReceiverAuth,
    window: Duration,
    clock: Clock,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("auth", &self.auth)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl WebhookVerifier {
    /// A verifier for receivers authenticated with `auth`, with the [`DEFAULT_WINDOW`] and the
    /// system clock.
    pub fn new(auth: ReceiverAuth) -> Self {
        Self {
            auth,
            window: DEFAULT_WINDOW,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// How far `X-Timestamp` may be from the clock, before or after it.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The clock the timestamp is compared with (the system clock by default; inject one in
    /// tests).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The receiver authentication checked.
    pub fn auth(&self) -> &ReceiverAuth {
        &self.auth
    }

    /// Checks that `request` comes from Iopole, then decodes it. Nothing is recorded: on `Err`,
    /// answer [`Answer::Unauthorized`](super::Answer::Unauthorized) and drop the request.
    pub fn verify(&self, request: &IncomingRequest<'_>) -> Result<VerifiedDelivery, VerifyError> {
        let content = delivery::Content::parse(request.headers, request.body)?;
        let signed_at = match &self.auth {
            ReceiverAuth::Hmac(secret) => Some(self.check_hmac(secret, request, content.signed_bytes())?),
            ReceiverAuth::Basic { username, password } => {
                check_basic(username, password, request.headers)?;
                None
            }
        };
        Ok(content.into_delivery(request.headers, signed_at))
    }

    /// [`WebhookVerifier::verify`] for an [`http::Request`] whose body was read whole.
    pub fn verify_http(&self, request: &http::Request<Bytes>) -> Result<VerifiedDelivery, VerifyError> {
        let path_and_query = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or_else(|| request.uri().path());
        self.verify(&IncomingRequest::new(
            request.method().as_str(),
            path_and_query,
            request.headers(),
            request.body(),
        ))
    }

    fn check_hmac(
        &self,
        secret: &Secret,
        request: &IncomingRequest<'_>,
        signed: &[u8],
    ) -> Result<SystemTime, VerifyError> {
        let timestamp = single_header(request.headers, TIMESTAMP_HEADER, "X-Timestamp")?
            .ok_or(VerifyError::MissingHeader("X-Timestamp"))?;
        let signature = single_header(request.headers, SIGNATURE_HEADER, "X-Signature")?
            .ok_or(VerifyError::MissingHeader("X-Signature"))?;
        let signed_at = self.check_timestamp(timestamp)?;

        let checksum = hex(&Sha256::digest(signed));
        if let Some(sent) = single_header(request.headers, CHECKSUM_HEADER, "X-Checksum")? {
            let sent = sent.trim().to_ascii_lowercase();
            if !bool::from(sent.as_bytes().ct_eq(checksum.as_bytes())) {
                return Err(VerifyError::ChecksumMismatch);
            }
        }
        let signature = decode_hex(signature.trim()).ok_or(VerifyError::MalformedSignature)?;
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).map_err(|_| VerifyError::SignatureMismatch)?;
        mac.update(timestamp.as_bytes());
        mac.update(b"\n");
        mac.update(request.method.to_ascii_uppercase().as_bytes());
        mac.update(b"\n");
        mac.update(request.path_and_query.as_bytes());
        mac.update(b"\n");
        mac.update(checksum.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| VerifyError::SignatureMismatch)?;
        Ok(signed_at)
    }

    fn check_timestamp(&self, text: &str) -> Result<SystemTime, VerifyError> {
        let value: u64 = text.trim().parse().map_err(|_| VerifyError::MalformedTimestamp)?;
        let millis = if value > MILLIS_THRESHOLD {
            value
        } else {
            value.checked_mul(1000).ok_or(VerifyError::MalformedTimestamp)?
        };
        let now = millis_since_epoch((self.clock)());
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        if millis > now && millis - now > window_ms {
            return Err(VerifyError::FutureTimestamp {
                ahead_ms: millis - now,
                window_ms,
            });
        }
        if now > millis && now - millis > window_ms {
            return Err(VerifyError::StaleTimestamp {
                age_ms: now - millis,
                window_ms,
            });
        }
        Ok(UNIX_EPOCH + Duration::from_millis(millis))
    }
}

fn millis_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The one value of a header as text; `None` when absent.
pub(super) fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
    display: &'static str,
) -> Result<Option<&'h str>, VerifyError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(VerifyError::UnreadableHeader(display));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| VerifyError::UnreadableHeader(display))
}

fn check_basic(username: &str, password: &Secret, headers: &HeaderMap) -> Result<(), VerifyError> {
    let value =
        single_header(headers, "authorization", "Authorization")?.ok_or(VerifyError::MissingHeader("Authorization"))?;
    let (scheme, encoded) = value.trim().split_once(' ').ok_or(VerifyError::MalformedCredentials)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(VerifyError::MalformedCredentials);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| VerifyError::MalformedCredentials)?;
    let expected = format!("{username}:{}", password.expose());
    // Constant time over the content (a length difference returns early; lengths are not secret).
    if bool::from(decoded.ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(VerifyError::CredentialsMismatch)
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// 32 bytes from 64 hex digits (either case); `None` otherwise.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    let digit = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// The `X-Signature` Iopole sends: the hex HMAC-SHA256, keyed with `secret`, of
/// `{timestamp}\n{METHOD}\n{path_and_query}\n{sha256_hex(signed_content)}`, where `signed_content`
/// is the raw JSON body, or the `file` field's content of a multipart delivery. For simulating
/// deliveries (tests, demos); a receiver uses [`WebhookVerifier::verify`].
pub fn signature(
    secret: &Secret,
    timestamp: &str,
    method: &str,
    path_and_query: &str,
    signed_content: &[u8],
) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else {
        return String::new();
    };
    let checksum = hex(&Sha256::digest(signed_content));
    let canonical = format!(
        "{timestamp}\n{}\n{path_and_query}\n{checksum}",
        method.to_ascii_uppercase()
    );
    mac.update(canonical.as_bytes());
    hex(&mac.finalize().into_bytes())
}
