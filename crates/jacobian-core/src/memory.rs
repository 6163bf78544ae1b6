//! Whether a large allocation fits in memory, checked before it is made.

use crate::error::{Error, Result};

/// Below this, [`check_fits`] does not ask the system: a machine without 64 MiB to spare is out
/// of memory whatever this crate checks, and reading `/proc/meminfo` on every small Jacobian
/// would cost more than some of them.
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
fn available_memory_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(isize::MAX as u64)
}
