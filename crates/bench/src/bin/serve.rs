//! `serve`: times the notebook's jobs on request, for a paired comparison with JAX.
//!
//! `bench/compare_jax.py` runs this beside JAX's `bench/jax_bench.py serve` and asks the two in
//! turn for short bursts of runs of the same job. Both sides are then timed within the same few
//! milliseconds of a shared machine, where timing them in separate processes, one after the
//! other, compares two different moments.
//!
//! The protocol is one line each way. At start every job (`bench::jobs::Job`) is traced,
//! prepared and run once (its first call), then `ready` is printed. Requests on stdin:
//! - `JOB K` (K ≥ 1): the job runs K times; the K times in seconds come back on one line,
//!   separated by spaces;
//! - `first`: each job's first call in seconds (tracing and preparing included), as one JSON
//!   object.
//!
//! A bad request is answered `error: ...`, and the server goes on until stdin closes.

use std::io::{BufRead, Write};
use std::time::Instant;

use anyhow::{anyhow, bail, Result};
use bench::jobs::{Job, Ready, Setup};
use bench::timing::Timing;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "Times the notebook's jobs (f32) on request: stdin `JOB K`, stdout K times")]
struct Args {
    /// Layer widths n0,n1,n2,n3.
    #[arg(long, value_delimiter = ',', default_value = "5000,1000,30,1")]
    widths: Vec<usize>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    bench::tune_process()?;
    let setup = Setup::new(&args.widths)?;
    let mut jobs = Vec::new();
    let mut first = Vec::new();
    for job in Job::ALL {
        let t = Instant::now();
        let mut ready = Ready::new(job, &setup, None)?;
        ready.run()?; // errors surface here, before any timing
        first.push(format!(
            "\"{}\": {:e}",
            job.name(),
            t.elapsed().as_secs_f64()
        ));
        jobs.push((job, ready));
    }
    let first = format!("{{{}}}", first.join(", "));
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let reply = if line.trim() == "first" {
            first.clone()
        } else {
            match request(&line, &mut jobs) {
                Ok((ready, runs)) => {
                    Timing::measure(runs, || ready.run().expect("ran once already"))
                        .samples
                        .iter()
                        .map(|t| format!("{:e}", t.as_secs_f64()))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                Err(e) => format!("error: {e}"),
            }
        };
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
    Ok(())
}

/// Parses `JOB K` into the job and the number of runs.
fn request<'j>(line: &str, jobs: &'j mut [(Job, Ready)]) -> Result<(&'j mut Ready, usize)> {
    let mut words = line.split_whitespace();
    let (Some(name), Some(runs), None) = (words.next(), words.next(), words.next()) else {
        bail!("expected `JOB K` or `first`, got {line:?}");
    };
    let names = Job::ALL.map(Job::name).join(", ");
    let ready = jobs
        .iter_mut()
        .find(|(j, _)| j.name() == name)
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("unknown job {name:?}; expected one of {names}"))?;
    match runs.parse::<usize>() {
        Ok(k) if k >= 1 => Ok((ready, k)),
        _ => bail!("K must be a whole number ≥ 1, got {runs:?}"),
    }
}
