//! The URL of each generated request, built on the client's base URL parsed once. progenitor's code
//! formats the whole URL into a string that `reqwest` then parses again on every call, scheme,
//! host and all; here only the path is parsed, into a copy of the parsed base. An API key sent in
//! the query is in that copy already (the `pre` hook then finds it there), so it is not encoded
//! again on every call either.

use std::fmt::{self, Write};
use std::sync::OnceLock;

use reqwest::Url;

use crate::credentials::add_query_pair;
use crate::runtime::Runtime;

/// The base URL a runtime's generated client sends to, parsed at its first request.
#[derive(Debug, Default)]
pub(crate) struct ParsedBase(OnceLock<Option<BaseUrl>>);

/// A base URL in the form [`check_base_url`](crate::check_base_url) gives (its serialization
/// without a trailing slash, no query, no fragment): only then is the parsed base with a path set
/// the very URL that parsing the base's text followed by the path gives.
struct BaseUrl {
    text: String,
    /// The parsed base, with the runtime's query credential (if any) as its query: setting the
    /// path keeps it.
    url: Url,
    /// The base's path without its trailing slash (`""` for `/`): the request paths go after it.
    path: String,
}

/// Without the parsed URL, whose query may hold the API key.
impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BaseUrl")
            .field("text", &self.text)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl BaseUrl {
    fn parse(text: &str, query_pair: Option<&str>) -> Option<Self> {
        let mut url = Url::parse(text).ok()?;
        let canonical = url.as_str().trim_end_matches('/') == text;
        let plain = url.query().is_none() && url.fragment().is_none() && !url.cannot_be_a_base();
        let path = url.path().trim_end_matches('/').to_string();
        if let Some(pair) = query_pair {
            add_query_pair(&mut url, pair);
        }
        (canonical && plain).then_some(Self {
            text: text.to_string(),
            url,
            path,
        })
    }
}

/// What the generated clients build each request's URL with, in place of progenitor's
/// `format!("{}/path", client.baseurl, ...)` (`cargo xtask generate` writes the call): `base`
/// followed by `path` (which starts with `/`), the same URL `reqwest` would parse from that text,
/// with the runtime's query credential (if any) as its query. The error says why the text is not
/// a URL (without the URL). Not part of the public API.
pub fn request_url(runtime: &Runtime, base: &str, path: fmt::Arguments<'_>) -> Result<Url, String> {
    let query_pair = runtime.inner.query_pair.as_ref().map(|pair| pair.expose());
    let parsed = runtime.inner.base.0.get_or_init(|| BaseUrl::parse(base, query_pair));
    match parsed {
        Some(parsed) if parsed.text == base => {
            let mut full = String::with_capacity(parsed.path.len() + 64);
            full.push_str(&parsed.path);
            // Writing to a `String` cannot fail.
            let _ = full.write_fmt(path);
            let mut url = parsed.url.clone();
            url.set_path(&full);
            Ok(url)
        }
        // Another base than the first (a runtime shared by clients of different bases), or one
        // not in canonical form: parsed whole, as `reqwest` would.
        _ => {
            let mut url =
                Url::parse(&format!("{base}{path}")).map_err(|e| format!("the request URL is not valid: {e}"))?;
            if let Some(pair) = query_pair {
                add_query_pair(&mut url, pair);
            }
            Ok(url)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientConfig, Credentials, Provider, RateLimits};

    fn runtime() -> Runtime {
        runtime_with(Credentials::None)
    }

    fn runtime_with(credentials: Credentials) -> Runtime {
        let provider = Provider {
            name: "p",
            sdk_version: "1",
            operations: &[],
            default_rate_limits: RateLimits::none,
        };
        Runtime::new(provider, credentials, ClientConfig::default()).unwrap()
    }

    /// An API key with characters the query encodes.
    fn query_key() -> Credentials {
        Credentials::QueryApiKey {
            name: "api_key",
            value: "k y&=é+/%".into(),
        }
    }

    /// What progenitor's code and `reqwest` made of the same base and path (and what the `pre`
    /// hook then appended for a query credential).
    fn parsed_whole(base: &str, path: &str, credentials: &Credentials) -> Result<Url, String> {
        let mut url = Url::parse(&format!("{base}{path}")).map_err(|e| format!("the request URL is not valid: {e}"))?;
        if let Credentials::QueryApiKey { name, value } = credentials {
            url.query_pairs_mut().append_pair(name, value.expose());
        }
        Ok(url)
    }

    #[test]
    fn the_url_is_the_one_parsing_the_whole_text_gives() {
        let bases = [
            "http://127.0.0.1:8080",
            "https://api.example.com",
            "https://api.example.com/v2",
            "https://API.Example.com:443/a%20b",
            "http://[::1]:9000/base",
            // Not in canonical form: parsed whole.
            "https://api.example.com/v2/",
            "https://api.example.com?x=1",
        ];
        let paths = [
            "/v1/invoice/0b9f1f9e-3c4e-4d0b-9a43-0e4d9d4b2b8f/status",
            "/invoices/42/change-state.json",
            "/a/../b/./c",
            "/%2E%2E/x",
            "/sp ace/ü/%41",
            "/back\\slash",
            "/",
            "/x/",
        ];
        for credentials in [Credentials::None, query_key()] {
            for base in bases {
                // A fresh runtime per base, so each base is the one it parses first.
                let runtime = runtime_with(credentials.clone());
                for path in paths {
                    let built = request_url(&runtime, base, format_args!("{path}"));
                    assert_eq!(built, parsed_whole(base, path, &credentials), "{base} + {path}");
                }
            }
        }
    }

    #[test]
    fn the_pre_hook_finds_the_query_key_there_and_adds_no_second_one() {
        let runtime = runtime_with(query_key());
        for base in ["http://127.0.0.1:8080", "https://api.example.com?x=1"] {
            let url = request_url(&runtime, base, format_args!("/invoices/{}.json", 7)).unwrap();
            let client = reqwest::Client::new();
            let mut request = client.get(url.clone()).build().unwrap();
            let prepared: Result<(), progenitor_client::Error<()>> = block_on(runtime.prepare(&mut request, "op"));
            prepared.unwrap();
            assert_eq!(request.url(), &url, "{base}");
            let keys = request
                .url()
                .query_pairs()
                .filter(|(name, _)| name == "api_key")
                .count();
            assert_eq!(keys, 1, "{}", request.url());
        }
        // A URL built elsewhere gets the key from the hook, once.
        let mut request = reqwest::Client::new()
            .get("http://127.0.0.1:8080/x?page=2")
            .build()
            .unwrap();
        let prepared: Result<(), progenitor_client::Error<()>> = block_on(runtime.prepare(&mut request, "op"));
        prepared.unwrap();
        let pairs: Vec<(String, String)> = request.url().query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [("page".into(), "2".into()), ("api_key".into(), "k y&=é+/%".into())]
        );
    }

    #[test]
    fn the_runtime_debug_output_never_shows_the_query_key() {
        let runtime = runtime_with(Credentials::QueryApiKey {
            name: "api_key",
            value: "very-secret-key".into(),
        });
        let url = request_url(&runtime, "http://127.0.0.1:8080", format_args!("/x")).unwrap();
        assert!(url.as_str().contains("very-secret-key"), "the key is in the URL: {url}");
        let shown = format!("{runtime:?}");
        assert!(shown.contains("127.0.0.1:8080"), "{shown}");
        assert!(!shown.contains("very-secret-key"), "{shown}");
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn a_second_base_on_the_same_runtime_is_parsed_whole() {
        let runtime = runtime();
        let first = request_url(&runtime, "https://a.example.com", format_args!("/x/{}", 1)).unwrap();
        let second = request_url(&runtime, "https://b.example.com/p", format_args!("/x/{}", 2)).unwrap();
        assert_eq!(first.as_str(), "https://a.example.com/x/1");
        assert_eq!(second.as_str(), "https://b.example.com/p/x/2");
    }

    #[test]
    fn a_base_that_is_no_url_is_refused_without_the_url() {
        let runtime = runtime();
        let error = request_url(&runtime, "not a url secret-ish", format_args!("/x")).unwrap_err();
        assert!(error.contains("not valid"), "{error}");
        assert!(!error.contains("secret-ish"), "{error}");
    }
}
