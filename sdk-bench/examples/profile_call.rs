//! Runs one benchmarked operation many times, for a profiler: the instruction and cache figures
//! in BENCHMARKS.md's issue 20 section come from
//!
//! ```text
//! cargo build --profile bench -p sdk-bench --example profile_call   # as the bench is built
//! valgrind --tool=callgrind [--cache-sim=yes] --toggle-collect='*profile_call::timed*' \
//!     target/release/examples/profile_call iopole sdk 2000
//! ```
//!
//! Arguments: the operation (`iopole`, `invoicexpress`, `legacy`, `appzen`), the side (`sdk` or
//! `raw`) and the number of calls (default 2000). The server runs in the same process, so the
//! counts include its share of each exchange, the same on both sides.
//!
//! The side `pair` times both sides instead, in slices of 20 calls taking turns (the opening side
//! alternating), and prints the median of the slices' SDK / raw ratios: the bench's pairing, for
//! one operation, in seconds rather than minutes. The bench's run is the one reported. Built with
//! `--release` instead, it measures cargo's default release settings (BENCHMARKS.md, "Default
//! release settings").

use std::hint::black_box;

use sdk_bench::ops::{Clients, Operation};
use sdk_bench::server::Server;

type BoxError = Box<dyn std::error::Error>;

/// The calls a profiler measures; everything before (server, clients, warm-up) is set-up.
#[inline(never)]
fn timed(
    runtime: &tokio::runtime::Runtime,
    clients: &Clients,
    operation: Operation,
    sdk: bool,
    calls: usize,
) -> Result<(), BoxError> {
    run(runtime, clients, operation, sdk, calls)
}

/// Connections opened and caches filled before measuring.
#[inline(never)]
fn warm_up(
    runtime: &tokio::runtime::Runtime,
    clients: &Clients,
    operation: Operation,
    sdk: bool,
) -> Result<(), BoxError> {
    run(runtime, clients, operation, sdk, 200)
}

fn run(
    runtime: &tokio::runtime::Runtime,
    clients: &Clients,
    operation: Operation,
    sdk: bool,
    calls: usize,
) -> Result<(), BoxError> {
    runtime.block_on(async {
        for _ in 0..calls {
            if sdk {
                black_box(clients.sdk(black_box(operation)).await)?;
            } else {
                black_box(clients.raw(black_box(operation)).await)?;
            }
        }
        Ok(())
    })
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let operation = match args.next().as_deref() {
        Some("iopole") | None => Operation::IopoleSendStatus,
        Some("invoicexpress") => Operation::InvoiceXpressChangeState,
        Some("legacy") => Operation::LegacyChangeState,
        Some("appzen") => Operation::AppZenStatusSync,
        Some(other) => {
            return Err(format!("unknown operation {other:?}: iopole, invoicexpress, legacy or appzen").into());
        }
    };
    let side = args.next();
    let sdk = match side.as_deref() {
        Some("sdk") | Some("pair") | None => true,
        Some("raw") => false,
        Some(other) => return Err(format!("unknown side {other:?}: sdk, raw or pair").into()),
    };
    let calls: usize = match args.next() {
        Some(text) => text.parse().map_err(|e| format!("call count {text:?}: {e}"))?,
        None => 2000,
    };

    let server = Server::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let clients = Clients::new(&server.base_url())?;
    if side.as_deref() == Some("pair") {
        return paired(&runtime, &clients, operation, calls);
    }
    warm_up(&runtime, &clients, operation, sdk)?;
    timed(&runtime, &clients, operation, sdk, calls)?;
    println!("{calls} calls of {operation} ({})", if sdk { "SDK" } else { "raw" });
    Ok(())
}

/// Calls per slice in `pair` mode, as in the bench.
const SLICE_CALLS: usize = 20;

/// `pair` mode: both sides in alternating slices; prints the median SDK / raw ratio of the slices
/// and each side's calls per second.
fn paired(
    runtime: &tokio::runtime::Runtime,
    clients: &Clients,
    operation: Operation,
    calls: usize,
) -> Result<(), BoxError> {
    warm_up(runtime, clients, operation, true)?;
    warm_up(runtime, clients, operation, false)?;
    let slices = (calls / SLICE_CALLS).max(1);
    let mut ratios = Vec::with_capacity(slices);
    let (mut sdk_total, mut raw_total) = (0.0, 0.0);
    for slice in 0..slices {
        let time = |sdk: bool| -> Result<f64, BoxError> {
            let started = std::time::Instant::now();
            run(runtime, clients, operation, sdk, SLICE_CALLS)?;
            Ok(started.elapsed().as_secs_f64())
        };
        let (sdk_time, raw_time) = if slice % 2 == 0 {
            let sdk_time = time(true)?;
            (sdk_time, time(false)?)
        } else {
            let raw_time = time(false)?;
            (time(true)?, raw_time)
        };
        sdk_total += sdk_time;
        raw_total += raw_time;
        // Calls per second, SDK over raw: raw's time over the SDK's.
        ratios.push(raw_time / sdk_time);
    }
    ratios.sort_by(f64::total_cmp);
    let per_second = |total: f64| (slices * SLICE_CALLS) as f64 / total;
    println!(
        "{operation}: SDK / raw {:.3} (median of {slices} slices); SDK {:.0} calls/s, raw {:.0} calls/s",
        ratios[slices / 2],
        per_second(sdk_total),
        per_second(raw_total)
    );
    Ok(())
}
