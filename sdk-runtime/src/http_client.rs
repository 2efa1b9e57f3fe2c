//! The one place the SDKs' HTTP clients are built, with one redirect policy.

use crate::config::ClientConfig;

/// Redirects followed within one origin, at most this many.
const MAX_REDIRECTS: usize = 10;

/// The `reqwest` client the SDKs use for API and token requests: connect timeout from the config,
/// no client-wide timeout (each attempt gets its own).
///
/// Redirects are followed only within the same origin (scheme, host and port), at most 10 of
/// them: `reqwest` strips `Authorization` on a redirect to another host but not other credential
/// headers (such as `x-api-key`), nor a form body (a 307 or 308 re-sends it, an OAuth2 client
/// secret included), so a redirect elsewhere is not followed and comes back as the 3xx response
/// itself.
///
/// `reqwest`'s own retries are off: the SDKs' send loop makes every attempt, so that each one is
/// counted, spends rate budget and respects the deadline (the one case `reqwest` retried, an
/// HTTP/2 request the server refused unprocessed, the loop retries too). With them off `reqwest`
/// no longer copies every request in case it retries.
pub fn build_http_client(config: &ClientConfig) -> reqwest::Result<reqwest::Client> {
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > MAX_REDIRECTS || !same_origin {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .connect_timeout(config.timeouts.connect)
        .redirect(redirects)
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .build()
}
