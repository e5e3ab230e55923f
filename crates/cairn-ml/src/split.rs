//! Seeded row splits: stratified holdout and k-fold, and samples. A tiny SplitMix64 generator keeps
//! them identical across platforms and library versions, which a spec's seed promises.

use crate::check::Target;

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast, and good enough for shuffling rows.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// An independent stream for a sub-task (a tree, a fold), so parallel work stays deterministic.
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut r = Rng::new(seed);
        r.0 = r.0.wrapping_add(stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0), by multiply-shift: no modulo bias worth the name for n < 2^32.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 32).wrapping_mul(n as u64) >> 32) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Row groups to split evenly: one per class for classification, all rows for regression.
fn strata(target: &Target) -> Vec<Vec<usize>> {
    match target {
        Target::Class(y) => {
            let k = y.iter().copied().max().map_or(0, |m| m + 1);
            let mut groups = vec![Vec::new(); k];
            for (i, &c) in y.iter().enumerate() {
                groups[c].push(i);
            }
            groups.into_iter().filter(|g| !g.is_empty()).collect()
        }
        Target::Value(v) => vec![(0..v.len()).collect()],
    }
}

/// (train, test) rows, sorted; each class keeps its share in both when it has two rows or more.
pub(crate) fn holdout(target: &Target, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut group in strata(target) {
        rng.shuffle(&mut group);
        let n = group.len();
        let mut t = (n as f64 * test_fraction).round() as usize;
        if n >= 2 {
            t = t.clamp(1, n - 1);
        } else {
            t = 0;
        }
        test.extend_from_slice(&group[..t]);
        train.extend_from_slice(&group[t..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// `k` disjoint test folds covering every row; classes are dealt round-robin so each fold gets its share.
pub(crate) fn kfold(target: &Target, k: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng::new(seed);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for mut group in strata(target) {
        rng.shuffle(&mut group);
        for row in group {
            folds[next % k].push(row);
            next += 1;
        }
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    folds
}

/// Every row of `all` not in `test`, in `all`'s order.
pub(crate) fn complement(all: &[usize], test: &[usize]) -> Vec<usize> {
    let n = all.iter().chain(test).copied().max().map_or(0, |m| m + 1);
    let mut in_test = vec![false; n];
    test.iter().for_each(|&r| in_test[r] = true);
    all.iter().copied().filter(|&r| !in_test[r]).collect()
}

/// At most `max` of `rows`, stratified by class, in their original order.
pub(crate) fn sample(rows: &[usize], target: &Target, max: usize, seed: u64) -> Vec<usize> {
    if rows.len() <= max {
        return rows.to_vec();
    }
    let sub = target.select(rows);
    let (keep, _) = holdout(&sub, 1.0 - max as f64 / rows.len() as f64, seed);
    keep.into_iter().map(|i| rows[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdout_is_stratified_and_deterministic() {
        let y = Target::Class((0..100).map(|i| usize::from(i % 4 == 0)).collect());
        let (train, test) = holdout(&y, 0.2, 7);
        assert_eq!(train.len() + test.len(), 100);
        let pos = |rows: &[usize]| rows.iter().filter(|&&r| r % 4 == 0).count();
        assert_eq!(pos(&test), 5);
        assert_eq!(holdout(&y, 0.2, 7), (train, test.clone()));
        assert_ne!(holdout(&y, 0.2, 8).1, test);
    }

    #[test]
    fn kfold_covers_every_row_once() {
        let y = Target::Class((0..53).map(|i| i % 3).collect());
        let folds = kfold(&y, 5, 1);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..53).collect::<Vec<_>>());
        assert!(folds.iter().all(|f| (10..=11).contains(&f.len())));
    }
}
