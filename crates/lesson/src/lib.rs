//! # lesson: what the notebooks show besides the lesson
//!
//! The notebooks in `notebooks/` teach forward and reverse mode; this crate keeps everything
//! else out of their way, so that a notebook starts with the lesson:
//!
//! | module | what |
//! |---|---|
//! | [`timer`] | time several jobs round-robin ([`Timer`]), medians in an HTML table ([`Timings`]) |
//! | [`memory`] | the peak of the bytes allocated while a job runs ([`peak_bytes`]), counted by this crate's global allocator |
//! | [`table`] | an HTML [`Table`] |
//! | [`chart`] | SVG charts: bars, log–log lines with slope guides, a winner grid, a scatter with a fit ([`Figure`]) |
//! | [`results`] | reading a results file a measuring command wrote ([`read_json`]) |
//! | [`strategies`] | every strategy of `jacobian-core` timed round-robin ([`strategies::measure`]) and across sizes ([`strategies::sweep`]), their colours, a bracketing drawn as a tree |
//! | [`fit`] | a least-squares line through points on log–log axes |
//!
//! ## Shown the evcxr way
//!
//! The evcxr kernel displays the value of a cell's last expression by calling its
//! `evcxr_display(&self)` method if it has one, which prints
//! `EVCXR_BEGIN_CONTENT text/html … EVCXR_END_CONTENT` (or `image/svg+xml`). [`Table`],
//! [`Timings`] and [`Figure`] have that method, so a cell ending in `table` shows the table.
//! A cell shows one output per MIME type: one table and one chart at most.
//!
//! ```
//! use lesson::{Table, Timer};
//! let timings = Timer::new(std::time::Duration::from_millis(5))
//!     .job("sum", || Ok::<_, std::fmt::Error>((0..1000u64).sum::<u64>()))
//!     .job("product", || Ok::<_, std::fmt::Error>((1..20u64).product::<u64>()))
//!     .run()
//!     .unwrap();
//! assert!(timings["sum"].runs() >= 3);
//! let html = Table::new("Medians").header(["job", "median"]).row(["sum", "1 µs"]).html();
//! assert!(html.starts_with("<table"));
//! ```

pub mod chart;
pub mod fit;
pub mod memory;
pub mod results;
pub mod strategies;
pub mod table;
pub mod timer;

pub use bench::timing::{pretty, Timing};
pub use chart::{Bars, Figure, Grid, Lines, Panel, RGBColor, Scatter, EVAL, FORWARD, REVERSE};
pub use memory::{live_bytes, peak_bytes, Peak};
pub use results::read_json;
pub use table::Table;
pub use timer::{Timer, Timings};

/// Prints `content` as one output of MIME type `mime` of the running evcxr cell.
pub fn display(mime: &str, content: &str) {
    println!("EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT");
}

/// `25005000` → `25,005,000`.
pub fn commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Bytes in the unit that suits them: `812 B`, `4.0 kB`, `20.6 MB`, `1.25 GB` (powers of 1000).
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_read_as_written() {
        assert_eq!(super::commas(25_005_000), "25,005,000");
        assert_eq!(super::commas(999), "999");
        assert_eq!(super::commas(0), "0");
        assert_eq!(super::bytes(20_600_000), "20.6 MB");
        assert_eq!(super::bytes(512), "512 B");
    }
}
