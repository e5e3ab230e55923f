//! Greedy ensemble selection (Caruana, Niculescu-Mizil, Crew & Ksikes, ICML 2004), as AutoGluon's final
//! weighted ensemble does: start from the best model, repeatedly add (with replacement) the model whose
//! addition most improves the held-out metric of the averaged predictions, keep the best prefix. The
//! weights are how often each model was added.

use cairn_ml::Scores;

/// `acc + s` element-wise (same shapes).
fn add(acc: &mut Scores, s: &Scores) {
    match (acc, s) {
        (Scores::Proba { p: a, .. }, Scores::Proba { p, .. }) | (Scores::Values(a), Scores::Values(p)) => {
            a.iter_mut().zip(p).for_each(|(a, x)| *a += x);
        }
        _ => {}
    }
}

fn scaled(s: &Scores, by: f64) -> Scores {
    match s {
        Scores::Proba { k, p } => Scores::Proba { k: *k, p: p.iter().map(|x| x * by).collect() },
        Scores::Values(v) => Scores::Values(v.iter().map(|x| x * by).collect()),
    }
}

/// The weighted mean of `library[i]` by `weights` (which sum to 1).
pub(crate) fn blend(library: &[&Scores], weights: &[(usize, f64)]) -> Option<Scores> {
    let mut acc: Option<Scores> = None;
    for &(i, w) in weights {
        let s = scaled(library.get(i)?, w);
        match &mut acc {
            None => acc = Some(s),
            Some(a) => add(a, &s),
        }
    }
    acc
}

/// Members and weights chosen in `rounds` additions, with the loss of their blend; `loss` scores a
/// blend (lower is better). `library[0]` must be the best single model.
pub(crate) fn select(library: &[&Scores], loss: &dyn Fn(&Scores) -> f64, rounds: usize) -> (Vec<(usize, f64)>, f64) {
    let Some(first) = library.first() else { return (Vec::new(), f64::INFINITY) };
    let mut counts = vec![0usize; library.len()];
    counts[0] = 1;
    let mut sum = (*first).clone();
    let mut best = (counts.clone(), loss(first));
    for n in 2..=rounds + 1 {
        let mut pick: Option<(usize, f64)> = None;
        for (i, s) in library.iter().enumerate() {
            let mut trial = sum.clone();
            add(&mut trial, s);
            let l = loss(&scaled(&trial, 1.0 / n as f64));
            if pick.is_none_or(|(_, b)| l < b) {
                pick = Some((i, l));
            }
        }
        let Some((i, l)) = pick else { break };
        add(&mut sum, library[i]);
        counts[i] += 1;
        if l < best.1 - 1e-12 {
            best = (counts.clone(), l);
        }
    }
    let total: usize = best.0.iter().sum();
    let weights = best.0.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| (i, *c as f64 / total as f64)).collect();
    (weights, best.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rmse(truth: &[f64]) -> impl Fn(&Scores) -> f64 + '_ {
        move |s| match s {
            Scores::Values(v) => (v.iter().zip(truth).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / v.len() as f64).sqrt(),
            Scores::Proba { .. } => f64::INFINITY,
        }
    }

    #[test]
    fn averaging_two_models_with_opposite_errors_beats_either() {
        let truth = [1.0, 2.0, 3.0, 4.0];
        let a = Scores::Values(vec![1.5, 2.5, 3.5, 4.5]);
        let b = Scores::Values(vec![0.5, 1.5, 2.5, 3.5]);
        let c = Scores::Values(vec![9.0, 9.0, 9.0, 9.0]);
        let library = [&a, &b, &c];
        let (weights, l) = select(&library, &rmse(&truth), 10);
        assert!(l < 1e-9, "{l}");
        assert_eq!(weights, vec![(0, 0.5), (1, 0.5)]);
        let blended = blend(&library, &weights).unwrap();
        assert_eq!(blended, Scores::Values(vec![1.0, 2.0, 3.0, 4.0]));
    }

    #[test]
    fn a_useless_addition_is_not_kept() {
        let truth = [1.0, 2.0];
        let a = Scores::Values(vec![1.0, 2.0]);
        let b = Scores::Values(vec![5.0, 5.0]);
        let (weights, _) = select(&[&a, &b], &rmse(&truth), 5);
        assert_eq!(weights, vec![(0, 1.0)]);
    }
}
