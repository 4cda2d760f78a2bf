//! The 8×8 handwritten digits shipped with the page: the test set of the UCI "Optical Recognition
//! of Handwritten Digits" data (E. Alpaydin and C. Kaynak, 1998; CC BY 4.0), 1 797 images whose
//! pixels count the "on" pixels of 4×4 blocks of a 32×32 bitmap, so each is one of 17 grey levels
//! 0..16. Stored as one byte per pixel (`digits.bin`, made by `scripts/fetch-digits` from the
//! copy in scikit-learn's wheel), with a seeded split into training and held-out images.

use rand::seq::SliceRandom;

use super::seeded_rng;

/// Pixels per side.
pub const SIDE: usize = 8;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;
/// Grey levels: pixel values are `0 ..= LEVELS - 1`.
pub const LEVELS: usize = 17;
/// Images in the set.
pub const IMAGES: usize = 1797;

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
