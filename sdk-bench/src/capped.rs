//! Calls whose response body is larger than the SDK reads (`ClientConfig::limits`), through the
//! real Iopole SDK against the loopback server's big bodies ([`BigBody`]): what each call comes
//! to, checked, and kept so that a measurement can see what the result retains.
//!
//! The Iopole client here is the benchmark's one ([`crate::ops`]: static bearer token,
//! `customer-id`, default retries and timeouts, no rate budget) with a smaller success limit, so
//! that a body over it does not need a gigabyte: [`SUCCESS_CAP`], and the default error limit.

use sdk_iopole::types::{SendStatusCode, StatusHistoryItem};
use sdk_iopole::{
    BodyLimits, BodyProblem, ClientConfig, Environment, ErrorKind, IopoleClient, RateLimits, Reply, SendOutcome,
    StatusUpdateBuilder, Tolerant, Uuid,
};

use crate::ops::{CallError, IOPOLE_CUSTOMER_ID, IOPOLE_MESSAGE, IOPOLE_TOKEN};
use crate::server::BigBody;

/// The success-body limit of the capped client: 16 MiB (the default is 64 MiB).
pub const SUCCESS_CAP: usize = 16 * 1024 * 1024;

/// What one capped call returned, kept whole (dropped after the measurement).
#[derive(Debug)]
pub enum Kept {
    /// A `status_history` call.
    History(sdk_iopole::Result<Reply<Vec<Tolerant<StatusHistoryItem>>>>),
    /// A `send_status` call.
    Write(sdk_iopole::Result<Reply<SendOutcome>>),
}

/// The Iopole client of the capped calls, with `limits` (the bench's are [`limits`]), everything
/// else as in the calls-per-second clients: default retries and timeouts, and no rate budget (the
/// preset's 12 status histories a minute would only make the run wait; pacing is not measured
/// here).
pub fn client(base_url: &str, limits: BodyLimits) -> Result<IopoleClient, CallError> {
    let config = ClientConfig {
        limits,
        rate_limits: Some(RateLimits::none()),
        ..ClientConfig::default()
    };
    IopoleClient::builder(Environment::custom(base_url))
        .bearer_token(IOPOLE_TOKEN)
        .customer_id(IOPOLE_CUSTOMER_ID.parse().map_err(|e| format!("{e}"))?)
        .config(config)
        .build()
        .map_err(|error| error.to_string())
}

/// The limits of the capped client: [`SUCCESS_CAP`] and the default error limit.
pub fn limits() -> BodyLimits {
    BodyLimits {
        success: SUCCESS_CAP,
        ..BodyLimits::default()
    }
}

/// Makes the call `big` selects: `status_history` for the history and the errors, `send_status`
/// (`IN_HAND` with a message) for the write.
pub async fn call(client: &IopoleClient, big: BigBody) -> Kept {
    let invoice: Uuid = big.invoice_id().parse().expect("the big-body invoice ids are uuids");
    match big {
        BigBody::History | BigBody::Error | BigBody::SmallError => Kept::History(client.status_history(invoice).await),
        BigBody::Write => {
            let update = StatusUpdateBuilder::new(SendStatusCode::InHand).message(IOPOLE_MESSAGE);
            Kept::Write(client.send_status(invoice, update).await)
        }
    }
}

/// Whether an error's text of `len` bytes is a body cut at `limit` bytes: the error keeps the
/// body as text, so a multi-byte character cut in two at the limit becomes U+FFFD (3 bytes).
fn cut_at(len: usize, limit: usize) -> bool {
    len.abs_diff(limit) <= 3
}

/// Checks that the call came to what the runtime promises for `big` under `limits`, and says
/// what it came to, in words:
///
/// - [`BigBody::History`]: fails with [`ErrorKind::BodyTooLarge`], status 200 kept, the first
///   `limits.success` bytes kept (as text);
/// - [`BigBody::Error`]: fails with [`ErrorKind::Api`], status 500 kept, the first `limits.error`
///   bytes of the body kept (as text);
/// - [`BigBody::SmallError`]: as the error, with the whole small body;
/// - [`BigBody::Write`]: succeeds with [`SendOutcome::AcceptedUnreadable`] (too large), status
///   201, the first `limits.success` bytes kept.
pub fn check(big: BigBody, kept: &Kept, limits: &BodyLimits) -> Result<String, CallError> {
    match (big, kept) {
        (BigBody::History, Kept::History(Err(error))) => {
            let kind = error.kind();
            let status = error.status().map(|s| s.as_u16());
            let raw = error.raw_body().map_or(0, str::len);
            if kind != ErrorKind::BodyTooLarge || status != Some(200) || !cut_at(raw, limits.success) {
                return Err(format!(
                    "the history over the cap gave {kind:?}, status {status:?}, {raw} bytes kept; \
                     expected BodyTooLarge, 200, {} bytes",
                    limits.success
                ));
            }
            Ok(format!(
                "`ErrorKind::BodyTooLarge`, HTTP 200 kept, {raw} bytes of body kept"
            ))
        }
        (BigBody::Error | BigBody::SmallError, Kept::History(Err(error))) => {
            let kind = error.kind();
            let status = error.status().map(|s| s.as_u16());
            let raw = error.raw_body().map_or(0, str::len);
            let expected = if big == BigBody::Error {
                limits.error
            } else {
                crate::server::SMALL_ERROR_BODY.len()
            };
            if kind != ErrorKind::Api || status != Some(500) || !cut_at(raw, expected) {
                return Err(format!(
                    "the {big:?} call gave {kind:?}, status {status:?}, {raw} bytes kept; expected Api, 500, \
                     {expected} bytes"
                ));
            }
            Ok(format!("`ErrorKind::Api`, HTTP 500 kept, {raw} bytes of body kept"))
        }
        (BigBody::Write, Kept::Write(Ok(reply))) => match &reply.value {
            SendOutcome::AcceptedUnreadable(unreadable)
                if reply.status.as_u16() == 201
                    && matches!(unreadable.problem(), BodyProblem::TooLarge { limit } if *limit == limits.success)
                    && unreadable.raw().len() == limits.success =>
            {
                Ok(format!(
                    "`SendOutcome::AcceptedUnreadable` (too large), HTTP 201, {} bytes of body kept",
                    unreadable.raw().len()
                ))
            }
            other => Err(format!(
                "the write over the cap gave {other:?} (HTTP {}); expected AcceptedUnreadable, too large",
                reply.status
            )),
        },
        (big, kept) => Err(format!("the {big:?} call gave {kept:?}")),
    }
}

/// The reference point of a capped read: a plain `reqwest` GET of the same status history
/// (answered as `big` selects), reading chunk by chunk and keeping the chunks until it holds
/// `limit` bytes, then dropping the response, as any reqwest-based client that keeps `limit`
/// bytes at least does. Returns the chunks kept (exactly `limit` bytes).
pub async fn raw_read(
    raw: &reqwest::Client,
    base_url: &str,
    big: BigBody,
    limit: usize,
) -> Result<Vec<bytes::Bytes>, CallError> {
    let url = format!("{base_url}/v1/invoice/{}/status-history", big.invoice_id());
    let mut response = raw.get(url).send().await.map_err(|error| error.to_string())?;
    let mut kept = Vec::new();
    let mut held = 0;
    while held < limit {
        let Some(chunk) = response.chunk().await.map_err(|error| error.to_string())? else {
            break;
        };
        let chunk = chunk.slice(..chunk.len().min(limit - held));
        held += chunk.len();
        kept.push(chunk);
    }
    if held != limit {
        return Err(format!(
            "the plain read of {big:?} kept {held} bytes instead of {limit}"
        ));
    }
    Ok(kept)
}
