//! Project automation for the invoice-status SDK workspace, run as `cargo xtask <command>`.

pub mod diff;
pub mod generate;
