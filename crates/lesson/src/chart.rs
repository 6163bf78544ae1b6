//! SVG charts drawn with `plotters`: a [`Figure`] is a row of panels, each a bar chart
//! ([`Bars`]), log–log lines with slope guides ([`Lines`]) or a grid coloured by which mode wins
//! ([`Grid`]). Every axis that spans orders of magnitude is logarithmic, and every bar and grid
//! cell carries its value as text.

use std::error::Error;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A colour, for [`Bars::bar`] and [`Lines::series`].
pub use plotters::style::RGBColor;

/// Forward mode's colour in every chart.
pub const FORWARD: RGBColor = RGBColor(31, 119, 180);
/// Reverse mode's colour in every chart.
pub const REVERSE: RGBColor = RGBColor(255, 127, 14);
/// Plain evaluation's colour in every chart.
pub const EVAL: RGBColor = RGBColor(150, 150, 150);

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A named line: its name, colour and `(x, y)` points.
type Series = (String, RGBColor, Vec<(f64, f64)>);
/// A named group of `(x, y, colour)` points.
type Group = (String, Vec<(f64, f64, RGBColor)>);
type Drawn = Result<(), Box<dyn Error>>;

/// One panel of a [`Figure`].
pub enum Panel {
    /// A bar chart.
    Bars(Bars),
    /// Lines on log–log axes.
    Lines(Lines),
    /// A grid of cells coloured by which mode wins.
    Grid(Grid),
    /// Points on log–log axes, coloured and marked by group, with a fitted line.
    Scatter(Scatter),
}

/// Panels side by side, shown as the cell's SVG output.
pub struct Figure {
    panels: Vec<Panel>,
    panel_size: (u32, u32),
}

impl Figure {
    /// An empty figure; each panel 480 × 400 pixels.
    pub fn new() -> Self {
        Figure {
            panels: Vec::new(),
            panel_size: (480, 400),
        }
    }

    /// Adds a panel on the right.
    pub fn panel(mut self, panel: impl Into<Panel>) -> Self {
        self.panels.push(panel.into());
        self
    }

    /// Sets each panel's width and height in pixels.
    pub fn panel_size(mut self, width: u32, height: u32) -> Self {
        self.panel_size = (width, height);
        self
    }

    /// The figure as an SVG document.
    ///
    /// # Errors
    /// If a panel has nothing to draw (no bars, no points) or `plotters` fails.
    pub fn svg(&self) -> Result<String, Box<dyn Error>> {
        let mut svg = String::new();
        {
            let (w, h) = self.panel_size;
            let k = self.panels.len().max(1);
            let root = SVGBackend::with_string(&mut svg, (w * k as u32, h)).into_drawing_area();
            root.fill(&WHITE)?;
            for (area, panel) in root.split_evenly((1, k)).iter().zip(&self.panels) {
                match panel {
                    Panel::Bars(p) => p.draw(area)?,
                    Panel::Lines(p) => p.draw(area)?,
                    Panel::Grid(p) => p.draw(area)?,
                    Panel::Scatter(p) => p.draw(area)?,
                }
            }
            root.present()?;
        }
        Ok(svg)
    }

    /// Shows the figure as the cell's SVG output (or, if it cannot be drawn, says why on stderr).
    pub fn evcxr_display(&self) {
        match self.svg() {
            Ok(svg) => crate::display("image/svg+xml", &svg),
            Err(e) => eprintln!("the figure could not be drawn: {e}"),
        }
    }
}

impl Default for Figure {
    fn default() -> Self {
        Figure::new()
    }
}

macro_rules! panel_type {
    ($t:ident) => {
        impl From<$t> for Panel {
            fn from(p: $t) -> Panel {
                Panel::$t(p)
            }
        }
        impl $t {
            /// Shows this panel alone as the cell's SVG output.
            pub fn evcxr_display(&self) {
                Figure::new().panel(self.clone()).evcxr_display()
            }
        }
    };
}
panel_type!(Bars);
panel_type!(Lines);
panel_type!(Grid);
panel_type!(Scatter);

/// The smallest and largest of some values (`None` if there are none, or none positive).
fn positive_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold(None, |r, v| match r {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// `3e-4` style labels for a log axis.
fn power_label(v: &f64) -> String {
    format!("{v:.0e}")
}

/// A bar chart on a log scale, each bar labelled with its value.
#[derive(Clone)]
pub struct Bars {
    title: String,
    y_desc: String,
    format: fn(f64) -> String,
    bars: Vec<(String, f64, RGBColor)>,
}

impl Bars {
    /// An empty bar chart; `format` writes each bar's value above it.
    pub fn new(title: &str, y_desc: &str, format: fn(f64) -> String) -> Self {
        Bars {
            title: title.to_string(),
            y_desc: y_desc.to_string(),
            format,
            bars: Vec::new(),
        }
    }

    /// Adds a bar (values must be positive: the scale is logarithmic).
    pub fn bar(mut self, label: &str, value: f64, color: RGBColor) -> Self {
        self.bars.push((label.to_string(), value, color));
        self
    }

    fn draw(&self, area: &Area) -> Drawn {
        let (lo, hi) = positive_range(self.bars.iter().map(|b| b.1))
            .ok_or_else(|| format!("{}: no positive bar to draw", self.title))?;
        let (lo, hi) = (lo / 3.0, hi * 4.0);
        let n = self.bars.len();
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d((0..n).into_segmented(), (lo..hi).log_scale())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc(self.y_desc.as_str())
            .y_label_formatter(&power_label)
            .x_labels(n)
            .x_label_style(("sans-serif", 11))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    self.bars.get(*i).map(|b| b.0.clone()).unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .draw()?;
        chart.draw_series(self.bars.iter().enumerate().map(|(i, (_, v, c))| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), lo),
                    (SegmentValue::Exact(i + 1), *v),
                ],
                c.filled(),
            );
            bar.set_margin(0, 0, 8, 8);
            bar
        }))?;
        let above = ("sans-serif", 12)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(self.bars.iter().enumerate().map(|(i, (_, v, _))| {
            Text::new(
                (self.format)(*v),
                (SegmentValue::CenterOf(i), *v * 1.15),
                above.clone(),
            )
        }))?;
        Ok(())
    }
}

/// Lines through points on log–log axes, with dashed guides of a given slope (a slope of 1 is
/// "doubling x doubles y", 2 is "doubling x quadruples y").
#[derive(Clone)]
pub struct Lines {
    title: String,
    x_desc: String,
    y_desc: String,
    y_format: fn(&f64) -> String,
    series: Vec<Series>,
    guides: Vec<(String, f64, (f64, f64))>,
}

impl Lines {
    /// An empty log–log panel.
    pub fn new(title: &str, x_desc: &str, y_desc: &str) -> Self {
        Lines {
            title: title.to_string(),
            x_desc: x_desc.to_string(),
            y_desc: y_desc.to_string(),
            y_format: power_label,
            series: Vec::new(),
            guides: Vec::new(),
        }
    }

    /// How the y axis labels read (default `1e-3`).
    pub fn y_labels(mut self, format: fn(&f64) -> String) -> Self {
        self.y_format = format;
        self
    }

    /// Adds a named line with markers (points with a non-positive coordinate are left out).
    pub fn series(mut self, name: &str, color: RGBColor, points: Vec<(f64, f64)>) -> Self {
        let points = points
            .into_iter()
            .filter(|&(x, y)| x > 0.0 && y > 0.0)
            .collect();
        self.series.push((name.to_string(), color, points));
        self
    }

    /// Adds a dashed guide `y = y0 · (x / x0)^slope` through `(x0, y0)`, labelled, drawn across
    /// the panel (the guides do not widen the axes).
    pub fn guide(mut self, label: &str, slope: f64, through: (f64, f64)) -> Self {
        self.guides.push((label.to_string(), slope, through));
        self
    }

    fn draw(&self, area: &Area) -> Drawn {
        let points = || self.series.iter().flat_map(|s| s.2.iter().copied());
        let no_points = || format!("{}: no positive points to draw", self.title);
        let (x0, x1) = positive_range(points().map(|p| p.0)).ok_or_else(no_points)?;
        let (y0, y1) = positive_range(points().map(|p| p.1)).ok_or_else(no_points)?;
        let (x0, x1, y0, y1) = (x0 / 1.5, x1 * 1.5, y0 / 2.0, y1 * 2.0);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
        chart
            .configure_mesh()
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&self.y_format)
            .draw()?;
        for (label, slope, (gx, gy)) in &self.guides {
            let Some((a, b)) = clip_guide(*slope, (*gx, *gy), (x0, x1), (y0, y1)) else {
                continue;
            };
            let grey = RGBColor(110, 110, 110);
            chart.draw_series(DashedLineSeries::new(
                vec![a, b],
                6,
                4,
                grey.stroke_width(1),
            ))?;
            let style = ("sans-serif", 12)
                .into_font()
                .color(&grey)
                .pos(Pos::new(HPos::Right, VPos::Bottom));
            chart.draw_series([Text::new(label.clone(), b, style)])?;
        }
        for (name, color, pts) in &self.series {
            let color = *color;
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
        Ok(())
    }
}

/// The part of the line `y = y0 · (x / x0)^slope` inside the box, as its two ends (`None` if the
/// line misses the box).
fn clip_guide(
    slope: f64,
    (gx, gy): (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let at = |x: f64| gy * (x / gx).powf(slope);
    let (mut lo, mut hi) = (x0.ln(), x1.ln());
    if slope != 0.0 {
        // ln y = ln gy + slope (ln x − ln gx), inside [ln y0, ln y1]
        let cut = |y: f64| gx.ln() + (y.ln() - gy.ln()) / slope;
        let (a, b) = (cut(y0), cut(y1));
        lo = lo.max(a.min(b));
        hi = hi.min(a.max(b));
    } else if !(y0..=y1).contains(&gy) {
        return None;
    }
    (lo < hi).then(|| ((lo.exp(), at(lo.exp())), (hi.exp(), at(hi.exp()))))
}

/// A grid over input width n (across) and output width m (up): each cell coloured by the faster
/// mode (forward blue, reverse orange; the deeper, the larger the gap, full at 100×) and labelled
/// with how many times faster, with the diagonal n = m drawn.
#[derive(Clone)]
pub struct Grid {
    title: String,
    ns: Vec<usize>,
    ms: Vec<usize>,
    ratio: Vec<Vec<f64>>,
}

impl Grid {
    /// `forward_over_reverse[i][j]` is forward mode's cost divided by reverse mode's at output
    /// width `ms[i]` and input width `ns[j]` (below 1: forward wins). The widths must increase.
    ///
    /// # Panics
    /// If the table's shape is not `ms.len() × ns.len()`, or the widths do not increase.
    pub fn new(
        title: &str,
        ns: &[usize],
        ms: &[usize],
        forward_over_reverse: Vec<Vec<f64>>,
    ) -> Self {
        assert!(
            forward_over_reverse.len() == ms.len()
                && forward_over_reverse.iter().all(|r| r.len() == ns.len()),
            "Grid::new: the ratios must be {} rows (m) of {} (n)",
            ms.len(),
            ns.len()
        );
        let increasing = |w: &[usize]| w.windows(2).all(|p| p[0] < p[1]) && w[0] > 0;
        assert!(
            increasing(ns) && increasing(ms),
            "Grid::new: widths must be positive and increasing, got n {ns:?}, m {ms:?}"
        );
        Grid {
            title: title.to_string(),
            ns: ns.to_vec(),
            ms: ms.to_vec(),
            ratio: forward_over_reverse,
        }
    }

    fn draw(&self, area: &Area) -> Drawn {
        let (xe, ye) = (edges(&self.ns), edges(&self.ms));
        let (x0, x1, y0, y1) = (xe[0], xe[xe.len() - 1], ye[0], ye[ye.len() - 1]);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("input width n")
            .y_desc("output width m")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        let text = ("sans-serif", 11)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (i, row) in self.ratio.iter().enumerate() {
            for (j, &r) in row.iter().enumerate() {
                let (winner, factor) = if r <= 1.0 {
                    (FORWARD, 1.0 / r)
                } else {
                    (REVERSE, r)
                };
                let depth = (factor.log10() / 2.0).clamp(0.0, 1.0);
                let fill = blend(winner, depth);
                let (a, b) = ((xe[j], ye[i]), (xe[j + 1], ye[i + 1]));
                chart.draw_series([
                    Rectangle::new([a, b], fill.filled()),
                    Rectangle::new([a, b], WHITE.stroke_width(1)),
                ])?;
                let centre = ((xe[j] * xe[j + 1]).sqrt(), (ye[i] * ye[i + 1]).sqrt());
                let label = if factor < 10.0 {
                    format!("{factor:.1}×")
                } else {
                    format!("{factor:.0}×")
                };
                chart.draw_series([Text::new(label, centre, text.clone())])?;
            }
        }
        let (lo, hi) = (x0.max(y0), x1.min(y1));
        if lo < hi {
            let line = vec![(lo, lo), (hi, hi)];
            chart.draw_series(DashedLineSeries::new(line, 8, 5, BLACK.stroke_width(2)))?;
            let style = ("sans-serif", 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Right, VPos::Top));
            chart.draw_series([Text::new("n = m ", (hi, hi), style)])?;
        }
        Ok(())
    }
}

/// Points on log–log axes: each point has its own colour (in the charts: its strategy), each
/// group of points its marker (circle, triangle, cross, in turn), and a fitted line may be drawn.
#[derive(Clone)]
pub struct Scatter {
    title: String,
    x_desc: String,
    y_desc: String,
    groups: Vec<Group>,
    colours: Vec<(String, RGBColor)>,
    fit: Option<(String, crate::fit::Fit)>,
}

impl Scatter {
    /// An empty scatter plot.
    pub fn new(title: &str, x_desc: &str, y_desc: &str) -> Self {
        Scatter {
            title: title.to_string(),
            x_desc: x_desc.to_string(),
            y_desc: y_desc.to_string(),
            groups: Vec::new(),
            colours: Vec::new(),
            fit: None,
        }
    }

    /// Adds a group of `(x, y, colour)` points, named in the legend by its marker.
    pub fn group(mut self, name: &str, points: Vec<(f64, f64, RGBColor)>) -> Self {
        self.groups.push((name.to_string(), points));
        self
    }

    /// Names a colour in the legend.
    pub fn colour(mut self, name: &str, colour: RGBColor) -> Self {
        self.colours.push((name.to_string(), colour));
        self
    }

    /// Draws a fitted line across the panel.
    pub fn fit(mut self, label: &str, fit: crate::fit::Fit) -> Self {
        self.fit = Some((label.to_string(), fit));
        self
    }

    fn draw(&self, area: &Area) -> Drawn {
        let points = || self.groups.iter().flat_map(|g| g.1.iter());
        let no_points = || format!("{}: no positive points to draw", self.title);
        let (x0, x1) = positive_range(points().map(|p| p.0)).ok_or_else(no_points)?;
        let (y0, y1) = positive_range(points().map(|p| p.1)).ok_or_else(no_points)?;
        let (x0, x1, y0, y1) = (x0 / 2.0, x1 * 2.0, y0 / 2.0, y1 * 2.0);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 16))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
        chart
            .configure_mesh()
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .x_label_formatter(&power_label)
            .y_label_formatter(&power_label)
            .draw()?;
        if let Some((label, fit)) = &self.fit {
            let line = vec![(x0, fit.at(x0)), (x1, fit.at(x1))];
            chart
                .draw_series(LineSeries::new(line, BLACK.stroke_width(1)))?
                .label(label.as_str())
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(1))
                });
        }
        for (name, c) in &self.colours {
            let c = *c;
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, c.filled()));
        }
        for (g, (name, pts)) in self.groups.iter().enumerate() {
            let pts = pts.iter().copied();
            match g % 3 {
                0 => chart
                    .draw_series(pts.map(|(x, y, c)| Circle::new((x, y), 5, c.filled())))?
                    .label(name.as_str())
                    .legend(|(x, y)| Circle::new((x + 9, y), 5, BLACK.stroke_width(1))),
                1 => chart
                    .draw_series(pts.map(|(x, y, c)| TriangleMarker::new((x, y), 6, c.filled())))?
                    .label(name.as_str())
                    .legend(|(x, y)| TriangleMarker::new((x + 9, y), 6, BLACK.stroke_width(1))),
                _ => chart
                    .draw_series(pts.map(|(x, y, c)| Cross::new((x, y), 5, c.stroke_width(2))))?
                    .label(name.as_str())
                    .legend(|(x, y)| Cross::new((x + 9, y), 5, BLACK.stroke_width(2))),
            };
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
        Ok(())
    }
}

/// Cell edges on a log axis: geometric midpoints between neighbouring widths, and the outer
/// edges as far beyond the ends as the nearest midpoint (a factor 2 for a single width).
fn edges(widths: &[usize]) -> Vec<f64> {
    let w: Vec<f64> = widths.iter().map(|&v| v as f64).collect();
    let k = w.len();
    let mut e = vec![0.0; k + 1];
    for i in 1..k {
        e[i] = (w[i - 1] * w[i]).sqrt();
    }
    let (first, last) = if k > 1 {
        (w[0] / (e[1] / w[0]), w[k - 1] * (w[k - 1] / e[k - 1]))
    } else {
        (w[0] / 2.0, w[0] * 2.0)
    };
    e[0] = first;
    e[k] = last;
    e
}

/// `color` at `depth` (0: a pale tint, 1: the full colour) over white.
fn blend(color: RGBColor, depth: f64) -> RGBColor {
    let t = 0.2 + 0.8 * depth;
    let mix = |c: u8| (255.0 - t * (255.0 - c as f64)).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_is_one_svg_document_with_every_panel() {
        let svg = Figure::new()
            .panel(Bars::new("bars", "s", |v| format!("{v}")).bar("eval", 2e-3, EVAL))
            .panel(
                Lines::new("lines", "n", "s")
                    .series("jacfwd", FORWARD, vec![(1.0, 1e-3), (10.0, 1e-1)])
                    .guide("slope 2", 2.0, (1.0, 1e-3)),
            )
            .panel(
                Scatter::new("scatter", "madds", "s")
                    .group("F", vec![(1e3, 1e-5, FORWARD), (1e6, 1e-3, REVERSE)])
                    .colour("jacfwd", FORWARD)
                    .fit("fit", crate::fit::loglog_fit(&[(1e3, 1e-5), (1e6, 1e-3)])),
            )
            .panel(Grid::new(
                "grid",
                &[1, 10],
                &[1, 10],
                vec![vec![1.0, 50.0], vec![0.02, 1.0]],
            ))
            .svg()
            .unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        for text in [
            "bars", "lines", "grid", "scatter", "slope 2", "n = m", "50×", "jacfwd",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
    }

    #[test]
    fn an_empty_panel_is_an_error_naming_it() {
        let e = Figure::new().panel(Lines::new("empty", "x", "y")).svg();
        assert!(e.unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn guides_are_clipped_to_the_box() {
        // y = x² through (1, 1), in x, y ∈ [0.1, 100]: from x = 0.316 (y = 0.1) to x = 10 (y = 100).
        let (a, b) = clip_guide(2.0, (1.0, 1.0), (0.1, 100.0), (0.1, 100.0)).unwrap();
        assert!((a.0 - 0.1f64.sqrt()).abs() < 1e-9 && (a.1 - 0.1).abs() < 1e-9);
        assert!((b.0 - 10.0).abs() < 1e-9 && (b.1 - 100.0).abs() < 1e-9);
        assert!(clip_guide(0.0, (1.0, 1e3), (0.1, 10.0), (0.1, 10.0)).is_none());
    }

    #[test]
    fn cell_edges_sit_halfway_on_the_log_scale() {
        let e = edges(&[1, 100, 10000]);
        let want = [0.1, 10.0, 1000.0, 100000.0];
        assert!(
            e.iter().zip(want).all(|(a, b)| (a / b - 1.0).abs() < 1e-9),
            "{e:?}"
        );
    }
}
