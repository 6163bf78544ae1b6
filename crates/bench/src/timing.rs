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

    /// Runs `job` `runs` times (at least once), then again while the runs so far total less
    /// than `at_least` (its next run is expected to take their mean): many runs of a fast job,
    /// over a window long enough that a moment's load on a shared machine does not decide the
    /// median. `Duration::ZERO` is [`measure`](Self::measure).
    pub fn measure_for<R>(runs: usize, at_least: Duration, job: impl FnMut() -> R) -> Timing {
        let mut job = [job];
        Self::measure_within(at_least, runs, usize::MAX, &mut job)
            .pop()
            .expect("one job, one timing")
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

    /// Times several jobs round-robin within a time budget: each runs at least `min_runs` times
    /// (at least once), then again while its own total stays within `budget` (its next run is
    /// expected to take its mean so far), and at most `max_runs` times. Slow jobs get few runs,
    /// fast ones many, and a burst of load slows all the jobs of a round alike.
    pub fn measure_within<R, F: FnMut() -> R>(
        budget: Duration,
        min_runs: usize,
        max_runs: usize,
        jobs: &mut [F],
    ) -> Vec<Timing> {
        let min_runs = min_runs.max(1);
        let max_runs = max_runs.max(min_runs);
        let mut timings = vec![Timing { samples: vec![] }; jobs.len()];
        let mut spent = vec![Duration::ZERO; jobs.len()]; // each job's total so far
        loop {
            let mut ran = false;
            for ((job, timing), spent) in jobs.iter_mut().zip(&mut timings).zip(&mut spent) {
                let k = timing.samples.len();
                let next = if k == 0 {
                    Duration::ZERO
                } else {
                    *spent / k as u32
                };
                if k >= max_runs || (k >= min_runs && *spent + next > budget) {
                    continue;
                }
                ran = true;
                let start = Instant::now();
                std::hint::black_box(job());
                let t = start.elapsed();
                timing.samples.push(t);
                *spent += t;
            }
            if !ran {
                return timings;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    use std::cell::Cell;

    /// One job per counter, each counting its runs: no test here depends on how long anything takes.
    fn counting(count: &[Cell<usize>]) -> Vec<impl FnMut() + '_> {
        count.iter().map(|c| move || c.set(c.get() + 1)).collect()
    }

    #[test]
    fn a_zero_budget_runs_each_job_the_minimum() {
        let count = vec![Cell::new(0); 3];
        let mut jobs = counting(&count);
        let t = Timing::measure_within(Duration::ZERO, 4, 50, &mut jobs);
        assert!(count.iter().all(|c| c.get() == 4));
        assert!(t.iter().all(|t| t.runs() == 4));
    }

    #[test]
    fn an_ample_budget_stops_at_the_maximum() {
        let count = vec![Cell::new(0); 2];
        let mut jobs = counting(&count);
        let t = Timing::measure_within(Duration::from_secs(3600), 1, 7, &mut jobs);
        assert!(t.iter().all(|t| t.runs() == 7), "{t:?}");
        // A minimum of zero still runs once; a maximum below the minimum is raised to it.
        let t = Timing::measure_within(Duration::ZERO, 0, 0, &mut jobs);
        assert!(t.iter().all(|t| t.runs() == 1));
        let t = Timing::measure_within(Duration::from_secs(3600), 3, 2, &mut jobs);
        assert!(t.iter().all(|t| t.runs() == 3));
        assert!(Timing::measure_within(Duration::ZERO, 1, 1, &mut Vec::<fn()>::new()).is_empty());
    }

    #[test]
    fn measure_for_runs_the_minimum_then_fills_the_window() {
        let count = Cell::new(0);
        let t = Timing::measure_for(3, Duration::ZERO, || count.set(count.get() + 1));
        assert_eq!((t.samples.len(), count.get()), (3, 3));
        // It stops only once one more run (of the mean length) would pass the window.
        let window = Duration::from_millis(20);
        let t = Timing::measure_for(1, window, || std::thread::sleep(Duration::from_millis(1)));
        let spent: Duration = t.samples.iter().sum();
        assert!(spent + spent / t.samples.len() as u32 > window, "{t:?}");
    }

    #[test]
    fn medians_of_odd_even_and_empty_samples() {
        let ms = |v: &[u64]| Timing {
            samples: v.iter().map(|&m| Duration::from_millis(m)).collect(),
        };
        assert_eq!(ms(&[5, 1, 3]).median(), Duration::from_millis(3));
        assert_eq!(ms(&[4, 1, 3, 2]).median(), Duration::from_micros(2500));
        assert_eq!(ms(&[]).median(), Duration::ZERO);
        assert_eq!(
            (ms(&[4, 1]).min(), ms(&[4, 1]).max()),
            (Duration::from_millis(1), Duration::from_millis(4))
        );
    }
}
