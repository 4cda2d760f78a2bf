//! The 8×8 handwritten digits shipped with the page: the test set of the UCI "Optical Recognition
//! of Handwritten Digits" data (E. Alpaydin and C. Kaynak, 1998; CC BY 4.0), 1 797 images whose
//! pixels count the "on" pixels of 4×4 blocks of a 32×32 bitmap, so each is one of 17 grey levels
//! 0..16. Stored as one byte per pixel (`digits.bin`, made by `scripts/fetch-digits` from the
//! copy in scikit-learn's wheel), with a seeded split into training and held-out images.

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::seeded_rng;

/// Pixels per side.
pub const SIDE: usize = 8;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;
/// Grey levels: pixel values are `0 ..= LEVELS - 1`.
pub const LEVELS: usize = 17;
/// Images in the set.
pub const IMAGES: usize = 1797;

/// Images held out of training (one in six).
pub const HELD_OUT: usize = 297;
/// Seed of the train/held-out split: one fixed split, so held-out figures compare across
/// training seeds and sessions.
pub const SPLIT_SEED: u64 = 0;

/// The digit classes, 0 … 9.
pub const CLASSES: usize = 10;
/// The label of a point that has none (and the "no label" token of the conditional families).
pub const NO_LABEL: usize = CLASSES;

/// Per image: 64 pixel bytes (row-major, 0..16), then the label byte (0..9).
static RAW: &[u8] = include_bytes!("digits.bin");

/// One digit image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digit<'a> {
    /// Grey levels `0 ..= 16`, row-major, row 0 at the top.
    pub pixels: &'a [u8],
    /// The digit drawn, `0 ..= 9`.
    pub label: u8,
}

/// The `index`-th image, `0 ≤ index < IMAGES`.
pub fn digit(index: usize) -> Digit<'static> {
    let record = &RAW[index * (PIXELS + 1)..(index + 1) * (PIXELS + 1)];
    Digit {
        pixels: &record[..PIXELS],
        label: record[PIXELS],
    }
}

/// A seeded split of the image indices into training and held-out images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Indices of the training images.
    pub train: Vec<usize>,
    /// Indices of the held-out images.
    pub held_out: Vec<usize>,
}

impl Split {
    /// Shuffles the indices with `seed` and holds out `held_out` of them (at most half the set).
    pub fn new(seed: u64, held_out: usize) -> Self {
        let mut order: Vec<usize> = (0..IMAGES).collect();
        order.shuffle(&mut seeded_rng(seed));
        let held_out = held_out.min(IMAGES / 2);
        let train = order.split_off(held_out);
        Self {
            train,
            held_out: order,
        }
    }
}

/// Grey levels of `indices`, row-major `[n, 64]`, as `f32`.
pub fn levels(indices: &[usize]) -> Vec<f32> {
    indices
        .iter()
        .flat_map(|&i| digit(i).pixels.iter().map(|&v| f32::from(v)))
        .collect()
}

/// The image sets a session can learn. Travels to and from JavaScript as a snake_case string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageSet {
    /// The 8×8 handwritten digits, 17 grey levels.
    Digits,
}

/// The digits as a data source: grey levels of the training and held-out images, read as points
/// in `[0, 1]^64` by uniform dequantisation, `(v + u)/17` with `u ~ U(0, 1)`: a continuous
/// density of these points bounds the discrete likelihood of the grey levels (and equals
/// `P(v)·17⁶⁴` for a model that is constant on each grey-level cell).
#[derive(Clone, Debug, PartialEq)]
pub struct DigitImages {
    /// Grey levels of the training images, row-major `[train, 64]`.
    pub train: Vec<f32>,
    /// Grey levels of the held-out images, row-major `[held out, 64]`.
    pub held_out: Vec<f32>,
    /// The digit of every training image.
    pub train_labels: Vec<u8>,
    /// The digit of every held-out image.
    pub held_out_labels: Vec<u8>,
}

impl DigitImages {
    /// The fixed split ([`SPLIT_SEED`], [`HELD_OUT`] images held out).
    pub fn new() -> Self {
        let split = Split::new(SPLIT_SEED, HELD_OUT);
        Self {
            train: levels(&split.train),
            held_out: levels(&split.held_out),
            train_labels: split.train.iter().map(|i| digit(*i).label).collect(),
            held_out_labels: split.held_out.iter().map(|i| digit(*i).label).collect(),
        }
    }

    /// `n` training images drawn with replacement, dequantised, row-major `[n, 64]`.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        draw(&self.train, n, rng).0
    }

    /// [`DigitImages::sample`] with the digit of every image drawn, `[n]` (the same images for
    /// the same generator).
    pub fn sample_labelled(&self, n: usize, rng: &mut impl Rng) -> (Vec<f32>, Vec<f32>) {
        let (points, rows) = draw(&self.train, n, rng);
        let labels = rows
            .into_iter()
            .map(|row| f32::from(self.train_labels[row]))
            .collect();
        (points, labels)
    }

    /// The held-out images of digit `label` at the centres of their grey-level cells.
    pub fn held_out_of(&self, label: usize) -> Vec<f32> {
        let centres = self.held_out_centres();
        self.held_out_labels
            .iter()
            .enumerate()
            .filter(|(_, l)| usize::from(**l) == label)
            .flat_map(|(row, _)| centres[row * PIXELS..(row + 1) * PIXELS].to_vec())
            .collect()
    }

    /// `n` held-out images drawn with replacement, dequantised, row-major `[n, 64]`.
    pub fn sample_held_out(&self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        draw(&self.held_out, n, rng).0
    }

    /// `n` training images of digit `label` (of every digit for `None`, as [`DigitImages::sample`])
    /// drawn with replacement, dequantised, `[n, 64]`.
    pub fn sample_of(&self, label: Option<usize>, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        match label {
            None => self.sample(n, rng),
            Some(label) => draw(&rows_of(&self.train, &self.train_labels, label), n, rng).0,
        }
    }

    /// `n` held-out images of digit `label` (of every digit for `None`, as
    /// [`DigitImages::sample_held_out`]) drawn with replacement, dequantised, `[n, 64]`.
    pub fn sample_held_out_of(
        &self,
        label: Option<usize>,
        n: usize,
        rng: &mut impl Rng,
    ) -> Vec<f32> {
        match label {
            None => self.sample_held_out(n, rng),
            Some(label) => {
                draw(
                    &rows_of(&self.held_out, &self.held_out_labels, label),
                    n,
                    rng,
                )
                .0
            }
        }
    }

    /// The training images at the centres of their grey-level cells, `(v + ½)/17`, `[train, 64]`:
    /// the reference of the memorisation check.
    pub fn train_centres(&self) -> Vec<f32> {
        centres(&self.train)
    }

    /// The held-out images at the centres of their grey-level cells, `[held out, 64]`.
    pub fn held_out_centres(&self) -> Vec<f32> {
        centres(&self.held_out)
    }

    /// Every held-out image once, dequantised, `[held out, 64]`.
    pub fn held_out_dequantised(&self, rng: &mut impl Rng) -> Vec<f32> {
        self.held_out
            .iter()
            .map(|v| (v + rng.random::<f32>()) / LEVELS as f32)
            .collect()
    }
}

impl Default for DigitImages {
    fn default() -> Self {
        Self::new()
    }
}

/// Grey levels at the centres of their cells, `(v + ½)/17`.
fn centres(grey: &[f32]) -> Vec<f32> {
    grey.iter().map(|v| (v + 0.5) / LEVELS as f32).collect()
}

/// Pixels in `[0, 1]` (model samples, dequantised images) rounded to the centre of the grey-level
/// cell they fall in, `(⌊17x⌋ + ½)/17` (clamped to the 17 levels): images at the same footing
/// as [`DigitImages::train_centres`], so an exact copy of a training image is at distance 0.
pub fn to_cell_centres(pixels: &[f32]) -> Vec<f32> {
    let top = (LEVELS - 1) as f32;
    let grey: Vec<f32> = pixels
        .iter()
        .map(|x| (x * LEVELS as f32).floor().clamp(0.0, top))
        .collect();
    centres(&grey)
}

/// `n` rows of `grey` (`[rows, 64]` grey levels) drawn with replacement, each pixel dequantised,
/// and the rows drawn.
/// The rows of `grey` (`[rows, 64]`) whose label is `label`.
fn rows_of(grey: &[f32], labels: &[u8], label: usize) -> Vec<f32> {
    labels
        .iter()
        .enumerate()
        .filter(|(_, l)| usize::from(**l) == label)
        .flat_map(|(row, _)| grey[row * PIXELS..(row + 1) * PIXELS].iter().copied())
        .collect()
}

fn draw(grey: &[f32], n: usize, rng: &mut impl Rng) -> (Vec<f32>, Vec<usize>) {
    let rows = grey.len() / PIXELS;
    let mut points = Vec::with_capacity(n * PIXELS);
    let mut drawn = Vec::with_capacity(n);
    for _ in 0..n {
        let row = rng.random_range(0..rows);
        drawn.push(row);
        for v in &grey[row * PIXELS..(row + 1) * PIXELS] {
            points.push((v + rng.random::<f32>()) / LEVELS as f32);
        }
    }
    (points, drawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_has_its_published_counts_and_range() {
        assert_eq!(RAW.len(), IMAGES * (PIXELS + 1));
        let mut per_class = [0usize; 10];
        for i in 0..IMAGES {
            let d = digit(i);
            assert!(
                d.pixels.iter().all(|&v| usize::from(v) < LEVELS),
                "image {i}"
            );
            per_class[usize::from(d.label)] += 1;
        }
        // The UCI description: 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 per digit.
        assert_eq!(
            per_class,
            [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        );
        let all = levels(&(0..IMAGES).collect::<Vec<_>>());
        assert_eq!(all.iter().copied().fold(f32::MIN, f32::max), 16.0);
        assert_eq!(all.iter().copied().fold(f32::MAX, f32::min), 0.0);
        // The corners of the first image (a 0) are blank, its middle is not.
        let zero = digit(0);
        assert_eq!(zero.label, 0);
        assert_eq!((zero.pixels[0], zero.pixels[63]), (0, 0));
        assert!(zero.pixels[3 * SIDE + 2] > 8, "{:?}", zero.pixels);
    }

    #[test]
    fn dequantised_samples_stay_in_their_grey_level_cells() {
        let images = DigitImages::new();
        assert_eq!(images.train.len(), (IMAGES - HELD_OUT) * PIXELS);
        assert_eq!(images.held_out.len(), HELD_OUT * PIXELS);
        let mut rng = seeded_rng(3);
        let points = images.sample(50, &mut rng);
        assert_eq!(points.len(), 50 * PIXELS);
        assert!(points.iter().all(|x| (0.0..1.0).contains(x)));
        // Each sampled image is a training image: floor(17·x) gives back its grey levels.
        for image in points.chunks_exact(PIXELS) {
            let grey: Vec<f32> = image.iter().map(|x| (x * 17.0).floor()).collect();
            assert!(
                images
                    .train
                    .chunks_exact(PIXELS)
                    .any(|t| t == grey.as_slice()),
                "a sample is not a dequantised training image"
            );
        }
        let held_out = images.sample_held_out(20, &mut rng);
        for image in held_out.chunks_exact(PIXELS) {
            let grey: Vec<f32> = image.iter().map(|x| (x * 17.0).floor()).collect();
            assert!(
                images
                    .held_out
                    .chunks_exact(PIXELS)
                    .any(|t| t == grey.as_slice())
            );
        }
    }

    #[test]
    fn the_split_is_disjoint_complete_and_seeded() {
        let split = Split::new(7, 297);
        assert_eq!((split.train.len(), split.held_out.len()), (1500, 297));
        let mut all: Vec<usize> = split.train.iter().chain(&split.held_out).copied().collect();
        all.sort_unstable();
        assert_eq!(
            all,
            (0..IMAGES).collect::<Vec<_>>(),
            "disjoint and complete"
        );
        assert_eq!(
            Split::new(7, 297),
            split,
            "the same seed gives the same split"
        );
        assert_ne!(Split::new(8, 297).held_out, split.held_out);
        assert_eq!(
            Split::new(7, 5000).held_out.len(),
            IMAGES / 2,
            "at most half is held out"
        );
    }
}
