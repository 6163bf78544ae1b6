//! Timing several jobs fairly: round-robin, each within its own time budget, with the medians
//! shown as a table.
//!
//! Jobs timed one after the other are not comparable on a shared machine: a burst of load during
//! one job's runs makes it look slow. [`Timer`] runs each job once (untimed: it checks the job
//! and warms caches and thread pools), then round after round of one run of every job, through
//! [`Timing::measure_within`] of the `bench` crate: each job runs at least 3 times and then while
//! its own total stays within the budget, so a burst of load slows every job of a round alike.
//! A sweep over sizes can skip the untimed run ([`Timer::cold`]): there the first call is timed.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::ops::Index;
use std::time::Duration;

use bench::timing::{pretty, Timing};

use crate::table::Table;

/// The fewest timed runs of any job.
pub const MIN_RUNS: usize = 3;
/// The most timed runs of any job.
pub const MAX_RUNS: usize = 500;

type Job<'a> = Box<dyn FnMut() -> Result<(), Box<dyn Error + Send + Sync>> + 'a>;

/// Named jobs to time together. See the [module docs](self).
pub struct Timer<'a> {
    budget: Duration,
    min_runs: usize,
    warm_up: bool,
    jobs: Vec<(String, Job<'a>)>,
}

impl<'a> Timer<'a> {
    /// A timer giving each job about `budget` of timed runs (at least [`MIN_RUNS`] runs).
    pub fn new(budget: Duration) -> Self {
        Timer {
            budget,
            min_runs: MIN_RUNS,
            warm_up: true,
            jobs: Vec::new(),
        }
    }

    /// Sets the fewest timed runs of each job (default [`MIN_RUNS`]; at least 1): 1 for slow
    /// jobs whose spread does not matter, as in a sweep.
    pub fn min_runs(mut self, runs: usize) -> Self {
        self.min_runs = runs.max(1);
        self
    }

    /// Times from each job's first call, with no untimed run before: for a sweep of slow jobs,
    /// where a second call would double the wait. The first call includes what a job makes once
    /// (a prepared Jacobian's identity seed, for instance).
    pub fn cold(mut self) -> Self {
        self.warm_up = false;
        self
    }

    /// Adds a job: a closure returning a `Result` (its value is dropped).
    pub fn job<R, E>(mut self, name: &str, mut job: impl FnMut() -> Result<R, E> + 'a) -> Self
    where
        E: Error + Send + Sync + 'static,
    {
        let run = move || match job() {
            Ok(value) => {
                std::hint::black_box(value);
                Ok(())
            }
            Err(e) => Err(Box::new(e) as Box<dyn Error + Send + Sync>),
        };
        self.jobs.push((name.to_string(), Box::new(run)));
        self
    }

    /// Runs every job once untimed (unless [`cold`](Self::cold)), then times them round-robin.
    ///
    /// # Errors
    /// The first error a job returns, named with its job.
    pub fn run(mut self) -> Result<Timings, JobError> {
        if self.warm_up {
            for (name, job) in &mut self.jobs {
                job().map_err(|source| JobError {
                    job: name.clone(),
                    source,
                })?;
            }
        }
        let failed: RefCell<Option<JobError>> = RefCell::new(None);
        let (names, mut jobs): (Vec<String>, Vec<Job<'a>>) = self.jobs.into_iter().unzip();
        let mut timed: Vec<_> = (jobs.iter_mut().zip(&names))
            .map(|(job, name)| {
                let failed = &failed;
                move || {
                    if let Err(source) = job() {
                        let job = name.clone();
                        failed.borrow_mut().get_or_insert(JobError { job, source });
                    }
                }
            })
            .collect();
        let timings = Timing::measure_within(self.budget, self.min_runs, MAX_RUNS, &mut timed);
        drop(timed);
        match failed.into_inner() {
            Some(e) => Err(e),
            None => Ok(Timings {
                jobs: names.into_iter().zip(timings).collect(),
            }),
        }
    }
}

/// A job's error, with the job's name.
#[derive(Debug)]
pub struct JobError {
    /// The job's name.
    pub job: String,
    /// What it returned.
    pub source: Box<dyn Error + Send + Sync>,
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {:?} failed: {}", self.job, self.source)
    }
}

impl Error for JobError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

/// The timings of jobs timed together, in the order they were added. Index by name:
/// `timings["jvp"]`. Displayed as a table (median, spread, runs, and each median divided by the
/// first job's).
#[derive(Debug, Clone)]
pub struct Timings {
    /// `(name, timing)` of each job.
    pub jobs: Vec<(String, Timing)>,
}

impl Timings {
    /// A job's median in seconds.
    ///
    /// # Panics
    /// If there is no job of that name (the message lists the names).
    pub fn secs(&self, name: &str) -> f64 {
        self[name].median().as_secs_f64()
    }

    /// `median(a) / median(b)`.
    ///
    /// # Panics
    /// As [`secs`](Self::secs).
    pub fn ratio(&self, a: &str, b: &str) -> f64 {
        self.secs(a) / self.secs(b)
    }

    /// The table: job, median, fastest … slowest, runs, median ÷ the first job's median.
    pub fn table(&self, caption: &str) -> Table {
        let first = self
            .jobs
            .first()
            .map(|(name, _)| name.as_str())
            .unwrap_or("");
        let mut table = Table::new(caption).header([
            "job",
            "median",
            "fastest … slowest",
            "runs",
            &format!("÷ {first}"),
        ]);
        for (name, t) in &self.jobs {
            table = table.row([
                name.clone(),
                pretty(t.median()),
                format!("{} … {}", pretty(t.min()), pretty(t.max())),
                t.runs().to_string(),
                format!("{:.2}", self.ratio(name, first)),
            ]);
        }
        table
    }

    /// Shows [`table`](Self::table) as the cell's HTML output.
    pub fn evcxr_display(&self) {
        self.table("Medians of runs timed round-robin")
            .evcxr_display();
    }
}

impl Index<&str> for Timings {
    type Output = Timing;
    fn index(&self, name: &str) -> &Timing {
        match self.jobs.iter().find(|(n, _)| n == name) {
            Some((_, t)) => t,
            None => {
                let names: Vec<&str> = self.jobs.iter().map(|(n, _)| n.as_str()).collect();
                panic!("no job named {name:?}; the jobs are {names:?}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[derive(Debug)]
    struct Refused;
    impl fmt::Display for Refused {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("refused")
        }
    }
    impl Error for Refused {}

    #[test]
    fn every_job_runs_once_untimed_then_at_least_the_minimum() {
        let (a, b) = (Cell::new(0), Cell::new(0));
        let t = Timer::new(Duration::ZERO)
            .job("a", || Ok::<_, Refused>(a.replace(a.get() + 1)))
            .job("b", || Ok::<_, Refused>(b.replace(b.get() + 1)))
            .run()
            .unwrap();
        assert_eq!((a.get(), b.get()), (MIN_RUNS + 1, MIN_RUNS + 1));
        assert_eq!(t["b"].runs(), MIN_RUNS);
        assert!(t.table("c").html().contains("÷ a"));
    }

    #[test]
    fn a_cold_timer_times_the_first_call() {
        let a = Cell::new(0);
        let t = Timer::new(Duration::ZERO)
            .min_runs(1)
            .cold()
            .job("a", || Ok::<_, Refused>(a.replace(a.get() + 1)))
            .run()
            .unwrap();
        assert_eq!((a.get(), t["a"].runs()), (1, 1));
    }

    #[test]
    fn an_error_after_the_first_run_is_returned_not_a_panic() {
        let calls = Cell::new(0);
        let e = Timer::new(Duration::ZERO)
            .job("flaky", || match calls.replace(calls.get() + 1) {
                0 => Ok(()),
                _ => Err(Refused),
            })
            .run()
            .unwrap_err();
        assert_eq!(e.to_string(), "job \"flaky\" failed: refused");
    }

    #[test]
    fn an_error_names_its_job() {
        let e = Timer::new(Duration::ZERO)
            .job("fine", || Ok::<_, Refused>(()))
            .job("broken", || Err::<(), _>(Refused))
            .run()
            .unwrap_err();
        assert_eq!(e.to_string(), "job \"broken\" failed: refused");
    }

    #[test]
    #[should_panic(expected = "no job named \"c\"; the jobs are [\"a\"]")]
    fn an_unknown_name_lists_the_names() {
        let t = Timer::new(Duration::ZERO)
            .job("a", || Ok::<_, Refused>(()))
            .run()
            .unwrap();
        let _ = &t["c"];
    }
}
