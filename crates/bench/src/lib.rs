//! Benchmarks of `jacobian-core`, kept apart from the library: what the programs of this crate
//! share.
//!
//! | program | what it measures |
//! |---|---|
//! | `job` | one job of the notebook in a fresh process: first call, warm median, peak RSS (JSON) |
//! | `serve` | the jobs on request, warm, for the paired comparison with JAX's `bench/jax_bench.py` |
//! | `peak` | this machine's f32 ceiling, which no product here can pass (JSON) |
//! | `scaling` | how `jacfwd` and `jacrev` grow with the wide side of the network |
//!
//! `bench/compare_jax.py` runs them beside JAX and writes `bench/RESULTS.md`. The notebooks use
//! the library alone (`default-features = false`: no command-line parsing to compile).
//!
//! - [`timing`]: timeit-style medians of repeated runs;
//! - `jobs` (feature `cli`, the default): the notebook's jobs, prepared once and run as often as asked, as `jax.jit` does;
//! - [`peak`]: this machine's multiply–add peak on registers;
//! - [`process`]: this process's memory, from `/proc` (Linux);
//! - [`tune_process`]: how the programs set up their process before timing anything.

#[cfg(feature = "cli")]
pub mod jobs;
pub mod peak;
pub mod process;
pub mod timing;

/// Sets this process up as XLA's runtime sets up JAX's, before anything is timed: the C allocator
/// keeps freed memory, and the calling thread joins rayon's global pool. For a program's `main`,
/// first thing; the library never tunes the process itself.
///
/// - **Freed memory kept.** A dense Jacobian allocates large arrays on every call. By default
///   glibc hands blocks above a moving threshold straight back to the system and trims the top
///   of its heap, so the next call maps the pages again and takes a page fault on each. XLA
///   allocates from its own pool, which keeps memory between calls. Here glibc keeps blocks up to
///   32 MiB (the most it allows) and never trims its heap (Linux with glibc only; elsewhere this
///   part does nothing).
/// - **This thread in the pool.** A parallel product started from a thread outside rayon's pool
///   is handed to the pool whole, and the caller sleeps until a pool thread wakes it: two thread
///   wake-ups per product. From inside the pool the caller does its share. The pool keeps one
///   thread per core, this one included (`RAYON_NUM_THREADS` bounds them).
///
/// A thread already in a pool is left as it is: calling this again does nothing more.
///
/// **In the evcxr kernel** every cell is linked with its own copy of the crates it uses, rayon
/// and this crate included. The allocator settings are the process's (the notebooks' kernel
/// spec sets them through `GLIBC_TUNABLES` anyway), but the pool is that of the calling
/// cell's copy of rayon: the one the code compiled into that cell uses (its closures, the
/// generic functions it instantiates, the programs it traces). Work started through objects
/// made in an earlier cell runs on that cell's copy, and its pool.
///
/// # Errors
/// If rayon's global pool already exists without this thread (built by earlier parallel work).
pub fn tune_process() -> Result<(), rayon::ThreadPoolBuildError> {
    keep_freed_memory();
    if rayon::current_thread_index().is_some() {
        return Ok(());
    }
    rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global()
}

/// A number for the programs' hand-written JSON: `null` if missing or not finite.
pub fn json_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:e}"),
        _ => "null".into(),
    }
}

/// Asks glibc to keep freed memory (see [`tune_process`]); whether it took the settings.
fn keep_freed_memory() -> bool {
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
