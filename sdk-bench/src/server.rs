//! A minimal hyper 1.x HTTP/1.1 server on 127.0.0.1 that answers the four benchmarked operations
//! with fixed responses, on its own thread and single-threaded Tokio runtime.
//!
//! It does as little as a server can (no routing table, no matching, no logging), so that the time
//! of a call is the client's. It can also record the requests it receives ([`Server::capture`]),
//! which is how the benchmark proves that a raw call sends exactly what the SDK sends.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Seed 002's example success body of `PUT /{document-type}/{document-id}/change-state.json`,
/// read from the `changeDocumentState` 200 example of `specs/invoicexpress.yaml` (the spec is the
/// one place it is written down), pretty-printed as the seed shows it, nulls and key order kept.
///
/// Read with `serde_norway` rather than `sdk-contract`: this crate must not turn on serde_json's
/// `preserve_order` (as `sdk-contract` and `xtask` do), or the decoding benchmark's
/// `serde_json::Value` baseline would not be the one SDK users have.
pub fn invoicexpress_document_json() -> &'static Bytes {
    static BODY: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    BODY.get_or_init(|| {
        let spec_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/invoicexpress.yaml");
        let text = std::fs::read_to_string(spec_path).expect("specs/invoicexpress.yaml is readable");
        let spec: serde_norway::Value = serde_norway::from_str(&text).expect("the InvoiceXpress spec is YAML");
        let example = &spec["paths"]["/{document-type}/{document-id}/change-state.json"]["put"]["responses"]["200"]
            ["content"]["application/json"]["examples"]["seed002"]["value"];
        assert!(example.is_mapping(), "the spec has a changeDocumentState 200 `seed002` example");
        Bytes::from(serde_json::to_vec_pretty(example).expect("JSON serializes"))
    })
}

/// The legacy XML API's success body: a small Rails-style debit note.
pub const INVOICEXPRESS_LEGACY_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<debit_note>
  <id type="integer">42</id>
  <type>DebitNote</type>
  <sequence-number>3/A</sequence-number>
  <state>final</state>
</debit_note>
"#;

/// The `x-correlation-id` the server puts on AppZen answers.
pub const APPZEN_CORRELATION_ID: &str = "c0ffee00-0000-4000-8000-000000000001";

/// A request as the server received it, for comparing two clients' requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapturedRequest {
    /// Upper-case method.
    pub method: String,
    /// Path and query string.
    pub target: String,
    /// Every header as (lower-case name, value), sorted.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Capture {
    on: AtomicBool,
    requests: Mutex<Vec<CapturedRequest>>,
}

/// The running server. Dropping it stops the accept loop and joins its thread.
pub struct Server {
    addr: SocketAddr,
    capture: Arc<Capture>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds 127.0.0.1 on a free port and serves on a new thread.
    pub fn start() -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let capture = Arc::new(Capture::default());
        let (shutdown, stop) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let served = capture.clone();
        let thread = std::thread::Builder::new()
            .name("sdk-bench-server".into())
            .spawn(move || runtime.block_on(serve(std_listener, served, stop)))?;
        Ok(Self {
            addr,
            capture,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts recording requests (clearing earlier records), or stops and returns them.
    pub fn capture(&self, on: bool) -> Vec<CapturedRequest> {
        self.capture.on.store(on, Ordering::SeqCst);
        let mut requests = self.capture.requests.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *requests)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(listener: std::net::TcpListener, capture: Arc<Capture>, mut stop: oneshot::Receiver<()>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let capture = capture.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, capture.clone()));
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(request: Request<Incoming>, capture: Arc<Capture>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    // Read the whole body, as a real server would, before answering.
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if capture.on.load(Ordering::Relaxed) {
        let mut headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        headers.sort();
        let record = CapturedRequest {
            method: parts.method.as_str().to_string(),
            target: parts
                .uri
                .path_and_query()
                .map(|pq| pq.as_str().to_string())
                .unwrap_or_default(),
            headers,
            body: body.to_vec(),
        };
        capture.requests.lock().unwrap_or_else(|p| p.into_inner()).push(record);
    }

    let path = parts.uri.path();
    let method = &parts.method;
    let response = if *method == Method::POST && path.starts_with("/v1/invoice/") && path.ends_with("/status") {
        // Iopole sendStatus: 204 No Content, as the v1.0.0 documentation says.
        plain(StatusCode::NO_CONTENT, None, Bytes::new())
    } else if *method == Method::PUT && path.ends_with("/change-state.json") {
        plain(
            StatusCode::OK,
            Some("application/json; charset=utf-8"),
            invoicexpress_document_json().clone(),
        )
    } else if *method == Method::PUT && path.ends_with("/change-state.xml") {
        plain(
            StatusCode::OK,
            Some("application/xml; charset=utf-8"),
            Bytes::from_static(INVOICEXPRESS_LEGACY_XML.as_bytes()),
        )
    } else if *method == Method::POST
        && path.starts_with("/dictionary-data-services/invoice/")
        && path.ends_with("/status-sync")
    {
        let mut response = plain(StatusCode::OK, None, Bytes::new());
        response
            .headers_mut()
            .insert("x-correlation-id", HeaderValue::from_static(APPZEN_CORRELATION_ID));
        response
    } else {
        plain(StatusCode::NOT_FOUND, None, Bytes::new())
    };
    Ok(response)
}

fn plain(status: StatusCode, content_type: Option<&'static str>, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}
