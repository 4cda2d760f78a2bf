//! A dataset of user points, drawn in the page or pasted as CSV `x,y`.

use rand::{Rng, RngExt};

use super::DataError;

/// Largest CSV text accepted.
pub const MAX_CSV_BYTES: usize = 4 * 1024 * 1024;
/// Most rows accepted.
pub const MAX_CSV_ROWS: usize = 100_000;

/// Parses CSV text of `x,y` rows into row-major points `[n, 2]`. Accepts an optional `x,y` header,
/// blank lines, `#` comments, surrounding spaces and `\r\n`; rejects, naming the line, rows
/// without exactly two numbers, non-finite values, more than [`MAX_CSV_ROWS`] rows, text over
/// [`MAX_CSV_BYTES`], and fewer than two points.
pub fn parse_points_csv(text: &str) -> Result<Vec<f32>, DataError> {
    if text.len() > MAX_CSV_BYTES {
        return Err(DataError::new(format!(
            "the CSV is {} bytes; at most {MAX_CSV_BYTES} are accepted",
            text.len()
        )));
    }
    let mut points = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let number = index + 1;
        if line.is_empty()
            || (points.is_empty() && line.replace(' ', "").eq_ignore_ascii_case("x,y"))
        {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != 2 {
            return Err(DataError::new(format!(
                "line {number}: expected `x,y`, found {} fields",
                fields.len()
            )));
        }
        for field in fields {
            let value: f32 = field.parse().map_err(|_| {
                DataError::new(format!(
                    "line {number}: `{}` is not a number",
                    truncate(field)
                ))
            })?;
            if !value.is_finite() {
                return Err(DataError::new(format!(
                    "line {number}: `{}` is not finite",
                    truncate(field)
                )));
            }
            points.push(value);
        }
        if points.len() / 2 > MAX_CSV_ROWS {
            return Err(DataError::new(format!(
                "line {number}: more than {MAX_CSV_ROWS} points"
            )));
        }
    }
    if points.len() < 4 {
        return Err(DataError::new("at least 2 points are needed"));
    }
    Ok(points)
}

fn truncate(text: &str) -> String {
    text.chars().take(24).collect()
}

/// User points as a distribution: sampling draws rows uniformly with replacement.
#[derive(Clone, Debug, PartialEq)]
pub struct EmpiricalSet {
    points: Vec<f32>,
}

impl EmpiricalSet {
    /// A set of row-major `[n, 2]` points (n ≥ 1, all finite).
    pub fn new(points: Vec<f32>) -> Result<Self, DataError> {
        if points.len() < 2 || points.len() % 2 != 0 || points.iter().any(|v| !v.is_finite()) {
            return Err(DataError::new(
                "points must be a non-empty list of finite [x, y] pairs",
            ));
        }
        Ok(Self { points })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len() / 2
    }

    /// The points, row-major `[n, 2]`.
    pub fn points(&self) -> &[f32] {
        &self.points
    }

    /// The smallest and largest coordinate of each axis, `[(x_min, x_max), (y_min, y_max)]`.
    pub fn range(&self) -> [(f64, f64); 2] {
        let empty = (f64::INFINITY, f64::NEG_INFINITY);
        self.points
            .chunks_exact(2)
            .fold([empty, empty], |[x, y], p| {
                let (px, py) = (p[0] as f64, p[1] as f64);
                [(x.0.min(px), x.1.max(px)), (y.0.min(py), y.1.max(py))]
            })
    }

    /// Whether the set is empty (never, by construction).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// `n` rows drawn uniformly with replacement, row-major `[n, 2]`.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        let rows = self.len();
        (0..n)
            .flat_map(|_| {
                let i = rng.random_range(0..rows);
                [self.points[2 * i], self.points[2 * i + 1]]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeded_rng;

    #[test]
    fn accepts_headers_comments_blank_lines_and_crlf() {
        let text = "x, y\r\n# drawn in class\r\n1,2\r\n\r\n -0.5 , 3e-1 # note\r\n4,5\n";
        assert_eq!(
            parse_points_csv(text).unwrap(),
            vec![1.0, 2.0, -0.5, 0.3, 4.0, 5.0]
        );
    }

    #[test]
    fn rejects_bad_rows_naming_the_line() {
        for (text, line) in [
            ("1,2\n3\n", "line 2"),
            ("1,2\n3,4,5\n", "line 2"),
            ("1,2\nx,4\n", "line 2"),
            ("1,2\n3,NaN\n", "line 2"),
            ("1,2\n3,inf\n", "line 2"),
            ("x,y\n1,2\nx,y\n", "line 3"),
        ] {
            let error = parse_points_csv(text).unwrap_err().to_string();
            assert!(error.contains(line), "{text:?}: {error}");
        }
        assert!(parse_points_csv("1,2\n").is_err());
        assert!(parse_points_csv("").is_err());
        let many = "1,2\n".repeat(MAX_CSV_ROWS + 1);
        assert!(
            parse_points_csv(&many)
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
        let huge = " ".repeat(MAX_CSV_BYTES + 1);
        assert!(parse_points_csv(&huge).is_err());
    }

    #[test]
    fn sampling_draws_only_the_given_rows_and_is_seeded() {
        let set = EmpiricalSet::new(vec![0.0, 0.0, 1.0, 1.0, 2.0, 4.0]).unwrap();
        let a = set.sample(300, &mut seeded_rng(1));
        assert_eq!(a, set.sample(300, &mut seeded_rng(1)));
        for p in a.chunks(2) {
            assert!([[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]].contains(&[p[0], p[1]]));
        }
        assert!(EmpiricalSet::new(vec![]).is_err());
        assert!(EmpiricalSet::new(vec![1.0, f32::NAN]).is_err());
    }
}
