//! Summaries over the rounds of a run: the median decides a verdict, the range shows how far
//! one round alone could have been trusted.

use std::fmt;

/// The median and range of one quantity over the rounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub rounds: usize,
}

impl Spread {
    /// `None` when there are no values (a point that was not measured).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut values: Vec<f64> = values.into_iter().collect();
        values.sort_by(f64::total_cmp);
        let (&min, &max) = (values.first()?, values.last()?);
        let middle = values.len() / 2;
        let median = if values.len().is_multiple_of(2) {
            (values[middle - 1] + values[middle]) / 2.0
        } else {
            values[middle]
        };
        Some(Self {
            median,
            min,
            max,
            rounds: values.len(),
        })
    }
}

/// `0.86` for one round, `0.86 (0.80–0.91)` for several; the precision is the caller's
/// (`{:.2}`), applied to all three numbers.
impl fmt::Display for Spread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = f.precision().unwrap_or(2);
        write!(f, "{:.precision$}", self.median)?;
        if self.rounds > 1 {
            write!(f, " ({:.precision$}–{:.precision$})", self.min, self.max)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_value() {
        let spread = Spread::of([0.9, 0.7, 0.8]).unwrap();
        assert_eq!((spread.median, spread.min, spread.max), (0.8, 0.7, 0.9));
        assert_eq!(format!("{spread:.2}"), "0.80 (0.70–0.90)");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(Spread::of([4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
    }

    #[test]
    fn one_round_shows_no_range_and_none_shows_nothing() {
        assert_eq!(format!("{:.1}", Spread::of([23.66]).unwrap()), "23.7");
        assert_eq!(Spread::of([]), None);
    }
}
