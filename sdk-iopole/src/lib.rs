//! Work in progress: the facade grows in its own issue.
#![allow(missing_docs)]

pub mod generated;
