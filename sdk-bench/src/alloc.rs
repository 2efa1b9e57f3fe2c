//! A counting global allocator: [`System`] plus live and peak byte counters.
//!
//! Install it in a binary with `#[global_allocator]`. Counting is off until
//! [`CountingAlloc::start`]: while off, each allocation costs one extra relaxed load, so the
//! counter's cache line never bounces between the client and server threads of the HTTP
//! measurements. A measurement calls [`CountingAlloc::start`] (which zeroes both counters), runs,
//! then reads [`CountingAlloc::stop`]. Bytes freed during a measurement that were allocated before
//! it can drive the live count below zero; the counters are signed for that reason.
//!
//! The counters see the whole process. A second pair counts only the threads marked with
//! [`mark_this_thread`]: when a server runs in the same process (the capped-body measurements),
//! marking the client's thread keeps the server's allocations out of the client's figure;
//! [`CountingAlloc::stop_split`] returns both.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

thread_local! {
    /// Whether this thread's allocations also go to the marked-thread counters. Const-initialized
    /// and without a destructor, so reading it from the allocator never allocates.
    static MARKED: Cell<bool> = const { Cell::new(false) };
}

/// Marks (or unmarks) the calling thread: while marked, its allocations and frees also go to the
/// marked-thread counters ([`CountingAlloc::stop_split`]).
pub fn mark_this_thread(marked: bool) {
    MARKED.with(|cell| cell.set(marked));
}

fn this_thread_is_marked() -> bool {
    MARKED.try_with(Cell::get).unwrap_or(false)
}

/// A [`GlobalAlloc`] wrapping [`System`] that tracks live and peak heap bytes while enabled.
#[derive(Debug)]
pub struct CountingAlloc {
    enabled: AtomicBool,
    current: AtomicIsize,
    peak: AtomicIsize,
    marked_current: AtomicIsize,
    marked_peak: AtomicIsize,
}

/// What a measurement saw in the whole process and on the marked threads alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SplitUse {
    /// Every thread.
    pub process: MemoryUse,
    /// The threads marked with [`mark_this_thread`].
    pub marked: MemoryUse,
}

/// What a measurement saw: live bytes at its end and the highest live bytes during it, both
/// relative to its start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// Highest live heap bytes above the start of the measurement.
    pub peak: usize,
    /// Live heap bytes above the start when the measurement stopped (what the result retains).
    pub retained: usize,
}

impl CountingAlloc {
    /// A disabled allocator with zeroed counters (usable in a `static`).
    pub const fn new() -> Self {
        Self {
            enabled: AtomicBool::new(false),
            current: AtomicIsize::new(0),
            peak: AtomicIsize::new(0),
            marked_current: AtomicIsize::new(0),
            marked_peak: AtomicIsize::new(0),
        }
    }

    /// Zeroes the live and peak counters and starts counting.
    pub fn start(&self) {
        self.enabled.store(false, Ordering::SeqCst);
        self.current.store(0, Ordering::SeqCst);
        self.peak.store(0, Ordering::SeqCst);
        self.marked_current.store(0, Ordering::SeqCst);
        self.marked_peak.store(0, Ordering::SeqCst);
        self.enabled.store(true, Ordering::SeqCst);
    }

    /// Stops counting and returns what was seen since [`CountingAlloc::start`].
    pub fn stop(&self) -> MemoryUse {
        self.enabled.store(false, Ordering::SeqCst);
        MemoryUse {
            peak: self.peak.load(Ordering::SeqCst).max(0) as usize,
            retained: self.current.load(Ordering::SeqCst).max(0) as usize,
        }
    }

    /// Stops counting and returns what was seen since [`CountingAlloc::start`], in the whole
    /// process and on the marked threads.
    pub fn stop_split(&self) -> SplitUse {
        let process = self.stop();
        SplitUse {
            process,
            marked: MemoryUse {
                peak: self.marked_peak.load(Ordering::SeqCst).max(0) as usize,
                retained: self.marked_current.load(Ordering::SeqCst).max(0) as usize,
            },
        }
    }

    /// Whether counting is on.
    pub fn is_counting(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    fn grow(&self, bytes: usize) {
        let now = self.current.fetch_add(bytes as isize, Ordering::Relaxed) + bytes as isize;
        self.peak.fetch_max(now, Ordering::Relaxed);
        if this_thread_is_marked() {
            let now = self.marked_current.fetch_add(bytes as isize, Ordering::Relaxed) + bytes as isize;
            self.marked_peak.fetch_max(now, Ordering::Relaxed);
        }
    }

    fn shrink(&self, bytes: usize) {
        self.current.fetch_sub(bytes as isize, Ordering::Relaxed);
        if this_thread_is_marked() {
            self.marked_current.fetch_sub(bytes as isize, Ordering::Relaxed);
        }
    }
}

impl Default for CountingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && self.enabled.load(Ordering::Relaxed) {
            self.grow(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && self.enabled.load(Ordering::Relaxed) {
            self.grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) };
        if self.enabled.load(Ordering::Relaxed) {
            self.shrink(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && self.enabled.load(Ordering::Relaxed) {
            if new_size >= layout.size() {
                self.grow(new_size - layout.size());
            } else {
                self.shrink(layout.size() - new_size);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_while_enabled() {
        let counter = CountingAlloc::new();
        let layout = Layout::from_size_align(1024, 8).unwrap();
        // SAFETY: plain allocate/free pairs with the same layout.
        unsafe {
            let before = counter.alloc(layout);
            counter.start();
            let a = counter.alloc(layout);
            let b = counter.realloc(a, layout, 4096);
            counter.dealloc(before, layout);
            let seen = counter.stop();
            assert_eq!(seen.peak, 4096);
            assert_eq!(seen.retained, 3072);
            counter.dealloc(b, Layout::from_size_align(4096, 8).unwrap());
        }
        assert!(!counter.is_counting());
    }

    #[test]
    fn marked_threads_are_counted_apart() {
        let counter = CountingAlloc::new();
        let layout = Layout::from_size_align(1000, 8).unwrap();
        counter.start();
        mark_this_thread(true);
        // SAFETY: plain allocate/free pairs with the same layout.
        let mine = unsafe { counter.alloc(layout) };
        mark_this_thread(false);
        let other = std::thread::scope(|scope| {
            // SAFETY: as above; the pointer is returned as an address and freed below.
            scope
                .spawn(|| unsafe { counter.alloc(layout) } as usize)
                .join()
                .unwrap()
        });
        let seen = counter.stop_split();
        assert_eq!(seen.process.peak, 2000);
        assert_eq!(
            seen.marked,
            MemoryUse {
                peak: 1000,
                retained: 1000
            }
        );
        // SAFETY: both were allocated above with `layout`.
        unsafe {
            counter.dealloc(mine, layout);
            counter.dealloc(other as *mut u8, layout);
        }
    }
}
