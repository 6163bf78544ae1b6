//! Memory: what is available before a large array is allocated, and how a program's freed memory
//! is kept. Not needed to understand automatic differentiation.
//!
//! A dense Jacobian allocates large arrays on every call: `jacfwd(F)` a 100 MB seed and a 20 MB
//! tangent. By default glibc hands blocks above a moving threshold straight back to the system and
//! trims the top of its heap, so the next call maps the pages again: about 25 000 page faults,
//! some 8–10% of `jacfwd(F)` here. XLA allocates from its own pool, which keeps memory between
//! calls. [`keep_freed_memory`] gives a program the same behaviour; the library never calls it.
//!
//! glibc keeps blocks up to 32 MiB at most. The larger identity seed of an unchunked textbook
//! Jacobian (100 MB for 5000 directions in `f32`) is kept by this module instead, once a program
//! has asked: the seed never changes, so the next Jacobian of that width reads the same one.
//! Making it costs about 20 ms here (page faults on its first write and first read, and
//! unmapping it), 7% of `jacfwd(F)`.

use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::error::{Error, Result};
use crate::primitives::Matrix;
use crate::scalar::Real;

/// Below this, [`check_fits`] does not ask the system: reading `/proc/meminfo` takes about 14 µs
/// here, 2–5% of a matrix–vector Jacobian, and a machine without 64 MiB to spare is out of
/// memory whatever this crate checks.
const ALWAYS_FITS: u128 = 64 << 20;

/// Fails with [`Error::TooLarge`] if `elements` values of type `T` exceed the memory available now.
pub(crate) fn check_fits<T>(what: &str, elements: u128) -> Result<()> {
    let needed = elements.saturating_mul(std::mem::size_of::<T>() as u128);
    if needed <= ALWAYS_FITS {
        return Ok(());
    }
    let available = available_memory_bytes();
    if needed > available as u128 || needed > isize::MAX as u128 {
        return Err(Error::TooLarge {
            what: what.to_string(),
            needed_mib: needed as f64 / 1048576.0,
            available_mib: available as f64 / 1048576.0,
        });
    }
    Ok(())
}

/// `MemAvailable` from `/proc/meminfo` on Linux; elsewhere, no limit but the address space.
pub fn available_memory_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(isize::MAX as u64)
}

/// Whether a program asked to keep freed memory ([`keep_freed_memory`]).
static KEEP: AtomicBool = AtomicBool::new(false);

/// Seeds up to this size are left to the C allocator, which keeps blocks up to 32 MiB.
const KEPT_SEEDS_ABOVE: u128 = 32 << 20;

/// The kept identity seeds: the last large one made, for each element type.
static SEEDS: Mutex<Vec<Box<dyn Any + Send + Sync>>> = Mutex::new(Vec::new());

/// Asks the C allocator to keep freed memory for reuse: blocks up to 32 MiB come from its heap
/// (the largest glibc allows), and the heap is never trimmed. Larger identity seeds of textbook
/// Jacobians are kept by this crate (see the module docs). The memory a program holds between
/// calls stays near its peak; the peak itself grows only by the kept seed's touched pages, which
/// stay through the rest of the call (20 MB for `jacfwd(F)`). For programs (the command-line tools
/// and benchmarks call it first thing); returns whether the C allocator took the settings (glibc
/// on Linux only; seeds are kept on every system).
pub fn keep_freed_memory() -> bool {
    KEEP.store(true, Ordering::Relaxed);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets two of glibc's tuning parameters; it takes no pointers.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

/// The `n × n` identity seed: the kept one if the program keeps freed memory and the seed is
/// larger than the C allocator keeps, else a new one from `make`.
pub(crate) fn identity_seed<T: Real>(n: usize, make: impl FnOnce() -> Matrix<T>) -> Matrix<T> {
    let bytes = (n as u128).pow(2) * std::mem::size_of::<T>() as u128;
    if !KEEP.load(Ordering::Relaxed) || bytes <= KEPT_SEEDS_ABOVE {
        return make();
    }
    // A panic elsewhere while the lock was held leaves the list as it was: still usable.
    let mut kept = SEEDS.lock().unwrap_or_else(PoisonError::into_inner);
    let same_type = kept.iter().find_map(|b| b.downcast_ref::<Matrix<T>>());
    if let Some(seed) = same_type.filter(|m| m.dim() == (n, n)) {
        return seed.clone();
    }
    let seed = make();
    kept.retain(|b| !b.is::<Matrix<T>>());
    kept.push(Box::new(seed.clone()));
    seed
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_settings() {
        // mallopt refuses values out of range (a threshold above 32 MiB, say) by returning 0.
        assert!(super::keep_freed_memory());
    }
}
