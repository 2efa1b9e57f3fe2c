//! Remembering which deliveries and statuses were already handled.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// What [`DedupStore::claim`] found for a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Claim {
    /// Never seen (or forgotten): the key is now claimed by the caller, who must
    /// [`complete`](DedupStore::complete) or [`release`](DedupStore::release) it.
    New,
    /// Already handled.
    Done,
    /// Claimed by another caller that has not finished yet.
    InFlight,
}

/// Where the keys of handled deliveries are kept. Delivery is at least once, and the same
/// status can also come by pull: the feed claims a key before handling, completes it after the
/// handler succeeded and releases it after a failure, so that a later delivery is handled again.
///
/// Implementations must make [`claim`](DedupStore::claim) atomic (two concurrent claims of one
/// key: one `New`, the other `InFlight`). A store shared between processes (a database table with
/// a unique key) makes the de-duplication survive restarts; [`MemoryDedupStore`] is the
/// in-process default.
pub trait DedupStore: Send + Sync {
    /// Claims `key` for handling, or says it is done or in flight.
    fn claim(&self, key: &str) -> Claim;
    /// Records `key` as handled (after the handler succeeded).
    fn complete(&self, key: &str);
    /// Forgets the claim on `key` (after the handler failed), so that it is handled again.
    fn release(&self, key: &str);
}

/// An in-memory [`DedupStore`] that remembers the last `capacity` handled keys (the oldest are
/// forgotten first). In-flight claims are never forgotten.
#[derive(Debug)]
pub struct MemoryDedupStore {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Key to "done" (`true`) or "in flight" (`false`).
    keys: HashMap<String, bool>,
    /// Done keys, oldest first.
    order: VecDeque<String>,
}

/// How many handled keys [`MemoryDedupStore::default`] remembers.
const DEFAULT_CAPACITY: usize = 10_000;

impl Default for MemoryDedupStore {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl MemoryDedupStore {
    /// A store remembering at most `capacity` handled keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// How many handled keys it remembers now.
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// True when it remembers no handled key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves consistent data: keep using it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl DedupStore for MemoryDedupStore {
    fn claim(&self, key: &str) -> Claim {
        let mut inner = self.lock();
        match inner.keys.get(key) {
            Some(true) => Claim::Done,
            Some(false) => Claim::InFlight,
            None => {
                inner.keys.insert(key.to_string(), false);
                Claim::New
            }
        }
    }

    fn complete(&self, key: &str) {
        let mut inner = self.lock();
        if inner.keys.insert(key.to_string(), true) != Some(true) {
            inner.order.push_back(key.to_string());
        }
        while inner.order.len() > self.capacity {
            if let Some(oldest) = inner.order.pop_front() {
                inner.keys.remove(&oldest);
            }
        }
    }

    fn release(&self, key: &str) {
        let mut inner = self.lock();
        if inner.keys.get(key) == Some(&false) {
            inner.keys.remove(key);
        }
    }
}
