//! Benchmarks of the invoice-status SDKs (issue 9), run with `cargo bench -p sdk-bench`.
//!
//! The bench target (`benches/sdk.rs`) measures, in one run:
//!
//! 1. calls per second of each SDK's main operation against a hand-written raw `reqwest` call
//!    sending the same request, both against the same in-process hyper server on 127.0.0.1
//!    ([`server`], [`ops`]);
//! 2. decoding a 10,000-entry Iopole status history ([`history`]) into the SDK types (the array at
//!    once, and item by item as `Vec<Tolerant<StatusHistoryItem>>`, what the SDK does) against
//!    decoding it into `serde_json::Value`, time and peak heap ([`alloc`]);
//! 3. the peak heap of Iopole calls whose response body is larger than the SDK's body limits,
//!    against the loopback server's generated 200 MiB bodies ([`capped`]);
//! 4. the wall time of `cargo xtask generate --check` (the command, run as a user runs it) and of an
//!    SDK crate's release build after a change to its generated client.
//!
//! It prints a markdown table and writes it to `BENCHMARKS.md` at the workspace root, with the
//! machine's description ([`machine`]). This library holds the pieces; nothing in it asserts on
//! timings.

pub mod alloc;
pub mod capped;
pub mod drain;
pub mod history;
pub mod machine;
pub mod ops;
pub mod plain;
pub mod plain_progenitor;
pub mod server;

use std::time::Duration;

/// The median of `values` (the mean of the two middle values for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    })
}

/// The median of durations, in seconds.
pub fn median_secs(durations: &[Duration]) -> Option<f64> {
    median(&durations.iter().map(Duration::as_secs_f64).collect::<Vec<_>>())
}

/// An integer with thousands separators: `12,345`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as MiB with one decimal: `12.3 MiB`.
pub fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Bytes as MiB from 1 MiB up ([`mib`]), else as KiB with one decimal: `64.0 KiB`.
pub fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        mib(bytes)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(
            median_secs(&[
                Duration::from_millis(10),
                Duration::from_millis(30),
                Duration::from_millis(20)
            ]),
            Some(0.02)
        );
    }

    #[test]
    fn number_formats() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234.0), "1,234");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(mib(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(size(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(size(64 * 1024), "64.0 KiB");
    }
}
