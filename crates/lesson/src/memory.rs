//! Peak memory, measured: this crate installs a global allocator that counts the bytes live, so
//! [`peak_bytes`] reports the most bytes a job had allocated at any moment, not an estimate.
//!
//! The allocator is the system's (`malloc`/`free`), with two counters beside it: the bytes live
//! now and the peak since the last reset. Any program that links this crate counts its
//! allocations (the notebooks do; nothing else in the workspace links it).
//!
//! In the evcxr kernel every cell is compiled into a library of its own, with its own copy of
//! this crate, so a cell counts what the code compiled into it allocates (the library's code
//! included, on every thread). Memory a cell frees that an earlier cell allocated lowers that
//! cell's count: [`peak_bytes`] therefore reports the peak *above the count when the job
//! started*, which is right whatever came before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};

/// The system allocator, counting.
pub struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes as isize, Relaxed) + bytes as isize;
    PEAK.fetch_max(now, Relaxed);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes as isize, Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as a copy (both blocks live for a moment), which a move may be.
            grew(new_size);
            shrank(layout.size());
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes allocated now and not yet freed, by the code this copy of the crate counts (see the
/// [module docs](self)); may be negative in a notebook cell that freed earlier cells' memory.
pub fn live_bytes() -> isize {
    LIVE.load(Relaxed)
}

/// What [`peak_bytes`] measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peak {
    /// The most bytes live at once while the job ran, above those live when it started.
    pub peak: u64,
    /// Bytes still live when it returned (its result, say), above those live when it started.
    pub kept: i64,
}

/// Runs `job` and measures its memory: the peak of the bytes live while it ran, and the bytes it
/// left live (its result included), both above the bytes live when it started. Jobs running on
/// other threads at the same time are counted too: measure one job at a time.
pub fn peak_bytes<R>(job: impl FnOnce() -> R) -> (R, Peak) {
    let start = LIVE.load(Relaxed);
    PEAK.store(start, Relaxed);
    let value = std::hint::black_box(job());
    let peak = PEAK.load(Relaxed) - start;
    let kept = LIVE.load(Relaxed) - start;
    (
        value,
        Peak {
            peak: peak.max(0) as u64,
            kept: kept as i64,
        },
    )
}
