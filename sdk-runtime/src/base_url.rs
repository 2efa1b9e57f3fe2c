//! The one base-URL policy of the SDKs: https, or plain http to a loopback host only (a local mock
//! or proxy), since credentials travel with every request.

use std::net::IpAddr;

use crate::config::ConfigError;

/// Checks a base or token URL (`what` names it in the error) and returns it without a trailing
/// slash. Refused: anything but an absolute `https` URL, or `http` to a host other than
/// `localhost` or a loopback address; user info; a query or a fragment. The error never contains
/// the URL.
pub fn check_base_url(what: &'static str, url: &str) -> Result<String, ConfigError> {
    let invalid = |reason| Err(ConfigError::InvalidUrl { what, reason });
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return invalid("not an absolute URL");
    };
    let Some(host) = parsed.host_str() else {
        return invalid("it has no host");
    };
    let ip = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>();
    let loopback = host.eq_ignore_ascii_case("localhost") || ip.is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return invalid("plain http is allowed only to a loopback host; credentials would travel unencrypted");
        }
        _ => return invalid("the scheme must be https"),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return invalid("it must not carry user info");
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return invalid("it must not have a query or a fragment");
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_to_loopback_only() {
        for ok in [
            "https://api.example.com/",
            "https://api.example.com/v2",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://localhost:3000/",
            "http://[::1]:9000",
        ] {
            assert!(check_base_url("base URL", ok).is_ok(), "{ok}");
        }
        assert_eq!(
            check_base_url("base URL", "https://api.example.com/v2/").as_deref(),
            Ok("https://api.example.com/v2")
        );
        for (bad, reason) in [
            ("http://api.example.com", "plain http"),
            ("http://10.0.0.1", "plain http"),
            ("http://localhost.example.com", "plain http"),
            ("ftp://api.example.com", "scheme"),
            ("api.example.com", "absolute"),
            ("https://user:pass-secret@api.example.com", "user info"),
            ("https://api.example.com?api_key=k", "query"),
        ] {
            let error = check_base_url("token URL", bad).unwrap_err();
            let shown = error.to_string();
            assert!(shown.contains(reason) && shown.contains("token URL"), "{bad}: {shown}");
            assert!(!shown.contains("pass-secret") && !shown.contains("example"), "{shown}");
        }
    }
}
