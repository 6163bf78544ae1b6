//! An HTML table, shown as a cell's output.

/// A table with a caption, a header row and rows of text. Cells are HTML (so `<code>x</code>`
/// works; write `&lt;` for a `<`); cells that start with a digit are right-aligned.
#[derive(Debug, Clone, Default)]
pub struct Table {
    caption: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with this caption.
    pub fn new(caption: &str) -> Self {
        Table {
            caption: caption.to_string(),
            ..Table::default()
        }
    }

    /// Sets the header row.
    pub fn header<S: ToString>(mut self, cells: impl IntoIterator<Item = S>) -> Self {
        self.header = cells.into_iter().map(|c| c.to_string()).collect();
        self
    }

    /// Adds a row.
    pub fn row<S: ToString>(mut self, cells: impl IntoIterator<Item = S>) -> Self {
        self.rows
            .push(cells.into_iter().map(|c| c.to_string()).collect());
        self
    }

    /// Adds a row (for loops that keep the table in a variable).
    pub fn push<S: ToString>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows
            .push(cells.into_iter().map(|c| c.to_string()).collect());
    }

    /// The table as HTML.
    pub fn html(&self) -> String {
        let cell = |tag: &str, text: &str| {
            let align = if text.starts_with(|c: char| c.is_ascii_digit()) {
                "right"
            } else {
                "left"
            };
            format!("<{tag} style=\"border:1px solid #bbb;padding:3px 8px;text-align:{align}\">{text}</{tag}>")
        };
        let row = |tag: &str, cells: &[String]| {
            let inner: String = cells.iter().map(|c| cell(tag, c)).collect();
            format!("<tr>{inner}</tr>")
        };
        let mut html = format!(
            "<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:13px\">\
             <caption style=\"text-align:left;padding:4px 0\">{}</caption>",
            self.caption
        );
        if !self.header.is_empty() {
            html += &row("th", &self.header);
        }
        for r in &self.rows {
            html += &row("td", r);
        }
        html + "</table>"
    }

    /// Shows the table as the cell's HTML output.
    pub fn evcxr_display(&self) {
        crate::display("text/html", &self.html());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_align_right_and_text_left() {
        let html = super::Table::new("t")
            .header(["job", "median"])
            .row(["eval", "3.2 ms"])
            .html();
        assert!(html.contains("<caption style=\"text-align:left;padding:4px 0\">t</caption>"));
        assert!(html.contains("text-align:left\">eval</td>"));
        assert!(html.contains("text-align:right\">3.2 ms</td>"));
        assert_eq!(html.matches("<tr>").count(), 2);
    }
}
