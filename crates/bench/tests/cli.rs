//! The benchmark programs, run as `bench/compare_jax.py` runs them: small widths, their output
//! read back. Times are only checked to be present and positive, never against a bound.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("could not start {bin}: {e}"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The value of `"key": value` in a flat one-line JSON object, as a number.
fn number(json: &str, key: &str) -> f64 {
    let pat = format!("\"{key}\": ");
    let at = json
        .find(&pat)
        .unwrap_or_else(|| panic!("no {key} in {json}"))
        + pat.len();
    let end = json[at..].find([',', '}']).map_or(json.len(), |e| at + e);
    json[at..end]
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{key} in {json}: {e}"))
}

#[test]
fn job_reports_the_reproduction_as_json() {
    let out = run(
        env!("CARGO_BIN_EXE_job"),
        &["--job", "reproduction", "--widths", "60,12,3,1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout(&out);
    for key in ["build_s", "jacobians_s", "total_from_main_s"] {
        assert!(number(&json, key) > 0.0, "{key} in {json}");
    }
    for job in ["jacfwd_f", "jacrev_f", "jacfwd_g", "jacrev_g"] {
        assert!(json.contains(&format!("\"{job}\": ")), "{job} in {json}");
    }
}

#[test]
fn one_job_reports_its_first_call_and_warm_median() {
    // F: R^60 -> R has a 60-vector Jacobian; G: R -> R^60 a 60×1 one.
    for (job, shape) in [
        ("jacfwd_f", "[60]"),
        ("jacfwd_structured_f", "[60]"),
        ("jacrev_g", "[60, 1]"),
        ("hvp_f", "[60]"),
        ("hessian_f", "[60, 60]"),
        ("hessian_cheapest_f", "[60, 60]"),
    ] {
        let args = [
            "--job",
            job,
            "--widths",
            "60,12,3,1",
            "--runs",
            "3",
            "--chunk",
            "7",
        ];
        let out = run(env!("CARGO_BIN_EXE_job"), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let json = stdout(&out);
        assert!(json.contains(&format!("\"out_shape\": {shape}")), "{json}");
        assert!(number(&json, "first_call_s") > 0.0, "{json}");
        assert!(number(&json, "warm_median_s") > 0.0, "{json}");
    }
}

#[test]
fn peak_reports_a_ceiling_at_least_each_rate_it_measured() {
    let out = run(
        env!("CARGO_BIN_EXE_peak"),
        &[
            "--runs",
            "1",
            "--iters",
            "10000",
            "--read-mib",
            "8",
            "--product",
            "64,256",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout(&out);
    assert!(number(&json, "gflops") > 0.0, "{json}");
    assert!(number(&json, "read_gbs") > 0.0, "{json}");
    assert!(number(&json, "threads") >= 1.0, "{json}");
    assert!(
        number(&json, "gflops") >= number(&json, "product_gflops"),
        "{json}"
    );
    if !json.contains("\"register_gflops\": null") {
        assert!(
            number(&json, "gflops") >= number(&json, "register_gflops"),
            "{json}"
        );
    }
}

#[test]
fn bad_arguments_fail_with_what_was_expected_and_given() {
    let cases: [(&str, &[&str], &str); 9] = [
        (
            env!("CARGO_BIN_EXE_job"),
            &["--job", "jacfwd_f", "--chunk", "0"],
            "--chunk must be at least 1",
        ),
        (
            env!("CARGO_BIN_EXE_job"),
            &["--job", "eval_f", "--runs", "1", "--min-seconds", "inf"],
            "--min-seconds must be a finite number ≥ 0, got inf",
        ),
        (
            env!("CARGO_BIN_EXE_job"),
            &["--job", "jacfwd"],
            "expected reproduction or one of eval_f, jacfwd_f",
        ),
        (
            env!("CARGO_BIN_EXE_job"),
            &["--job", "eval_f", "--widths", "60,0,3,1"],
            "every width must be at least 1",
        ),
        (
            env!("CARGO_BIN_EXE_peak"),
            &["--runs", "0"],
            "must be at least 1 (given 0",
        ),
        (
            env!("CARGO_BIN_EXE_peak"),
            &["--product", "1000"],
            "--product takes two sizes M,N",
        ),
        (env!("CARGO_BIN_EXE_serve"), &["--widths", "60,12,3"], "4"),
        (
            env!("CARGO_BIN_EXE_scaling"),
            &["--widths", "100"],
            "--widths needs at least two values",
        ),
        (
            env!("CARGO_BIN_EXE_scaling"),
            &["--widths", "100,200", "--chunk", "0"],
            "--chunk must be at least 1",
        ),
    ];
    for (bin, args, expected) in cases {
        let out = run(bin, args);
        assert!(!out.status.success(), "{bin} {args:?} succeeded");
        let err = stderr(&out);
        assert!(err.contains(expected), "{bin} {args:?}: {err}");
        assert!(!err.contains("panicked"), "{bin} {args:?} panicked: {err}");
    }
}

#[test]
fn serve_answers_each_request_with_its_run_times() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_serve"))
        .args(["--widths", "60,12,3,1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"eval_f 3\nfoo 1\njacrev_g 0\njacfwd_g 2\nfirst\njacfwd_structured_f 1\n")
        .unwrap(); // dropped: stdin closes and the server exits
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert_eq!(lines[0], "ready");
    let times = |line: &str| -> Vec<f64> { line.split(' ').map(|t| t.parse().unwrap()).collect() };
    assert_eq!(times(lines[1]).len(), 3, "{text}");
    assert!(times(lines[1]).iter().all(|&t| t > 0.0), "{text}");
    assert!(lines[2].starts_with("error: unknown job \"foo\""), "{text}");
    assert!(
        lines[3].starts_with("error: K must be a whole number ≥ 1"),
        "{text}"
    );
    assert_eq!(times(lines[4]).len(), 2, "{text}");
    for job in ["eval_f", "jacfwd_f", "jacrev_g", "jacfwd_structured_f"] {
        assert!(number(lines[5], job) > 0.0, "{job} in {text}");
    }
    assert_eq!(times(lines[6]).len(), 1, "{text}");
}
