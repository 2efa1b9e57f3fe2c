//! `cargo bench -p sdk-bench`: the issue 9 benchmark, in one run.
//!
//! 1. Calls per second of each SDK's main operation and of a raw `reqwest` call sending the same
//!    request, against one in-process hyper server on 127.0.0.1.
//! 2. Decoding a 10,000-entry Iopole status history into the SDK types and into
//!    `serde_json::Value`: time and peak heap.
//! 3. `cargo xtask generate --check` (as a user runs it) and `cargo build -p sdk-appzen --release` after touching
//!    the generated client (skipped with `SDK_BENCH_SKIP_BUILD=1`).
//!
//! Prints a markdown report and writes it to `BENCHMARKS.md` at the workspace root. Knobs (all
//! optional): `SDK_BENCH_CALLS` (calls per round, default 3000), `SDK_BENCH_ROUNDS` (rounds per
//! side, default 11), `SDK_BENCH_HISTORY_RUNS` (decode runs per side, default 7),
//! `SDK_BENCH_GENERATE_RUNS` (default 5), `SDK_BENCH_BUILD_RUNS` (default 2),
//! `SDK_BENCH_SKIP_BUILD=1`, `SDK_BENCH_OUTPUT` (another path for the report).

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sdk_bench::alloc::{CountingAlloc, MemoryUse};
use sdk_bench::machine::Machine;
use sdk_bench::ops::{Clients, Operation, same_requests};
use sdk_bench::plain::PlainStatus;
use sdk_bench::server::Server;
use sdk_bench::{history, median, median_secs, mib, thousands};
use sdk_iopole::types::StatusHistoryItem;

/// Counts heap bytes for the decoding measurement (off the rest of the time).
#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc::new();

/// Entries in the decoded status history.
const HISTORY_ENTRIES: usize = 10_000;
/// Seed of the generated history (same bytes on every run).
const HISTORY_SEED: u64 = 0x1_0907_5EED;
/// Untimed calls per operation and side before the first round.
const WARMUP_CALLS: usize = 500;
/// The target ratio SDK / raw, in calls per second.
const CALLS_TARGET: f64 = 0.97;
/// The target speed-up of typed decoding over `Value`.
const DECODE_TARGET: f64 = 1.5;
/// A cargo command (build or generate) that takes longer than this is stopped (and reported as such).
const CARGO_LIMIT: Duration = Duration::from_secs(600);

/// Where the hand-written part of `BENCHMARKS.md` starts; the bench rewrites what is above it.
const ANALYSIS_MARKER: &str = "<!-- Hand-written below this line; `cargo bench -p sdk-bench` keeps it. -->";

type BoxError = Box<dyn std::error::Error>;

/// A whole-number setting from the environment, or its default.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .filter(|value| *value > 0)
        .unwrap_or(default)
}

/// The run's settings.
struct Settings {
    calls: usize,
    rounds: usize,
    history_runs: usize,
    generate_runs: usize,
    build_runs: usize,
    skip_build: bool,
}

/// Per operation: calls/s of every SDK round and every raw round.
struct CallResult {
    operation: Operation,
    sdk: Vec<f64>,
    raw: Vec<f64>,
}

impl CallResult {
    fn sdk_median(&self) -> f64 {
        median(&self.sdk).unwrap_or(0.0)
    }

    fn raw_median(&self) -> f64 {
        median(&self.raw).unwrap_or(0.0)
    }

    fn ratio(&self) -> f64 {
        self.sdk_median() / self.raw_median()
    }

    /// The median of the round-by-round ratios (each SDK round over the raw round next to it).
    fn paired_ratio(&self) -> f64 {
        let ratios: Vec<f64> = self.sdk.iter().zip(&self.raw).map(|(sdk, raw)| sdk / raw).collect();
        median(&ratios).unwrap_or(0.0)
    }
}

/// Decoding times and heap use.
struct DecodeResult {
    input_bytes: usize,
    typed: Vec<Duration>,
    value: Vec<Duration>,
    /// The same bytes into [`PlainStatus`] structs (no SDK logic): the reference point.
    plain: Vec<Duration>,
    /// The same bytes parsed and thrown away (`IgnoredAny`): the floor of any decoder.
    parse_only: Vec<Duration>,
    typed_memory: MemoryUse,
    value_memory: MemoryUse,
    plain_memory: MemoryUse,
}

/// One timed `cargo build`.
struct BuildRun {
    seconds: f64,
    ok: bool,
    rebuilt: bool,
    waited_for_lock: bool,
}

/// The build measurement, or why there is none.
enum BuildResult {
    Skipped,
    Failed(String),
    Done { warmup_seconds: f64, runs: Vec<BuildRun> },
}

fn main() -> Result<(), BoxError> {
    let started = Instant::now();
    let settings = Settings {
        calls: setting("SDK_BENCH_CALLS", 3000),
        rounds: setting("SDK_BENCH_ROUNDS", 11),
        history_runs: setting("SDK_BENCH_HISTORY_RUNS", 7),
        generate_runs: setting("SDK_BENCH_GENERATE_RUNS", 5),
        build_runs: setting("SDK_BENCH_BUILD_RUNS", 2),
        skip_build: std::env::var("SDK_BENCH_SKIP_BUILD").is_ok_and(|v| !v.trim().is_empty() && v.trim() != "0"),
    };
    check_value_baseline()?;
    let root = workspace_root();
    let machine = Machine::detect();

    eprintln!(
        "[1/3] calls per second: {} rounds x {} calls per operation and side",
        settings.rounds, settings.calls
    );
    let calls = measure_calls(&settings)?;

    eprintln!("[2/3] decoding a {HISTORY_ENTRIES}-entry Iopole status history");
    let decode = measure_decode(&settings)?;

    eprintln!("[3/3] code generation and build");
    let generate = measure_generate(&root, settings.generate_runs)?;
    let build = if settings.skip_build {
        BuildResult::Skipped
    } else {
        measure_build(&root, settings.build_runs)
    };

    let total = started.elapsed();
    let report = render(&settings, &machine, &calls, &decode, &generate, &build, total);
    println!("{report}");
    let output = std::env::var_os("SDK_BENCH_OUTPUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("BENCHMARKS.md"));
    // The hand-written analysis below the marker (profiles, fixes, before and after) is kept.
    let analysis = std::fs::read_to_string(&output)
        .ok()
        .and_then(|old| old.find(ANALYSIS_MARKER).map(|at| old[at..].to_string()));
    let written = match analysis {
        Some(analysis) => format!("{report}\n{analysis}"),
        None => report.clone(),
    };
    std::fs::write(&output, written)?;
    eprintln!("wrote {}", output.display());
    Ok(())
}

/// The workspace root: this crate's parent folder.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Part 1: rounds of sequential calls, alternating SDK and raw rounds.
fn measure_calls(settings: &Settings) -> Result<Vec<CallResult>, BoxError> {
    let server = Server::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let clients = Clients::new(&server.base_url())?;

    // The premise: the raw call sends exactly the SDK's request (checked, not assumed).
    runtime.block_on(async {
        for operation in Operation::ALL {
            same_requests(&server, &clients, operation).await?;
        }
        Ok::<(), String>(())
    })?;

    let timed = |operation: Operation, sdk: bool, count: usize| -> Result<f64, BoxError> {
        runtime.block_on(async {
            let start = Instant::now();
            for _ in 0..count {
                if sdk {
                    black_box(clients.sdk(black_box(operation)).await)?;
                } else {
                    black_box(clients.raw(black_box(operation)).await)?;
                }
            }
            Ok(count as f64 / start.elapsed().as_secs_f64())
        })
    };

    for operation in Operation::ALL {
        timed(operation, true, WARMUP_CALLS)?;
        timed(operation, false, WARMUP_CALLS)?;
    }
    let mut results: Vec<CallResult> = Operation::ALL
        .iter()
        .map(|&operation| CallResult {
            operation,
            sdk: Vec::new(),
            raw: Vec::new(),
        })
        .collect();
    for round in 0..settings.rounds {
        for result in &mut results {
            // Alternate which side goes first, so that drift within a round cancels out.
            let sdk_first = round % 2 == 0;
            for sdk in [sdk_first, !sdk_first] {
                let rate = timed(result.operation, sdk, settings.calls)?;
                if sdk {
                    result.sdk.push(rate);
                } else {
                    result.raw.push(rate);
                }
            }
        }
        eprintln!("  round {}/{} done", round + 1, settings.rounds);
    }
    Ok(results)
}

/// Refuses a build where `serde_json::Value` is not the one SDK users have.
fn check_value_baseline() -> Result<(), BoxError> {
    // The baseline is the `Value` SDK users have. With serde_json's `preserve_order` on (as when
    // this package is built together with `xtask` or `sdk-contract`), objects keep insertion order
    // in a slower `IndexMap`, and the comparison would flatter the SDK.
    let order: serde_json::Map<String, serde_json::Value> = serde_json::from_str(r#"{"b":0,"a":0}"#)?;
    if order.keys().next().map(String::as_str) != Some("a") {
        return Err(
            "serde_json's `preserve_order` feature is on in this build, so `serde_json::Value` is not \
                    the default one; run `cargo bench -p sdk-bench` on its own"
                .into(),
        );
    }
    Ok(())
}

/// Part 2: typed vs `Value` decoding of the same bytes, alternating; then one run each with the
/// heap counter on.
fn measure_decode(settings: &Settings) -> Result<DecodeResult, BoxError> {
    let bytes = history::generate(HISTORY_ENTRIES, HISTORY_SEED);
    let check: Vec<StatusHistoryItem> = serde_json::from_slice(&bytes)?;
    if check.len() != HISTORY_ENTRIES {
        return Err(format!("decoded {} entries instead of {HISTORY_ENTRIES}", check.len()).into());
    }
    drop(check);
    // The plain structs refuse unknown fields: this proves they keep everything in the input.
    let check: Vec<PlainStatus> = serde_json::from_slice(&bytes)?;
    drop(check);

    /// Decodes the bytes as `T` and times it; dropping the result is not timed.
    fn timed<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<Duration, serde_json::Error> {
        let start = Instant::now();
        let decoded: T = serde_json::from_slice(black_box(bytes))?;
        let elapsed = start.elapsed();
        drop(black_box(decoded));
        Ok(elapsed)
    }
    /// Decodes the bytes as `T` with the heap counter on.
    fn counted<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<MemoryUse, serde_json::Error> {
        ALLOCATOR.start();
        let decoded = serde_json::from_slice::<T>(black_box(bytes));
        let memory = ALLOCATOR.stop();
        drop(black_box(decoded?));
        Ok(memory)
    }
    type Decoder = fn(&[u8]) -> Result<Duration, serde_json::Error>;
    let decoders: [Decoder; 4] = [
        timed::<Vec<StatusHistoryItem>>,
        timed::<serde_json::Value>,
        timed::<Vec<PlainStatus>>,
        timed::<serde::de::IgnoredAny>,
    ];

    // One untimed run each warms the allocator and the caches.
    for decode in decoders {
        decode(&bytes)?;
    }
    let mut times: [Vec<Duration>; 4] = Default::default();
    for run in 0..settings.history_runs {
        // Rotate which decoder goes first, so that drift within a run cancels out.
        for step in 0..decoders.len() {
            let which = (run + step) % decoders.len();
            times[which].push(decoders[which](&bytes)?);
        }
    }
    let [typed, value, plain, parse_only] = times;

    Ok(DecodeResult {
        input_bytes: bytes.len(),
        typed,
        value,
        plain,
        parse_only,
        typed_memory: counted::<Vec<StatusHistoryItem>>(&bytes)?,
        value_memory: counted::<serde_json::Value>(&bytes)?,
        plain_memory: counted::<Vec<PlainStatus>>(&bytes)?,
    })
}

/// Part 3a: `cargo xtask generate --check`, the README's command as a user runs it (through the
/// cargo alias, so cargo's freshness check of the xtask binary is included; `--check` does all the
/// work of `generate` but compares instead of writing, so the SDK crates are not touched). One
/// untimed run first (it builds xtask when needed), then `runs` timed ones.
fn measure_generate(root: &Path, runs: usize) -> Result<Vec<Duration>, BoxError> {
    let generate = || -> Result<Duration, BoxError> {
        let run = run_cargo(root, &["xtask", "generate", "--check"]).ok_or("cargo could not be started")?;
        if !run.ok {
            return Err(format!("`cargo xtask generate --check` failed: {}", last_lines(&run.log, 5)).into());
        }
        Ok(Duration::from_secs_f64(run.seconds))
    };
    generate()?;
    (0..runs).map(|_| generate()).collect()
}

/// What one `cargo` command did.
struct CargoRun {
    seconds: f64,
    ok: bool,
    log: String,
}

/// The last `count` lines of a log, joined with ` / `.
fn last_lines(log: &str, count: usize) -> String {
    let tail: Vec<&str> = log.lines().rev().take(count).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
}

/// Runs `cargo <args>` in the workspace, stopped after [`CARGO_LIMIT`]; `None` when it could not
/// start.
fn run_cargo(root: &Path, args: &[&str]) -> Option<CargoRun> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let start = Instant::now();
    let mut child = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stderr = child.stderr.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > CARGO_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let log = reader.join().unwrap_or_default();
    Some(CargoRun {
        seconds,
        ok: status.is_some_and(|s| s.success()),
        log,
    })
}

/// Runs `cargo build -p sdk-appzen --release` in the workspace; `None` when it could not start.
fn cargo_build(root: &Path) -> Option<(BuildRun, String)> {
    let run = run_cargo(root, &["build", "-p", "sdk-appzen", "--release"])?;
    let build = BuildRun {
        seconds: run.seconds,
        ok: run.ok,
        rebuilt: run.log.contains("Compiling sdk-appzen"),
        waited_for_lock: run.log.contains("Blocking waiting for file lock"),
    };
    Some((build, run.log))
}

/// Part 3b: an untimed build first (so that dependencies are up to date), then, `runs` times,
/// touch `sdk-appzen/src/generated/client.rs` (its mtime only; the bytes stay as they are) and
/// time the rebuild.
fn measure_build(root: &Path, runs: usize) -> BuildResult {
    let Some((warmup, log)) = cargo_build(root) else {
        return BuildResult::Failed("cargo could not be started".into());
    };
    if !warmup.ok {
        return BuildResult::Failed(format!("the untimed first build failed: {}", last_lines(&log, 5)));
    }
    let client = root.join("sdk-appzen/src/generated/client.rs");
    let mut timed = Vec::new();
    for _ in 0..runs {
        let touched = std::fs::File::options()
            .write(true)
            .open(&client)
            .and_then(|file| file.set_modified(SystemTime::now()));
        if let Err(error) = touched {
            return BuildResult::Failed(format!("cannot touch {}: {error}", client.display()));
        }
        match cargo_build(root) {
            Some((run, _)) => timed.push(run),
            None => return BuildResult::Failed("cargo could not be started".into()),
        }
    }
    BuildResult::Done {
        warmup_seconds: warmup.seconds,
        runs: timed,
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

/// The markdown report.
fn render(
    settings: &Settings,
    machine: &Machine,
    calls: &[CallResult],
    decode: &DecodeResult,
    generate: &[Duration],
    build: &BuildResult,
    total: Duration,
) -> String {
    let mut out = String::new();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let command = if settings.skip_build {
        "SDK_BENCH_SKIP_BUILD=1 cargo bench -p sdk-bench"
    } else {
        "cargo bench -p sdk-bench"
    };
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Produced by `{command}` (from the workspace root) on {now}; the whole run took {:.0} s.\n",
        total.as_secs_f64()
    );

    let _ = writeln!(out, "## Machine\n");
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| CPU | {} |", machine.cpu);
    let _ = writeln!(out, "| Cores | {} |", machine.cores);
    let _ = writeln!(out, "| Memory | {} |", machine.memory);
    let _ = writeln!(out, "| Compiler | {} |", machine.rustc);
    let _ = writeln!(out, "| OS | {} |", machine.os);
    let _ = writeln!(out);

    let _ = writeln!(out, "## Results\n");
    let _ = writeln!(out, "| Measurement | SDK | Baseline | SDK / baseline | Target | Met |");
    let _ = writeln!(out, "|---|---:|---:|---:|---|---|");
    for result in calls {
        let ratio = result.ratio();
        let _ = writeln!(
            out,
            "| {} | {} calls/s | {} calls/s (raw reqwest) | {:.3} | ≥ {CALLS_TARGET:.2} | {} |",
            result.operation.label(),
            thousands(result.sdk_median()),
            thousands(result.raw_median()),
            ratio,
            verdict(ratio >= CALLS_TARGET)
        );
    }
    let typed = median_secs(&decode.typed).unwrap_or(0.0);
    let value = median_secs(&decode.value).unwrap_or(0.0);
    let speedup = value / typed;
    let _ = writeln!(
        out,
        "| Decode a {}-entry Iopole status history ({}): time | {:.1} ms (`Vec<StatusHistoryItem>`) | {:.1} ms (`serde_json::Value`) | {:.2}x faster | ≥ 1.5x faster | {} |",
        thousands(HISTORY_ENTRIES as f64),
        mib(decode.input_bytes),
        typed * 1e3,
        value * 1e3,
        speedup,
        verdict(speedup >= DECODE_TARGET)
    );
    memory_row(&mut out, "Same decode", &decode.typed_memory, &decode.value_memory);
    let plain = median_secs(&decode.plain).unwrap_or(0.0);
    let _ = writeln!(
        out,
        "| Same bytes into plain serde structs with the same fields (no SDK logic; reference point) | {:.1} ms (`Vec<PlainStatus>`) | {:.1} ms (`serde_json::Value`) | {:.2}x faster | — | — |",
        plain * 1e3,
        value * 1e3,
        value / plain
    );
    let parse_only = median_secs(&decode.parse_only).unwrap_or(0.0);
    let _ = writeln!(
        out,
        "| Same bytes parsed and thrown away (`serde::de::IgnoredAny`; floor of any decoder) | {:.1} ms | {:.1} ms (`serde_json::Value`) | {:.2}x faster | — | — |",
        parse_only * 1e3,
        value * 1e3,
        value / parse_only
    );
    memory_row(&mut out, "Plain structs", &decode.plain_memory, &decode.value_memory);
    let generate_median = median_secs(generate).unwrap_or(0.0);
    let _ = writeln!(
        out,
        "| `cargo xtask generate --check`, 3 specs (the command, as run from the README) | {:.0} ms | — | — | — | — |",
        generate_median * 1e3
    );
    match build {
        BuildResult::Skipped => {
            let _ = writeln!(
                out,
                "| `cargo build -p sdk-appzen --release` after a spec change | skipped (`SDK_BENCH_SKIP_BUILD=1`) | — | — | — | — |"
            );
        }
        BuildResult::Failed(reason) => {
            let _ = writeln!(
                out,
                "| `cargo build -p sdk-appzen --release` after a spec change | not measured: {reason} | — | — | — | — |"
            );
        }
        BuildResult::Done { runs, .. } => {
            let seconds: Vec<f64> = runs.iter().map(|run| run.seconds).collect();
            let all_ok = runs.iter().all(|run| run.ok && run.rebuilt);
            let _ = writeln!(
                out,
                "| `cargo build -p sdk-appzen --release` after a spec change | {:.1} s{} | — | — | — | — |",
                median(&seconds).unwrap_or(0.0),
                if all_ok {
                    ""
                } else {
                    " (a run failed or rebuilt nothing: see notes)"
                }
            );
        }
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Method\n");
    let _ = writeln!(
        out,
        "Everything above comes from one run of one bench binary (`sdk-bench/benches/sdk.rs`, bench profile = release), \
         built with the workspace's locked dependencies.\n"
    );
    let _ = writeln!(out, "### Calls per second\n");
    let _ = writeln!(
        out,
        "- Server: a minimal hyper 1.x HTTP/1.1 server started in-process on 127.0.0.1 (its own thread and \
         single-threaded Tokio runtime, keep-alive, `TCP_NODELAY`). It reads each request body in full and answers \
         with fixed bytes: Iopole 204 empty; InvoiceXpress JSON 200 with seed 002's `{{\"invoice\":{{...}}}}` body \
         ({} bytes, nulls included); legacy XML 200 with a {}-byte `<debit_note>` document; AppZen 200 empty with an \
         `x-correlation-id`.",
        sdk_bench::server::invoicexpress_document_json().len(),
        sdk_bench::server::INVOICEXPRESS_LEGACY_XML.len()
    );
    let _ = writeln!(
        out,
        "- Client: the main thread, a single-threaded Tokio runtime, calls awaited one after the other (one \
         keep-alive connection per client). Each client is built once: the SDK clients with their default \
         configuration (`ClientConfig::default()`: 3 attempts at most, 30 s per attempt, 120 s per call; no retry \
         happens since every answer succeeds), Iopole with a static bearer token (no OAuth2) and a `customer-id`; \
         the baseline is one `reqwest::Client::builder().build()` client."
    );
    let _ = writeln!(
        out,
        "- Calls: Iopole `send_status(invoice, IN_HAND + message)` → `SendOutcome::Accepted`; InvoiceXpress \
         `change_state(invoices, 123456789, Finalize, Some(&Draft))` (current status given, so the transition guard \
         runs) → the decoded `Document`, status `final`; legacy `change_state(debit_notes, 42, Finalize, \
         Some(&Draft))` → the decoded `LegacyDocument`; AppZen `status_sync(uuid, created(\"INV-2024-0042\", \
         \"POSTED\") at a fixed time)` → the receipt with its correlation id."
    );
    let _ = writeln!(
        out,
        "- Baseline: a hand-written `reqwest` call per operation sending the same request — same method, path \
         and query (`api_key` included), same headers (`accept`, `content-type`, `user-agent`, the \
         credentials, `customer-id`), the same body bytes, serialized per call from a small `Serialize` struct (XML: \
         `format!`). It reads the same response: the body in full, decoded into the SDK's `DocumentResponse` for \
         the JSON change-state, into an equivalent quick-xml struct for the legacy one, the correlation id for \
         AppZen. Before timing, the server records one SDK request and one raw request per operation and the run \
         stops unless they are identical (method, target, every header, body)."
    );
    let _ = writeln!(
        out,
        "- Counts: {WARMUP_CALLS} untimed calls per operation and side, then {} rounds; a round runs {} sequential \
         calls per operation through the SDK and {} raw, alternating which side goes first from one round to the \
         next to cancel drift. Reported: the median of the rounds' calls/s on each side, and their ratio. \
         {} calls in all.",
        settings.rounds,
        thousands(settings.calls as f64),
        thousands(settings.calls as f64),
        thousands((Operation::ALL.len() * 2 * (settings.rounds * settings.calls + WARMUP_CALLS)) as f64)
    );
    let _ = writeln!(
        out,
        "\nPer operation, all rounds (calls/s) and the median of the round-by-round ratios:\n"
    );
    let _ = writeln!(out, "| Operation | SDK min–max | raw min–max | median paired ratio |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for result in calls {
        let range = |values: &[f64]| {
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(0.0, f64::max);
            format!("{}–{}", thousands(min), thousands(max))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.3} |",
            result.operation.label(),
            range(&result.sdk),
            range(&result.raw),
            result.paired_ratio()
        );
    }

    let _ = writeln!(out, "\n### Decoding the status history\n");
    let _ = writeln!(
        out,
        "- Input: {} statuses generated deterministically (seed {HISTORY_SEED:#x}), {} bytes of JSON: every entry \
         has `statusId`, `date` (30% with milliseconds), `invoiceId`, `status` (numeric or named code, labels, \
         sometimes `message` and `networkCode`) and `destType`; 95% carry an `xml` CDAR message of 1.3 to 1.9 KB \
         and a `json` document, alternating the older shape (seed 001: `category`, `context`, `responses` with \
         `issuerTradeParty`, string `typeCode`) and the current one (`testIndicator`, `identification`, `notes`, \
         `sender`, `issuer` (sometimes null), `recipients`, `responses` with `issuer`, integer `typeCode`, \
         `additionalData`, `rejectionDetail`); `roleCode` is an object or a bare string; some parties carry \
         `country`, `vatNumber`, `identifiers`, `postalAddress`.",
        thousands(HISTORY_ENTRIES as f64),
        thousands(decode.input_bytes as f64)
    );
    let _ = writeln!(
        out,
        "- Time: `serde_json::from_slice` into `Vec<sdk_iopole::types::StatusHistoryItem>`, into \
         `serde_json::Value`, into `Vec<sdk_bench::plain::PlainStatus>` and into `serde::de::IgnoredAny`, from \
         the same bytes in memory; one untimed run each, then {} runs each, rotating which goes first; reported: the medians (typed {}; `Value` \
         {}; plain {}; parse only {}). Dropping the result is not timed. The heap counter is off during these \
         runs.",
        settings.history_runs,
        list_ms(&decode.typed),
        list_ms(&decode.value),
        list_ms(&decode.plain),
        list_ms(&decode.parse_only)
    );
    let _ = writeln!(
        out,
        "- Plain structs (`sdk-bench/src/plain.rs`): the reference point for typed decoding with no SDK logic. \
         They keep every field the SDK types keep (they refuse unknown fields, and the bench decodes the whole \
         input with them before timing), as the cheapest owned form: dates, uuids and enum values stay `String`s, \
         free-form JSON stays `serde_json::Value` as in the SDK types, `roleCode` and `typeCode` use the SDK's \
         visitor-based types."
    );
    let _ = writeln!(
        out,
        "- Memory: a counting `#[global_allocator]` around `System` in the bench binary (live and peak bytes; \
         zeroed right before each measurement, so the input buffer is not counted). One decode each with the \
         counter on; peak = the highest live heap during the decode, retained = what the decoded value still \
         holds afterwards."
    );
    let _ = writeln!(
        out,
        "- `serde_json::Value` is the default one SDK users have (objects in a `BTreeMap`): nothing in this bench \
         binary turns on serde_json's `preserve_order` feature (`xtask` and `sdk-contract` do, so the bench does \
         not link them)."
    );

    let _ = writeln!(out, "\n### Code generation and build\n");
    let _ = writeln!(
        out,
        "- `cargo xtask generate --check`: the command run by the bench with `std::process::Command` from the \
         workspace root, through cargo's `xtask` alias as a user runs it (so the time includes starting cargo, \
         its freshness check of the xtask binary (dev profile) and the process start). `--check` does what \
         `generate` does (read, check and transform the three specs, run progenitor, format with prettyplease) \
         and compares the result with the checked-in files instead of writing them, so the SDK crates stay \
         untouched. One untimed run (which builds xtask if needed), then {} timed runs ({}); reported: the median.",
        generate.len(),
        generate
            .iter()
            .map(|d| format!("{:.1} ms", d.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
            .join(", ")
    );
    match build {
        BuildResult::Skipped => {
            let _ = writeln!(
                out,
                "- Build after a spec change: skipped because `SDK_BENCH_SKIP_BUILD=1` was set. Without it, the \
                 bench runs `cargo build -p sdk-appzen --release` once untimed, then touches \
                 `sdk-appzen/src/generated/client.rs` (mtime only) and times the rebuild."
            );
        }
        BuildResult::Failed(reason) => {
            let _ = writeln!(out, "- Build after a spec change: not measured ({reason}).");
        }
        BuildResult::Done { warmup_seconds, runs } => {
            let detail: Vec<String> = runs
                .iter()
                .map(|run| {
                    let mut text = format!("{:.1} s", run.seconds);
                    if !run.ok {
                        text.push_str(" (failed)");
                    } else if !run.rebuilt {
                        text.push_str(" (nothing rebuilt)");
                    }
                    if run.waited_for_lock {
                        text.push_str(" (waited for the target-dir lock)");
                    }
                    text
                })
                .collect();
            let _ = writeln!(
                out,
                "- Build after a spec change: `cargo build -p sdk-appzen --release` run by the bench with \
                 `std::process::Command` in the shared target directory: once untimed ({warmup_seconds:.1} s, \
                 bringing dependencies up to date for that package's own feature set), then {} time(s): set the \
                 mtime of `sdk-appzen/src/generated/client.rs` to now (its bytes unchanged; what `cargo xtask \
                 generate` leaves after a spec change) and time the rebuild of `sdk-appzen` ({}); reported: the \
                 median. The target directory is shared with other builds, so a run that had to wait for its lock \
                 is flagged. Set `SDK_BENCH_SKIP_BUILD=1` to skip this part.",
                runs.len(),
                detail.join(", ")
            );
        }
    }
    out
}

/// A results row comparing the heap use of a decode with the `Value` one.
fn memory_row(out: &mut String, label: &str, decoded: &MemoryUse, value: &MemoryUse) {
    let _ = writeln!(
        out,
        "| {label}: peak heap (retained after) | {} ({}) | {} ({}) | {:.2} | — | — |",
        mib(decoded.peak),
        mib(decoded.retained),
        mib(value.peak),
        mib(value.retained),
        decoded.peak as f64 / value.peak.max(1) as f64
    );
}

fn list_ms(durations: &[Duration]) -> String {
    durations
        .iter()
        .map(|d| format!("{:.1}", d.as_secs_f64() * 1e3))
        .collect::<Vec<_>>()
        .join(", ")
        + " ms"
}
