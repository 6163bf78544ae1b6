//! Timeit-style measurements: the median and spread of several runs, as `%timeit` reports them.

use std::fmt;
use std::time::{Duration, Instant};

/// Times of repeated runs of one job.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Every run's time, in the order they ran.
    pub samples: Vec<Duration>,
}

impl Timing {
    /// Runs `job` `runs` times (at least once) and keeps each run's time.
    pub fn measure<R>(runs: usize, mut job: impl FnMut() -> R) -> Timing {
        let samples = (0..runs.max(1))
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(job());
                start.elapsed()
            })
            .collect();
        Timing { samples }
    }

    /// Times several jobs round-robin, `runs` rounds (at least one) of one run each, so that a
    /// burst of load on a shared machine slows them all alike. Fair to jobs that touch the same
    /// data (each run finds the caches as the other job left them); returns one `Timing` per job.
    pub fn measure_interleaved<R, F: FnMut() -> R>(runs: usize, jobs: &mut [F]) -> Vec<Timing> {
        let mut timings = vec![Timing { samples: vec![] }; jobs.len()];
        for _ in 0..runs.max(1) {
            for (job, timing) in jobs.iter_mut().zip(&mut timings) {
                let start = Instant::now();
                std::hint::black_box(job());
                timing.samples.push(start.elapsed());
            }
        }
        timings
    }
    fn sorted(&self) -> Vec<Duration> {
        let mut s = self.samples.clone();
        s.sort();
        s
    }
    /// The median run (the mean of the middle two for an even count; zero if there are no runs).
    pub fn median(&self) -> Duration {
        let s = self.sorted();
        let k = s.len();
        if k == 0 {
            Duration::ZERO
        } else if k % 2 == 1 {
            s[k / 2]
        } else {
            (s[k / 2 - 1] + s[k / 2]) / 2
        }
    }
    /// The fastest run (zero if there are no runs).
    pub fn min(&self) -> Duration {
        self.samples.iter().copied().min().unwrap_or_default()
    }
    /// The slowest run (zero if there are no runs).
    pub fn max(&self) -> Duration {
        self.samples.iter().copied().max().unwrap_or_default()
    }
    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.samples.len()
    }
}

/// A duration in the unit that suits it: `812 µs`, `3.41 ms`, `1.20 s`.
pub fn pretty(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// `3.41 ms (median of 7 runs, 3.30 ms … 3.90 ms)`.
impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (median of {} runs, {} … {})",
            pretty(self.median()),
            self.runs(),
            pretty(self.min()),
            pretty(self.max())
        )
    }
}
