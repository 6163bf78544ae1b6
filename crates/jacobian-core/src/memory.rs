//! Memory: what is available before a large array is allocated, and how a program's freed memory
//! is kept. Not needed to understand automatic differentiation.
//!
//! A dense Jacobian allocates large arrays on every call: `jacfwd(F)` a 100 MB seed and a 20 MB
//! tangent. By default glibc hands blocks above a moving threshold straight back to the system and
//! trims the top of its heap, so the next call maps the pages again: about 25 000 page faults,
//! some 8–10% of `jacfwd(F)` here. XLA allocates from its own pool, which keeps memory between
//! calls. [`keep_freed_memory`] gives a program the same behaviour; the library never calls it.

use crate::error::{Error, Result};

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

/// Asks the C allocator to keep freed memory for reuse: blocks up to 32 MiB come from its heap
/// (the largest glibc allows), and the heap is never trimmed. The peak memory is unchanged; the
/// memory a program holds between calls stays at its peak. For programs (the command-line tools
/// and benchmarks call it first thing); returns whether it took effect (glibc on Linux only).
pub fn keep_freed_memory() -> bool {
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

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_settings() {
        // mallopt refuses values out of range (a threshold above 32 MiB, say) by returning 0.
        assert!(super::keep_freed_memory());
    }
}
