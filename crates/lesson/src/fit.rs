//! A least-squares line through points on log–log axes.

/// `log10 y = a + b · log10 x`, fitted by least squares, with its `R²`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// The intercept `a`.
    pub a: f64,
    /// The slope `b`: 1 means `y ∝ x`, 2 means `y ∝ x²`.
    pub b: f64,
    /// The share of the spread of `log10 y` the line explains.
    pub r2: f64,
}

impl Fit {
    /// The fitted `y` at `x`.
    pub fn at(&self, x: f64) -> f64 {
        10f64.powf(self.a + self.b * x.log10())
    }
}

/// The least-squares line through `points` on log–log axes.
///
/// # Panics
/// If there are fewer than two distinct `x`, or a coordinate is not positive.
pub fn loglog_fit(points: &[(f64, f64)]) -> Fit {
    assert!(
        points.iter().all(|&(x, y)| x > 0.0 && y > 0.0),
        "loglog_fit: every coordinate must be positive"
    );
    let k = points.len() as f64;
    let (lx, ly): (Vec<f64>, Vec<f64>) =
        points.iter().map(|&(x, y)| (x.log10(), y.log10())).unzip();
    let (mx, my) = (lx.iter().sum::<f64>() / k, ly.iter().sum::<f64>() / k);
    let sxy: f64 = lx.iter().zip(&ly).map(|(u, v)| (u - mx) * (v - my)).sum();
    let sxx: f64 = lx.iter().map(|u| (u - mx).powi(2)).sum();
    let syy: f64 = ly.iter().map(|v| (v - my).powi(2)).sum();
    assert!(sxx > 0.0, "loglog_fit: needs two distinct x");
    let b = sxy / sxx;
    let r2 = if syy == 0.0 {
        1.0
    } else {
        sxy * sxy / (sxx * syy)
    };
    Fit {
        a: my - b * mx,
        b,
        r2,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_power_law_is_found_exactly() {
        let pts: Vec<(f64, f64)> = [1.0, 10.0, 100.0]
            .iter()
            .map(|&x| (x, 3.0 * x * x))
            .collect();
        let f = super::loglog_fit(&pts);
        assert!((f.b - 2.0).abs() < 1e-12 && (f.r2 - 1.0).abs() < 1e-12);
        assert!((f.at(1000.0) / 3e6 - 1.0).abs() < 1e-9);
    }
}
