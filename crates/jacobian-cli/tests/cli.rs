//! `reproduce`, run as a user runs it: small widths, their output read back.
//! Times are only checked to be present and positive, never against a bound.

/// Runs `reproduce` with `args`: whether it succeeded, its stdout and its stderr.
fn reproduce(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reproduce"))
        .args(args)
        .output()
        .expect("reproduce starts");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn reproduce_prints_the_notebooks_lines_and_agreeing_jacobians() {
    let (ok, text, err) = reproduce(&["--widths", "60,12,3,1", "--runs", "1"]);
    assert!(ok, "{text}{err}");
    assert_eq!(text.matches("Forward time:").count(), 2, "{text}");
    assert_eq!(text.matches("Reverse time:").count(), 2, "{text}");
    // f32 at these widths: the two modes agree to rounding.
    let line = text
        .lines()
        .find(|l| l.starts_with("max |jacfwd - jacrev|"))
        .unwrap_or_else(|| panic!("no agreement line in {text}"));
    for part in line.split(": ").nth(1).unwrap().split(", ") {
        let diff: f64 = part.split(' ').nth(1).unwrap().parse().unwrap();
        assert!(diff < 1e-4, "{line}");
    }
}

#[test]
fn bad_arguments_fail_with_what_was_expected_and_given() {
    let cases: [&[&str]; 3] = [
        &["--widths", "60,0,3,1"],
        &["--widths", "60,12,3"],
        &["--min-seconds=-1"],
    ];
    let expected = [
        "every width must be at least 1",
        "4",
        "--min-seconds must be a finite number ≥ 0, got -1",
    ];
    for (args, expected) in cases.into_iter().zip(expected) {
        let (ok, _, err) = reproduce(args);
        assert!(!ok, "reproduce {args:?} succeeded");
        assert!(err.contains(expected), "reproduce {args:?}: {err}");
        assert!(
            !err.contains("panicked"),
            "reproduce {args:?} panicked: {err}"
        );
    }
}
