//! What the benchmark ran on: CPU, cores, memory, compiler, operating system.

use std::fs;
use std::process::Command;

/// A description of the machine, each field one line of text ("unknown" when not readable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// CPU model, from `/proc/cpuinfo`.
    pub cpu: String,
    /// Cores available to this process, and logical CPUs listed in `/proc/cpuinfo`.
    pub cores: String,
    /// Total memory, from `/proc/meminfo`.
    pub memory: String,
    /// `rustc -V` (the `RUSTC` environment variable's compiler when set).
    pub rustc: String,
    /// Distribution (`/etc/os-release`), kernel release and architecture.
    pub os: String,
}

const UNKNOWN: &str = "unknown";

impl Machine {
    /// Reads the description of this machine.
    pub fn detect() -> Self {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split_once(':'))
            .map(|(_, model)| model.trim().to_string())
            .unwrap_or_else(|| UNKNOWN.into());
        let logical = cpuinfo.lines().filter(|line| line.starts_with("processor")).count();
        let available = std::thread::available_parallelism().map_or(0, |n| n.get());
        let cores = format!("{available} available to the process ({logical} logical CPUs in /proc/cpuinfo)");

        let memory = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|line| line.starts_with("MemTotal:"))
                    .and_then(|line| line.split_whitespace().nth(1))
                    .and_then(|kib| kib.parse::<u64>().ok())
            })
            .map(|kib| format!("{:.1} GiB", kib as f64 / (1024.0 * 1024.0)))
            .unwrap_or_else(|| UNKNOWN.into());

        let rustc_path = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let rustc = Command::new(rustc_path)
            .arg("-V")
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .unwrap_or_else(|| UNKNOWN.into());

        let distribution = fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                    .map(|name| name.trim_matches('"').to_string())
            })
            .unwrap_or_else(|| std::env::consts::OS.to_string());
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|release| release.trim().to_string())
            .unwrap_or_else(|_| UNKNOWN.into());
        let os = format!("{distribution}, Linux {kernel}, {}", std::env::consts::ARCH);

        Self {
            cpu,
            cores,
            memory,
            rustc,
            os,
        }
    }
}
