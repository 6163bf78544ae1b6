//! This process's memory and age, from `/proc` (Linux). Elsewhere every reading is `None`.

/// A field of `/proc/self/status` in MiB: `VmRSS` (resident now), `VmHWM` (the peak mark).
pub fn status_mib(field: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Resets the peak mark `VmHWM` to the current RSS (Linux ≥ 4.0), so that the next reading is
/// the peak of what runs from now on. True on success.
pub fn reset_peak_mark() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Seconds since the system started this process (10 ms resolution; 100 clock ticks a second
/// assumed, as on every common Linux).
pub fn age_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let start: f64 = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let up: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(up - start / 100.0)
}
