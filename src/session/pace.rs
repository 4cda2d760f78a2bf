//! How many steps a slice of a long `train` call takes: enough to fill about [`SLICE_MS`] at
//! the lab's measured speed, so that a call of any length yields to the page (and can be
//! cancelled) that often, while a short call stays one slice with one readback. A slice is
//! at most twice the one before it: `Date.now()` ticks in whole milliseconds, so a fast slice
//! can time as 0 ms, and without the bound the next slice would be sized for an infinitely fast
//! lab and hold the page (and an abort) for seconds.

use std::cell::Cell;

/// The wall time one slice of training aims at, in milliseconds.
pub const SLICE_MS: f64 = 50.0;

/// A lab's measured training speed.
#[derive(Debug)]
pub struct Pace {
    /// Milliseconds per step, smoothed; NaN until the first slice is timed.
    ms_per_step: Cell<f64>,
    /// Steps in the last slice timed (0 before the first).
    last_steps: Cell<u32>,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            ms_per_step: Cell::new(f64::NAN),
            last_steps: Cell::new(0),
        }
    }
}

impl Pace {
    /// Steps in the next slice, `1 ..= remaining`: one step while the speed is unknown, and
    /// never more than twice the last slice.
    pub fn slice(&self, remaining: u32) -> u32 {
        let ms = self.ms_per_step.get();
        if !(ms > 0.0) {
            return remaining.min(1);
        }
        let growth = self.last_steps.get().saturating_mul(2).max(1);
        ((SLICE_MS / ms).floor() as u32).clamp(1, growth.min(remaining.max(1)))
    }

    /// Records that `steps` steps took `elapsed_ms` (the newest slice weighs half).
    pub fn record(&self, steps: u32, elapsed_ms: f64) {
        if steps == 0 || !(elapsed_ms >= 0.0) {
            return;
        }
        let measured = (elapsed_ms / f64::from(steps)).max(1e-3);
        let old = self.ms_per_step.get();
        let smoothed = if old.is_nan() {
            measured
        } else {
            0.5 * (old + measured)
        };
        self.ms_per_step.set(smoothed);
        self.last_steps.set(steps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_fill_the_target_time_at_the_measured_speed() {
        let pace = Pace::default();
        assert_eq!(pace.slice(100_000), 1, "one step until the speed is known");
        pace.record(1, 5.0);
        assert_eq!(pace.slice(100_000), 2, "at most twice the last slice");
        pace.record(2, 10.0);
        pace.record(4, 20.0);
        assert_eq!(pace.slice(100_000), 8, "still growing");
        pace.record(8, 40.0);
        assert_eq!(pace.slice(100_000), 10, "50 ms at 5 ms per step");
        assert_eq!(pace.slice(3), 3, "never more than what remains");
        pace.record(10, 150.0);
        assert_eq!(
            pace.slice(100_000),
            5,
            "smoothed: (5 + 15) / 2 = 10 ms per step"
        );
        pace.record(1, 7_000.0);
        assert_eq!(
            pace.slice(100_000),
            1,
            "a slow step (shader compilation) gives one-step slices"
        );
        pace.record(0, 1.0);
        pace.record(1, f64::NAN);
        assert_eq!(
            pace.slice(100_000),
            1,
            "empty or untimed slices are ignored"
        );
    }

    #[test]
    fn a_slice_timed_at_zero_ms_only_doubles_the_next() {
        let pace = Pace::default();
        pace.record(1, 0.0);
        assert_eq!(
            pace.slice(100_000),
            2,
            "a 0 ms reading is a whole-ms clock, not a free lab"
        );
        pace.record(2, 0.0);
        assert_eq!(pace.slice(100_000), 4);
    }

    #[test]
    fn a_fast_lab_still_yields_about_every_slice() {
        let pace = Pace::default();
        pace.record(1_000, 1.0);
        let steps = pace.slice(u32::MAX);
        assert!(steps >= 1 && f64::from(steps) * 1e-3 <= SLICE_MS, "{steps}");
    }
}
