//! Reading a results file written by a measuring command, such as `bench/results.json` from
//! `python3 bench/compare_jax.py`. The notebooks quote such files; they never copy their numbers.

use std::fmt;
use std::path::{Path, PathBuf};

pub use serde_json::Value;

/// Reads a JSON file.
///
/// # Errors
/// If the file cannot be read or is not JSON; the message names the file and `how_to_make_it`.
pub fn read_json(path: impl AsRef<Path>, how_to_make_it: &str) -> Result<Value, ReadError> {
    let path = path.as_ref().to_path_buf();
    let fail = |problem: String| ReadError {
        path: path.clone(),
        problem,
        how_to_make_it: how_to_make_it.to_string(),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))
}

/// A results file that could not be read.
#[derive(Debug)]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub problem: String,
    /// The command that writes the file.
    pub how_to_make_it: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read {}: {} (it is written by `{}`)",
            self.path.display(),
            self.problem,
            self.how_to_make_it
        )
    }
}

impl std::error::Error for ReadError {}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_file_names_the_command_that_writes_it() {
        let e = super::read_json("/nonexistent/results.json", "python3 make.py").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("/nonexistent/results.json") && text.contains("python3 make.py"));
    }
}
