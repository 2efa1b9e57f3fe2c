//! What the runtime knows of a provider and its operations: the generated operation table.

/// An operation of a spec, as the generated operation table lists it (one constant per operation
/// in each SDK's `generated::operations`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationSpec {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The name progenitor gives the operation (the `operationId` in snake case), which it passes
    /// to the hooks.
    pub generated_id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// The path template, e.g. `/v1/invoice/{invoiceId}/status`.
    pub path: &'static str,
    /// True when the hand-written facade, not the generated client, implements it.
    pub facade_only: bool,
    /// True when sending it twice has the effect of sending it once, so that it is retried and
    /// reported retryable like a GET: by method, unless the spec says otherwise with
    /// `x-sdk-idempotent` (a search sent as POST).
    pub idempotent: bool,
}

/// Who the runtime works for: names the provider in errors, traces and the `User-Agent`.
#[derive(Clone, Copy, Debug)]
pub struct Provider {
    /// Short provider name, e.g. `iopole`.
    pub name: &'static str,
    /// The SDK crate's version, for the `User-Agent`.
    pub sdk_version: &'static str,
    /// The spec's operations (the generated `OPERATIONS` table).
    pub operations: &'static [OperationSpec],
    /// The rate limits a client uses unless [`ClientConfig::rate_limits`](crate::ClientConfig::rate_limits)
    /// says otherwise: the provider's documented limits.
    pub default_rate_limits: fn() -> crate::RateLimits,
}

impl Provider {
    /// The operation progenitor calls `generated_id`, compared exactly.
    pub(crate) fn operation(&self, generated_id: &str) -> Option<&'static OperationSpec> {
        self.operations.iter().find(|op| op.generated_id == generated_id)
    }
}
