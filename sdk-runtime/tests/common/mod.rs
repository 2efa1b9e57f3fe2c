//! Helpers shared by the integration tests: a test provider with an operation table, fast client
//! settings, a hand-written "generated call" that mirrors what progenitor emits, and a tracing
//! capture.
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use progenitor_client::ResponseValue;
use reqwest::header::ACCEPT;
use sdk_runtime::{
    ClientConfig, Credentials, Error, OperationSpec, Provider, RawReply, Reply, RetryPolicy, Runtime, Timeouts,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// The operations of the test provider.
pub static OPERATIONS: &[OperationSpec] = &[
    OperationSpec {
        operation_id: "getThing",
        generated_id: "get_thing",
        method: "GET",
        path: "/things/{id}",
        facade_only: false,
        idempotent: true,
    },
    OperationSpec {
        operation_id: "putThing",
        generated_id: "put_thing",
        method: "PUT",
        path: "/things/{id}",
        facade_only: false,
        idempotent: true,
    },
    OperationSpec {
        operation_id: "deleteThing",
        generated_id: "delete_thing",
        method: "DELETE",
        path: "/things/{id}",
        facade_only: false,
        idempotent: true,
    },
    OperationSpec {
        operation_id: "createThing",
        generated_id: "create_thing",
        method: "POST",
        path: "/things",
        facade_only: false,
        idempotent: false,
    },
    OperationSpec {
        operation_id: "uploadThing",
        generated_id: "upload_thing",
        method: "POST",
        path: "/things/upload",
        facade_only: true,
        idempotent: false,
    },
    OperationSpec {
        operation_id: "searchThings",
        generated_id: "search_things",
        method: "POST",
        path: "/things/search",
        facade_only: false,
        idempotent: true,
    },
    OperationSpec {
        operation_id: "putThingXml",
        generated_id: "put_thing_xml",
        method: "PUT",
        path: "/things/{id}.xml",
        facade_only: true,
        idempotent: true,
    },
];

/// The test provider's operation `operation_id`.
pub fn op(operation_id: &str) -> &'static OperationSpec {
    OPERATIONS
        .iter()
        .find(|op| op.operation_id == operation_id)
        .unwrap_or_else(|| panic!("{operation_id} is not a test operation"))
}

/// The test provider.
pub const PROVIDER: Provider = Provider {
    name: "testprov",
    sdk_version: "9.9.9",
    operations: OPERATIONS,
    default_rate_limits: sdk_runtime::RateLimits::none,
};

/// A resource of the test API.
#[derive(Debug, Deserialize, PartialEq)]
pub struct Thing {
    pub id: u64,
    pub name: String,
}

/// The test API's error body.
#[derive(Debug, Deserialize, PartialEq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// Fast settings: `max_attempts` attempts, 10..40 ms backoffs, 2 s per attempt, 5 s deadline.
pub fn fast_config(max_attempts: u32) -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            retry_non_idempotent: false,
        },
        timeouts: Timeouts {
            connect: Duration::from_secs(1),
            attempt: Duration::from_secs(2),
            deadline: Duration::from_secs(5),
        },
        user_agent_suffix: None,
        limits: Default::default(),
        rate_limits: None,
    }
}

/// A runtime for the test provider and the HTTP client it builds.
pub fn runtime(credentials: Credentials, config: ClientConfig) -> (Runtime, reqwest::Client) {
    let runtime = Runtime::new(PROVIDER, credentials, config).unwrap();
    let http = runtime.http_client().unwrap();
    (runtime, http)
}

/// What `cargo xtask generate` writes for one operation's `send()`: build, `pre` hook, `exec`
/// hook, then decode by status (200/201 as `T`, 4xx/5xx as the typed error body, anything else
/// unexpected) with the runtime's `response_value`, in place of progenitor's `from_response`.
pub async fn generated_send<T: DeserializeOwned>(
    runtime: &Runtime,
    http: &reqwest::Client,
    request: reqwest::RequestBuilder,
    operation_id: &'static str,
) -> Result<ResponseValue<T>, progenitor_client::Error<ApiError>> {
    let mut request = request.header(ACCEPT, "application/json").build()?;
    runtime.prepare(&mut request, operation_id).await?;
    let result = runtime.execute(http, request, operation_id).await;
    let response = result?;
    match response.status().as_u16() {
        200u16 | 201u16 => sdk_runtime::__private::response_value(response),
        400u16..=599u16 => Err(progenitor_client::Error::ErrorResponse(
            sdk_runtime::__private::response_value(response)?,
        )),
        _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
    }
}

/// A generated call run through [`Runtime::call`].
pub async fn call<T: DeserializeOwned>(
    runtime: &Runtime,
    http: &reqwest::Client,
    request: reqwest::RequestBuilder,
    operation_id: &'static str,
) -> Result<Reply<T>, Error<ApiError>> {
    runtime
        .call::<T, ApiError, ApiError>(
            op(operation_id),
            generated_send(runtime, http, request, op(operation_id).generated_id),
        )
        .await
}

/// `GET {base}/things/{id}` as operation `getThing`.
pub async fn get_thing(
    runtime: &Runtime,
    http: &reqwest::Client,
    base: &str,
    id: &str,
) -> Result<Reply<Thing>, Error<ApiError>> {
    call(runtime, http, http.get(format!("{base}/things/{id}")), "getThing").await
}

/// `POST {base}/things` with a JSON body as operation `createThing`.
pub async fn create_thing(
    runtime: &Runtime,
    http: &reqwest::Client,
    base: &str,
) -> Result<Reply<Thing>, Error<ApiError>> {
    let request = http
        .post(format!("{base}/things"))
        .json(&serde_json::json!({ "name": "widget" }));
    call(runtime, http, request, "createThing").await
}

/// Decodes an error body for [`Runtime::send_raw`].
pub fn decode_api_error(body: &[u8]) -> Option<ApiError> {
    serde_json::from_slice(body).ok()
}

/// A hand-written request through [`Runtime::send_raw`].
pub async fn send_raw(
    runtime: &Runtime,
    http: &reqwest::Client,
    request: reqwest::RequestBuilder,
    operation_id: &'static str,
) -> Result<RawReply, Error<ApiError>> {
    runtime
        .send_raw(http, request.build().unwrap(), op(operation_id), decode_api_error)
        .await
}

/// A base URL nothing listens on: a port bound, then released.
pub fn refused_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Waits (up to 5 s) until `mock` has been called at least `count` times.
pub async fn wait_for_calls(mock: &httpmock::Mock<'_>, count: usize) {
    for _ in 0..500 {
        if mock.calls_async().await >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("mock not called {count} times within 5 s");
}

/// Everything a tracing subscriber wrote, for assertions.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// The captured text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// One write into the capture buffer.
pub struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;

    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter(self.0.clone())
    }
}

/// A TRACE-level fmt subscriber writing into a [`Capture`] (span closings included, so the fields
/// recorded on a span show), as a dispatcher to scope with `tracing::dispatcher::set_default`.
pub fn capture() -> (tracing::Dispatch, Capture) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(capture.clone())
        .finish();
    (tracing::Dispatch::new(subscriber), capture)
}

/// A generated write run through [`Runtime::call_write`].
pub async fn write<T: DeserializeOwned>(
    runtime: &Runtime,
    http: &reqwest::Client,
    request: reqwest::RequestBuilder,
    operation_id: &'static str,
) -> Result<Reply<sdk_runtime::SuccessBody<T>>, Error<ApiError>> {
    runtime
        .call_write::<T, ApiError, ApiError>(
            op(operation_id),
            generated_send(runtime, http, request, op(operation_id).generated_id),
        )
        .await
}

/// What a [`RawServer`] does on each connection once it has read the request head.
#[derive(Clone)]
pub struct RawAnswer {
    /// Bytes written first (a status line and headers, perhaps part of a body).
    pub first: Vec<u8>,
    /// How long to wait before `rest`, or before closing when `rest` is empty.
    pub pause: Duration,
    /// Bytes written after the pause.
    pub rest: Vec<u8>,
}

/// A loopback HTTP/1.1 server that answers every connection with the same raw bytes and then
/// closes it: for responses no well-behaved server sends (a body cut off after its headers, a body
/// that drips past a timeout). Counts the requests it received.
pub struct RawServer {
    pub base_url: String,
    pub requests: Arc<std::sync::atomic::AtomicUsize>,
}

impl RawServer {
    pub async fn start(answer: RawAnswer) -> Self {
        Self::start_sequence(vec![answer]).await
    }

    /// Answers the n-th request with `answers[n]`, and every later one with the last answer.
    pub async fn start_sequence(answers: Vec<RawAnswer>) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = requests.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let answers = answers.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let index = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(answer) = answers.get(index).or(answers.last()) else {
                        return;
                    };
                    let _ = socket.write_all(&answer.first).await;
                    let _ = socket.flush().await;
                    tokio::time::sleep(answer.pause).await;
                    let _ = socket.write_all(&answer.rest).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self { base_url, requests }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}
