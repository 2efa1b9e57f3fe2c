//! Runs one benchmarked operation many times, for a profiler: the instruction and cache figures
//! in BENCHMARKS.md's issue 20 section come from
//!
//! ```text
//! cargo build --release -p sdk-bench --example profile_call
//! valgrind --tool=callgrind [--cache-sim=yes] --toggle-collect='*profile_call::timed*' \
//!     target/release/examples/profile_call iopole sdk 2000
//! ```
//!
//! Arguments: the operation (`iopole`, `invoicexpress`, `legacy`, `appzen`), the side (`sdk` or
//! `raw`) and the number of calls (default 2000). The server runs in the same process, so the
//! counts include its share of each exchange, the same on both sides.

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
    let sdk = match args.next().as_deref() {
        Some("sdk") | None => true,
        Some("raw") => false,
        Some(other) => return Err(format!("unknown side {other:?}: sdk or raw").into()),
    };
    let calls: usize = match args.next() {
        Some(text) => text.parse().map_err(|e| format!("call count {text:?}: {e}"))?,
        None => 2000,
    };

    let server = Server::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let clients = Clients::new(&server.base_url())?;
    warm_up(&runtime, &clients, operation, sdk)?;
    timed(&runtime, &clients, operation, sdk, calls)?;
    println!("{calls} calls of {operation} ({})", if sdk { "SDK" } else { "raw" });
    Ok(())
}
