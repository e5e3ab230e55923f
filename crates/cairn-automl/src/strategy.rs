//! Where the next trial goes: which family (the one whose estimated cost for improvement is lowest,
//! FLAML's ECI, sampled) and which point (a randomized local search around the family's best point, as
//! CFO does: try a random direction, then its opposite, shrink the step after a run of failures, restart
//! from a fresh point when the step has shrunk to nothing).

use crate::rng::Rng;
use crate::space::Space;

const INITIAL_STEP: f64 = 0.3;
const MIN_STEP: f64 = 0.02;

/// One family's search state. Costs are seconds, or 1 per trial when the budget counts trials (then
/// nothing depends on the machine's speed and a seed reproduces the search).
#[derive(Debug)]
pub(crate) struct Learner {
    pub space: Space,
    center: Vec<f64>,
    pub best: f64,
    first: f64,
    step: f64,
    opposite: Option<Vec<f64>>,
    fails: usize,
    pub trials: usize,
    pub spent: f64,
    pub last_cost: f64,
    since_improvement: f64,
    /// No more points to try (a family without hyperparameters, tried once).
    pub done: bool,
    pending: usize,
}

impl Learner {
    pub fn new(space: Space) -> Learner {
        let center = space.init();
        Learner {
            space,
            center,
            best: f64::INFINITY,
            first: f64::INFINITY,
            step: INITIAL_STEP,
            opposite: None,
            fails: 0,
            trials: 0,
            spent: 0.0,
            last_cost: 0.0,
            since_improvement: 0.0,
            done: false,
            pending: 0,
        }
    }

    /// The next point: the start, the opposite of the last direction tried, or a new random direction.
    pub fn propose(&mut self, rng: &mut Rng) -> Vec<f64> {
        let d = self.space.dims.len();
        self.pending += 1;
        if self.trials + self.pending == 1 {
            if d == 0 {
                self.done = true;
            }
            return self.center.clone();
        }
        if let Some(u) = self.opposite.take() {
            return u;
        }
        let dir = rng.unit_vector(d);
        let at =
            |sign: f64| -> Vec<f64> { self.center.iter().zip(&dir).map(|(c, v)| (c + sign * self.step * v).clamp(0.0, 1.0)).collect() };
        self.opposite = Some(at(-1.0));
        at(1.0)
    }

    /// Records a trial's loss (lower is better; infinite for a failure) and cost.
    pub fn record(&mut self, u: &[f64], loss: f64, cost: f64, rng: &mut Rng) {
        self.pending = self.pending.saturating_sub(1);
        self.trials += 1;
        self.spent += cost;
        self.last_cost = cost;
        self.since_improvement += cost;
        if self.first.is_infinite() && loss.is_finite() {
            self.first = loss;
        }
        if loss < self.best {
            self.best = loss;
            self.center = u.to_vec();
            self.since_improvement = 0.0;
            self.fails = 0;
            self.opposite = None;
            return;
        }
        self.fails += 1;
        if self.fails >= 2 * self.space.dims.len().max(1) {
            self.fails = 0;
            self.step *= 0.5;
            if self.step < MIN_STEP {
                // Converged here: start again from a random point, keeping the best found.
                self.step = INITIAL_STEP;
                self.center = (0..self.space.dims.len()).map(|_| rng.uniform()).collect();
                self.opposite = None;
            }
        }
    }

    /// The estimated cost of finding an improvement that beats `global` (FLAML's ECI, simplified): the
    /// cost spent without improving, at least one trial's cost; for a family behind the leader, also
    /// the cost its own rate of improvement needs to close the gap.
    pub fn eci(&self, global: f64) -> f64 {
        let cost = self.last_cost.max(1e-3);
        let mut eci = self.since_improvement.max(cost);
        if self.best > global && self.best.is_finite() {
            let gap = self.best - global;
            let gained = self.first - self.best;
            eci = if gained > 0.0 { eci.max(gap / (gained / self.spent.max(cost))) } else { eci.max(2.0 * self.spent) };
        }
        if !self.best.is_finite() {
            eci = eci.max(4.0 * self.spent);
        }
        eci
    }
}

/// Picks a family among `eligible` (indices into `learners`): untried ones first, in order; then at
/// random with probability inversely proportional to their ECI.
pub(crate) fn choose(learners: &[Learner], eligible: &[usize], rng: &mut Rng) -> Option<usize> {
    if let Some(&i) = eligible.iter().find(|&&i| learners[i].trials + learners[i].pending == 0) {
        return Some(i);
    }
    let global = learners.iter().map(|l| l.best).fold(f64::INFINITY, f64::min);
    let weights: Vec<f64> = eligible.iter().map(|&i| 1.0 / learners[i].eci(global)).collect();
    let total: f64 = weights.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return eligible.first().copied();
    }
    let mut x = rng.uniform() * total;
    for (&i, w) in eligible.iter().zip(&weights) {
        if x < *w {
            return Some(i);
        }
        x -= w;
    }
    eligible.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::space;
    use cairn_types::ModelKind;

    #[test]
    fn starts_at_init_then_tries_a_direction_and_its_opposite() {
        let mut rng = Rng::new(1);
        let mut l = Learner::new(space(ModelKind::Gbm));
        let a = l.propose(&mut rng);
        assert_eq!(a, l.space.init());
        l.record(&a, 0.5, 1.0, &mut rng);
        let b = l.propose(&mut rng);
        let c = l.propose(&mut rng);
        for ((x, y), z) in b.iter().zip(&c).zip(&a) {
            // Mirror images around the center, unless clipped at the cube's edge.
            if (0.0..=1.0).contains(&(2.0 * z - x)) && *x > 0.0 && *x < 1.0 {
                assert!((x + y - 2.0 * z).abs() < 1e-9);
            }
        }
        l.record(&b, 0.4, 1.0, &mut rng);
        assert_eq!(l.best, 0.4);
    }

    #[test]
    fn a_family_without_hyperparameters_is_tried_once() {
        let mut rng = Rng::new(1);
        let mut l = Learner::new(space(ModelKind::Linear));
        l.propose(&mut rng);
        assert!(l.done);
    }

    #[test]
    fn the_cheaper_way_to_improve_is_chosen_more_often() {
        let mut rng = Rng::new(3);
        let mut fast = Learner::new(space(ModelKind::Logistic));
        let mut slow = Learner::new(space(ModelKind::Gbm));
        let (u, v) = (fast.propose(&mut rng), slow.propose(&mut rng));
        fast.record(&u, 0.30, 0.1, &mut rng);
        slow.record(&v, 0.30, 5.0, &mut rng);
        let learners = [fast, slow];
        let picks = (0..1000).filter(|_| choose(&learners, &[0, 1], &mut rng) == Some(0)).count();
        assert!(picks > 900, "{picks}");
    }
}
