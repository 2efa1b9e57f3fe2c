//! The bulk-drain benchmark (issue 16): a simulated Iopole on loopback that enforces a rate limit
//! on arrival (answering 429 with `Retry-After` past it) and adds a fixed latency to every answer, holding thousands of
//! not-seen statuses over hundreds of invoices; the SDK's drain run one status at a time (what it
//! did before) and concurrently within its rate budget, measured side by side.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sdk_iopole::{ClientConfig, DrainOptions, Environment, IopoleClient, Quota, RateLimits, RetryPolicy, Timeouts};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The simulated platform's shape and limits.
#[derive(Clone, Copy, Debug)]
pub struct Simulation {
    /// Requests per second the server accepts (a sliding one-second window).
    pub limit_per_s: u32,
    /// Added to every answer.
    pub latency: Duration,
    /// Invoices with not-seen statuses.
    pub invoices: usize,
    /// Not-seen statuses per invoice.
    pub statuses_per_invoice: usize,
}

impl Simulation {
    /// Issue 16's figures: 200 requests/s, 20 ms, 5,000 statuses over 500 invoices.
    pub const ISSUE: Self = Self {
        limit_per_s: 200,
        latency: Duration::from_millis(20),
        invoices: 500,
        statuses_per_invoice: 10,
    };

    /// All the not-seen statuses.
    pub fn statuses(&self) -> usize {
        self.invoices * self.statuses_per_invoice
    }
}

/// What the server saw during one drain.
#[derive(Debug, Default)]
struct Seen {
    /// When each accepted request arrived.
    window: VecDeque<Instant>,
    accepted: usize,
    /// When each 429 was answered.
    throttled: Vec<Instant>,
    /// The statuses marked seen, in the order they were marked.
    marked: Vec<(usize, usize)>,
}

/// A simulated Iopole: `GET /v1/invoice/status/notSeen` lists every status (grouped by invoice,
/// listed round-robin so that an invoice's statuses are spread through the answer) and
/// `PUT /v1/invoice/status/{id}/markAsSeen` records the status, both within the rate limit.
pub struct SimulatedIopole {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The status id of status `n` of invoice `invoice`.
fn status_id(invoice: usize, n: usize) -> String {
    format!("00000000-0000-4000-8000-{invoice:05}{n:07}")
}

fn invoice_id(invoice: usize) -> String {
    format!("cccccccc-cccc-4ccc-8ccc-{invoice:012}")
}

fn not_seen_body(simulation: Simulation) -> Bytes {
    let mut groups = Vec::with_capacity(simulation.statuses());
    for n in 0..simulation.statuses_per_invoice {
        for invoice in 0..simulation.invoices {
            let id = invoice_id(invoice);
            groups.push(serde_json::json!({
                "invoiceId": id,
                "newStatus": [{
                    "statusId": status_id(invoice, n),
                    "date": "2026-11-30T10:00:00Z",
                    "invoiceId": id,
                    "destType": "PLATFORM",
                    "status": {"code": "APPROVED", "value": "Approved"}
                }]
            }));
        }
    }
    Bytes::from(serde_json::to_vec(&groups).unwrap_or_default())
}

/// `(invoice, n)` of a status id this simulation made.
fn parse_status(path: &str) -> Option<(usize, usize)> {
    let id = path.strip_prefix("/v1/invoice/status/")?.strip_suffix("/markAsSeen")?;
    let tail = id.rsplit('-').next()?;
    Some((tail.get(..5)?.parse().ok()?, tail.get(5..)?.parse().ok()?))
}

impl SimulatedIopole {
    /// Starts the server on 127.0.0.1, on its own thread.
    pub fn start(simulation: Simulation) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (shutdown, stop) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let served = seen.clone();
        let body = not_seen_body(simulation);
        let thread = std::thread::Builder::new()
            .name("sdk-bench-iopole".into())
            .spawn(move || runtime.block_on(serve(listener, simulation, body, served, stop)))?;
        Ok(Self {
            addr,
            seen,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn take(&self) -> Seen {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Drop for SimulatedIopole {
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
    simulation: Simulation,
    body: Bytes,
    seen: Arc<Mutex<Seen>>,
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
        let (seen, body) = (seen.clone(), body.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, simulation, body.clone(), seen.clone()));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    simulation: Simulation,
    body: Bytes,
    seen: Arc<Mutex<Seen>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    // The limit is counted when a request arrives; the latency delays the answer.
    let now = Instant::now();
    let allowed = {
        let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        while seen
            .window
            .front()
            .is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(1))
        {
            seen.window.pop_front();
        }
        if seen.window.len() >= simulation.limit_per_s as usize {
            seen.throttled.push(now);
            false
        } else {
            seen.window.push_back(now);
            seen.accepted += 1;
            if request.method() == Method::PUT
                && let Some(status) = parse_status(request.uri().path())
            {
                seen.marked.push(status);
            }
            true
        }
    };
    tokio::time::sleep(simulation.latency).await;
    let response = if !allowed {
        Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header("retry-after", "1")
            .body(Full::new(Bytes::new()))
    } else if request.method() == Method::GET {
        Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Full::new(body))
    } else {
        Response::builder()
            .status(StatusCode::NO_CONTENT)
            .body(Full::new(Bytes::new()))
    };
    Ok(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

/// How a drain is run.
#[derive(Clone, Copy, Debug)]
pub enum DrainMode {
    /// One status at a time and no rate budget: the drain before issue 16.
    OneAtATime,
    /// `concurrency` invoices at once, within a budget of the simulated limit.
    Concurrent {
        /// Invoices at once.
        concurrency: usize,
    },
}

/// What one drain did.
#[derive(Clone, Debug)]
pub struct DrainResult {
    /// The mode.
    pub mode: DrainMode,
    /// Wall time of the pass.
    pub elapsed: Duration,
    /// Statuses handled and marked seen, per second.
    pub statuses_per_s: f64,
    /// Accepted requests per second ÷ the limit.
    pub rate_over_limit: f64,
    /// 429s the server answered after the first second.
    pub throttled_after_first_second: usize,
    /// 429s in all.
    pub throttled: usize,
    /// Statuses not marked seen at the end.
    pub lost: usize,
    /// Statuses marked before an earlier status of the same invoice.
    pub out_of_order: usize,
    /// Statuses marked more than once.
    pub duplicates: usize,
}

/// Runs one drain pass of `mode` against a fresh simulated Iopole.
pub async fn run_drain(simulation: Simulation, mode: DrainMode) -> Result<DrainResult, String> {
    let server = SimulatedIopole::start(simulation).map_err(|e| e.to_string())?;
    let (rate_limits, options) = match mode {
        DrainMode::OneAtATime => (RateLimits::none(), DrainOptions::concurrency(1)),
        DrainMode::Concurrent { concurrency } => (
            RateLimits::shared([Quota::per_second(simulation.limit_per_s)]),
            DrainOptions::concurrency(concurrency),
        ),
    };
    let config = ClientConfig {
        retry: RetryPolicy {
            max_attempts: 5,
            ..RetryPolicy::default()
        },
        timeouts: Timeouts {
            deadline: Duration::from_secs(600),
            ..Timeouts::default()
        },
        rate_limits: Some(rate_limits),
        ..ClientConfig::default()
    };
    let client = IopoleClient::builder(Environment::custom(server.base_url()))
        .bearer_token("bench-token")
        .config(config)
        .build()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let report = client
        .drain_not_seen_with(options, |_status| async { Ok::<(), Infallible>(()) })
        .await
        .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let seen = server.take();

    let expected = simulation.statuses();
    let mut marks: HashMap<(usize, usize), usize> = HashMap::new();
    let mut last_of_invoice: HashMap<usize, usize> = HashMap::new();
    let mut out_of_order = 0;
    for &(invoice, n) in &seen.marked {
        *marks.entry((invoice, n)).or_default() += 1;
        match last_of_invoice.get(&invoice) {
            Some(&last) if n < last => out_of_order += 1,
            _ => {
                last_of_invoice.insert(invoice, n);
            }
        }
    }
    let duplicates = marks.values().filter(|count| **count > 1).count();
    let lost = expected.saturating_sub(marks.len()) + report.failed.len();
    let secs = elapsed.as_secs_f64().max(f64::EPSILON);
    Ok(DrainResult {
        mode,
        elapsed,
        statuses_per_s: report.handled.len() as f64 / secs,
        rate_over_limit: seen.accepted as f64 / secs / f64::from(simulation.limit_per_s),
        throttled_after_first_second: seen
            .throttled
            .iter()
            .filter(|at| at.duration_since(started) > Duration::from_secs(1))
            .count(),
        throttled: seen.throttled.len(),
        lost,
        out_of_order,
        duplicates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_ids_round_trip() {
        let id = status_id(499, 9);
        assert_eq!(
            parse_status(&format!("/v1/invoice/status/{id}/markAsSeen")),
            Some((499, 9))
        );
        assert!(id.parse::<uuid::Uuid>().is_ok());
        assert!(invoice_id(7).parse::<uuid::Uuid>().is_ok());
    }

    #[tokio::test]
    async fn a_small_simulation_is_drained_whole_in_order_in_both_modes() {
        let small = Simulation {
            limit_per_s: 50,
            latency: Duration::from_millis(1),
            invoices: 5,
            statuses_per_invoice: 3,
        };
        for mode in [DrainMode::OneAtATime, DrainMode::Concurrent { concurrency: 4 }] {
            let result = run_drain(small, mode).await.unwrap();
            assert_eq!(result.lost, 0, "{result:?}");
            assert_eq!(result.out_of_order, 0, "{result:?}");
            assert_eq!(result.duplicates, 0, "{result:?}");
        }
    }
}
