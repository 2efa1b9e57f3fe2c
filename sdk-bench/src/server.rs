//! A minimal hyper 1.x HTTP/1.1 server on 127.0.0.1 that answers the four benchmarked operations
//! with fixed responses, on its own thread and single-threaded Tokio runtime.
//!
//! It does as little as a server can (no routing table, no matching, no logging), so that the time
//! of a call is the client's. It can also record the requests it receives ([`Server::capture`]),
//! which is how the benchmark proves that a raw call sends exactly what the SDK sends.
//!
//! For the capped-body measurements it also answers a few Iopole invoice ids ([`BigBody`]) with a
//! body of hundreds of MiB, generated as it is sent: one small chunk of status-history JSON
//! repeated ([`RepeatBody`]), so the server never holds more than that chunk and hyper's write
//! buffer, whatever the body's length.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{CONNECTION, CONTENT_TYPE, HeaderValue};
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

/// The length of the big bodies ([`BigBody`]) unless [`Server::start_with_big_body`] says
/// otherwise: 200 MiB.
pub const BIG_BODY_BYTES: usize = 200 * 1024 * 1024;

/// The Iopole calls the server answers with a big body (or, for [`BigBody::SmallError`], the
/// small body the big error is compared with), each chosen by its invoice id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BigBody {
    /// `GET /v1/invoice/{id}/status-history` answered 200 with a status history of
    /// [`BIG_BODY_BYTES`] (a valid JSON array of repeated statuses).
    History,
    /// `GET /v1/invoice/{id}/status-history` answered 500 with the same big body.
    Error,
    /// `GET /v1/invoice/{id}/status-history` answered 500 with a 99-byte JSON error body (and
    /// `connection: close`, so the next call opens a connection as the big ones do).
    SmallError,
    /// `POST /v1/invoice/{id}/status` answered 201 with the same big body.
    Write,
}

impl BigBody {
    /// Every variant.
    pub const ALL: [BigBody; 4] = [Self::History, Self::Error, Self::SmallError, Self::Write];

    /// The invoice id that selects this answer.
    pub fn invoice_id(self) -> &'static str {
        match self {
            Self::History => "b16b0d1e-0000-4000-8000-000000000001",
            Self::Error => "b16b0d1e-0000-4000-8000-000000000002",
            Self::SmallError => "b16b0d1e-0000-4000-8000-000000000003",
            Self::Write => "b16b0d1e-0000-4000-8000-000000000004",
        }
    }

    fn of_path(path: &str) -> Option<Self> {
        let id = path.strip_prefix("/v1/invoice/")?.split('/').next()?;
        Self::ALL.into_iter().find(|big| big.invoice_id() == id)
    }
}

/// The small error body of [`BigBody::SmallError`].
pub const SMALL_ERROR_BODY: &str =
    r#"{"code":"INTERNAL_ERROR","message":"An unexpected error occurred, please retry later.","id":42}"#;

/// The repeated chunk of the big bodies: the statuses of a short generated history, without the
/// array's brackets, followed by a comma (about 60 KB).
pub fn big_body_chunk() -> &'static Bytes {
    static CHUNK: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    CHUNK.get_or_init(|| {
        let history = crate::history::generate(16, 0xB16_B0D1);
        let mut chunk = history[1..history.len() - 1].to_vec();
        chunk.push(b',');
        Bytes::from(chunk)
    })
}

/// A response body generated as it is sent: `[`, then one chunk repeated, the last copy ending
/// with `]` instead of its comma. The only buffer is the shared chunk: each frame is a
/// reference-counted slice of it.
#[derive(Debug)]
pub struct RepeatBody {
    chunk: Bytes,
    /// Copies of the chunk in the body.
    chunks: usize,
    /// The next frame: 0 is `[`, 1 to `chunks` the copies, `chunks + 1` the `]`.
    next: usize,
    len: u64,
    sent: u64,
}

impl RepeatBody {
    /// A JSON array of about `len` bytes (within one chunk, at least one copy) made of `chunk`
    /// (a run of array items ending with a comma) repeated.
    pub fn new(chunk: Bytes, len: usize) -> Self {
        assert!(chunk.ends_with(b","), "the chunk ends with a comma");
        let chunks = (len.saturating_sub(1) / chunk.len()).max(1);
        Self {
            len: (chunks * chunk.len() + 1) as u64,
            chunk,
            chunks,
            next: 0,
            sent: 0,
        }
    }

    /// The exact length of the body, in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Never: there are at least the brackets and one copy.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl Body for RepeatBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match self.next {
            0 => Bytes::from_static(b"["),
            n if n < self.chunks => self.chunk.clone(),
            // The last copy, without its comma.
            n if n == self.chunks => self.chunk.slice(..self.chunk.len() - 1),
            n if n == self.chunks + 1 => Bytes::from_static(b"]"),
            _ => return Poll::Ready(None),
        };
        self.next += 1;
        self.sent += frame.len() as u64;
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.next > self.chunks + 1
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len - self.sent)
    }
}

/// What the server answers with: fixed bytes, or a generated big body.
type AnswerBody = Either<Full<Bytes>, RepeatBody>;

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
    /// Binds 127.0.0.1 on a free port and serves on a new thread; big bodies are
    /// [`BIG_BODY_BYTES`] long.
    pub fn start() -> std::io::Result<Self> {
        Self::start_with_big_body(BIG_BODY_BYTES)
    }

    /// [`Server::start`] with big bodies ([`BigBody`]) of about `big_body_bytes`.
    pub fn start_with_big_body(big_body_bytes: usize) -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let capture = Arc::new(Capture::default());
        let (shutdown, stop) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let served = capture.clone();
        let thread = std::thread::Builder::new()
            .name("sdk-bench-server".into())
            .spawn(move || runtime.block_on(serve(std_listener, served, big_body_bytes, stop)))?;
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

async fn serve(
    listener: std::net::TcpListener,
    capture: Arc<Capture>,
    big_body_bytes: usize,
    mut stop: oneshot::Receiver<()>,
) {
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
            let service = service_fn(move |request| answer(request, capture.clone(), big_body_bytes));
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    capture: Arc<Capture>,
    big_body_bytes: usize,
) -> Result<Response<AnswerBody>, Infallible> {
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
    let response = if let Some(big) = BigBody::of_path(path) {
        big_answer(big, big_body_bytes)
    } else if *method == Method::POST && path.starts_with("/v1/invoice/") && path.ends_with("/status") {
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

/// The answer to a [`BigBody`] invoice id (whatever the method).
fn big_answer(big: BigBody, big_body_bytes: usize) -> Response<AnswerBody> {
    const JSON: &str = "application/json";
    let status = match big {
        BigBody::History => StatusCode::OK,
        BigBody::Error | BigBody::SmallError => StatusCode::INTERNAL_SERVER_ERROR,
        BigBody::Write => StatusCode::CREATED,
    };
    if big == BigBody::SmallError {
        let mut response = plain(status, Some(JSON), Bytes::from_static(SMALL_ERROR_BODY.as_bytes()));
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let mut response = Response::new(Either::Right(RepeatBody::new(big_body_chunk().clone(), big_body_bytes)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

fn plain(status: StatusCode, content_type: Option<&'static str>, body: Bytes) -> Response<AnswerBody> {
    let mut response = Response::new(Either::Left(Full::new(body)));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_repeat_body_is_a_json_array_of_the_announced_length() {
        let chunk = big_body_chunk().clone();
        let body = RepeatBody::new(chunk.clone(), 5 * chunk.len());
        let announced = body.len();
        assert_eq!(body.size_hint().exact(), Some(announced));
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes.len() as u64, announced);
        let items: Vec<sdk_iopole::types::StatusHistoryItem> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(items.len(), 16 * 4);
    }

    #[test]
    fn big_bodies_are_chosen_by_invoice_id() {
        for big in BigBody::ALL {
            let path = format!("/v1/invoice/{}/status-history", big.invoice_id());
            assert_eq!(BigBody::of_path(&path), Some(big));
        }
        assert_eq!(
            BigBody::of_path("/v1/invoice/6d9bf1a6-25a7-4d48-b641-623c05b0a967/status"),
            None
        );
    }
}
