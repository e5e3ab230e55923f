//! The search loop: propose a batch of trials (one per worker), run them in parallel, record them in
//! the order they were proposed (so a seed and a trial budget replay the same search), stop on the
//! budget, then ensemble and refit.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_ml::{MlError, Model, Scores, TrainingData};
use cairn_types::{AutomlResult, EnsembleMember, ModelKind, TrialSummary};

use crate::detach::{on_own_threads, panic_text};
use crate::metric::Metric;
use crate::remote::{Runner, TrialReport, TrialRequest};
use crate::rng::Rng;
use crate::space::{default_kinds, space_for};
use crate::strategy::{Learner, choose};
use crate::trial::{Measured, Plan};
use crate::{Observer, Options, Outcome, Trainer, detach, ensemble};

/// Seconds searched when neither a time nor a trial budget is given.
const DEFAULT_BUDGET: f64 = 60.0;
/// Trials whose held-out predictions are kept for the ensemble.
const LIBRARY: usize = 16;
const ENSEMBLE_ROUNDS: usize = 25;
/// Rows a search needs: five folds of at least five rows.
const MIN_ROWS: usize = 25;

/// A trial's end, sent from its thread.
struct Finished {
    number: u32,
    learner: usize,
    u: Vec<f64>,
    result: Result<Measured, MlError>,
    wall: f64,
    run_id: Option<String>,
}

struct Done {
    summary: TrialSummary,
    loss: f64,
    /// Seconds of one fit of this trial, to estimate the final fit's.
    single_fit: f64,
    scores: Option<Scores>,
    /// Fitted on the first part's rows: with the held-out predictions, for the final importances.
    model: Option<Model>,
}

/// Runs the search on `data` (already checked for its target), its trials on this computer.
pub fn search(data: &TrainingData, opts: &Options, trainer: Arc<dyn Trainer>, observer: &dyn Observer) -> Result<Outcome, MlError> {
    search_on(data, opts, trainer, observer, None)
}

/// Runs the search on `data`, its trials through `remote` when given (a cluster); the ensemble and the
/// final fit are made here.
pub fn search_on(
    data: &TrainingData,
    opts: &Options,
    trainer: Arc<dyn Trainer>,
    observer: &dyn Observer,
    remote: Option<&dyn Runner>,
) -> Result<Outcome, MlError> {
    let trainer = &trainer;
    let start = Instant::now();
    let task = data.task();
    let metric = Metric::for_task(opts.metric.as_deref(), task, data.classes())?;
    let rows = data.rows().len();
    if rows < MIN_ROWS {
        return Err(MlError::cannot(
            format!("{rows} row(s) have a target: too few to search models and score them honestly"),
            format!("AutoML needs at least {MIN_ROWS} rows; train a single model instead, or add rows"),
        ));
    }
    if let Some(b) = opts.budget_seconds
        && !(b > 0.0 && b.is_finite())
    {
        return Err(MlError::invalid(format!("the time budget must be a positive number of seconds, not {b}"), "for example 60"));
    }
    if opts.max_trials == Some(0) {
        return Err(MlError::invalid("the trial budget must be at least 1", "for example 50, or no trial budget"));
    }
    let budget = opts.budget_seconds.or(if opts.max_trials.is_none() { Some(DEFAULT_BUDGET) } else { None });
    // With a time budget a trial costs its seconds; with trials alone it costs one trial, so nothing
    // depends on the machine and the seed replays the search.
    let timed = budget.is_some();
    let kinds: Vec<ModelKind> = opts.models.clone().unwrap_or_else(|| default_kinds(task, rows));
    let plan = Plan::new(data, opts.seed);
    let mut learners: Vec<Learner> =
        kinds.iter().filter(|k| data.supports(**k)).map(|k| Learner::new(space_for(*k, plan.fit_rows()))).collect();
    if learners.is_empty() {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        return Err(MlError::invalid(
            format!("none of the models {} can learn this target", names.join(", ")),
            "leave the models empty to search every suitable one",
        ));
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let parallel = match (opts.parallel, remote) {
        (0, Some(r)) => r.parallel().max(1),
        (0, None) => cores,
        (n, _) => n,
    };
    // Each running trial gets its share of the cores as its own thread pool: in the shared one, a
    // forest's long tasks would queue a linear model's short ones behind them. A remote trial asks
    // for one core, and the final fit here shares this computer's.
    let threads = (cores / parallel.min(cores)).max(1);
    let trial_threads = if remote.is_some() { 1 } else { threads };
    observer.log(&format!(
        "searching {} for {} ({}, {} rows, {}), ranked by {}",
        learners.iter().map(|l| l.space.kind.as_str()).collect::<Vec<_>>().join(", "),
        data.checked().features.len().to_string() + " features",
        format!("{task:?}").to_lowercase(),
        rows,
        plan.describe(),
        metric.name
    ));
    let mut rng = Rng::new(opts.seed);
    let mut done: Vec<Done> = Vec::new();
    let mut best: Option<usize> = None;
    let mut stopped = "budget";
    let mut lost: Option<String> = None;
    let mut proposed = 0u32;
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel::<Finished>();
        let mut active = 0usize;
        let mut batch: Vec<Finished> = Vec::new();
        // Without a time budget, trials are proposed in batches of a fixed size and recorded in order,
        // so the seed replays the search whatever the machine's speed or cores, here or on a cluster.
        let mut queue: std::collections::VecDeque<Proposal> = std::collections::VecDeque::new();
        loop {
            if observer.cancelled() {
                stopped = "cancelled";
            }
            if stopped != "cancelled"
                && let Some(why) = remote.and_then(|r| r.gone())
            {
                if lost.is_none() {
                    observer.log(&format!("{why}: the search ends with the trials that finished"));
                }
                stopped = "cluster";
                lost = Some(why);
            }
            let open = stopped != "cancelled" && stopped != "cluster";
            if !open {
                queue.clear();
            }
            // Time kept for the final fit: it changes only when a trial is recorded.
            let reserved = budget.map_or(0.0, |b| reserve(&done, &plan, data, parallel, b));
            let mut state = Proposing { learners: &mut learners, rng: &mut rng, proposed: &mut proposed, stopped: &mut stopped };
            if open && timed {
                while active + queue.len() < parallel {
                    let elapsed = start.elapsed().as_secs_f64();
                    match state.next(opts.max_trials, budget.map(|b| (b, elapsed, reserved, best.is_some()))) {
                        Some(p) => queue.push_back(p),
                        None => break,
                    }
                }
            } else if open && active == 0 && batch.is_empty() {
                for _ in 0..BATCH {
                    match state.next(opts.max_trials, None) {
                        Some(p) => queue.push_back(p),
                        None => break,
                    }
                }
            }
            while active < parallel
                && let Some(Proposal { number, learner: i, u }) = queue.pop_front()
            {
                let until = budget.map(|b| {
                    let end = if best.is_some() { b - reserved } else { b };
                    start + std::time::Duration::from_secs_f64(end.max(0.0))
                });
                let kind = learners[i].space.kind;
                let params = learners[i].space.params(&u);
                let (tx, metric, plan) = (tx.clone(), &metric, &plan);
                active += 1;
                s.spawn(move || {
                    let run_id = observer.trial_started(number, kind, &params);
                    let began = Instant::now();
                    let r = std::panic::catch_unwind(AssertUnwindSafe(|| match remote {
                        Some(runner) => {
                            let seconds = until.map(|t| t.saturating_duration_since(Instant::now()).as_secs_f64());
                            let request = TrialRequest {
                                number,
                                model: kind,
                                params: params.clone(),
                                seed: opts.seed,
                                metric: metric.name.clone(),
                                threads: trial_threads,
                                seconds,
                            };
                            runner.run(&request, until, observer).and_then(TrialReport::into_measured)
                        }
                        None => on_own_threads(threads, || {
                            crate::trial::run(data, plan, trainer, kind, &params, opts.seed, threads, metric, observer, until)
                        }),
                    }))
                    .unwrap_or_else(|p| Err(MlError::Internal(format!("the trial panicked: {}", panic_text(&p)))));
                    let _ = tx.send(Finished { number, learner: i, u, result: r, wall: began.elapsed().as_secs_f64(), run_id });
                });
            }
            if active == 0 {
                break;
            }
            let Ok(f) = rx.recv() else { break };
            active -= 1;
            batch.push(f);
            if !timed && (active > 0 || !queue.is_empty()) {
                continue;
            }
            batch.sort_by_key(|f| f.number);
            for f in batch.drain(..) {
                record(f, &mut learners, &mut done, &mut best, &metric, &plan, observer, start, timed, &mut rng);
            }
            prune(&mut done);
        }
    });
    let Some(best) = best else {
        if let Some(why) = lost {
            return Err(MlError::cannot(
                format!("{why} before any trial finished"),
                "check that the cluster is up (cairn clusters), then start the search again, or run it on this computer",
            ));
        }
        return Err(no_trial(&done, budget, observer.cancelled()));
    };
    if stopped == "cancelled" {
        return Ok(Outcome {
            result: result(&done, &metric, &plan, Vec::new(), None, start, stopped, task),
            model: None,
            evaluation: None,
        });
    }

    // The ensemble: greedy selection over the best trials' held-out predictions.
    let mut order: Vec<usize> = (0..done.len()).filter(|&i| done[i].scores.is_some()).collect();
    order.sort_by(|&a, &b| done[a].loss.total_cmp(&done[b].loss));
    order.retain(|&i| done[i].scores.is_some());
    let library: Vec<&Scores> = order.iter().filter_map(|&i| done[i].scores.as_ref()).collect();
    let loss_of = |s: &Scores| match data.metric(&plan.held_out, s, &metric.name) {
        Some(v) if v.is_finite() => metric.loss(&BTreeMap::from([(metric.name.clone(), v)])),
        _ => f64::INFINITY,
    };
    let (weights, ens_loss) = ensemble::select(&library, &loss_of, ENSEMBLE_ROUNDS);
    let members: Vec<(usize, f64)> = if weights.len() > 1 && ens_loss < done[best].loss {
        weights.iter().map(|&(j, w)| (order[j], w)).collect()
    } else {
        vec![(best, 1.0)]
    };
    let blended = ensemble::blend(&library, &weights.iter().map(|&(j, w)| (j, w)).collect::<Vec<_>>());
    observer.log(&format!(
        "ensemble of {} trial(s): {} = {:.4} on the held-out rows (best single {:.4}); fitting on all {} rows",
        members.len(),
        metric.name,
        metric.value(if members.len() > 1 { ens_loss } else { done[best].loss }),
        metric.value(done[best].loss),
        rows
    ));

    // The final fit: every member on every training row, in parallel, within the budget and a little
    // grace. A member whose fit would not finish in time (its trial's fit scaled to every row), or did
    // not, keeps its model fitted on the first part. Meanwhile the importances are measured.
    let refit_until = budget.map(|b| start + Duration::from_secs_f64(b + (0.02 * b).max(1.0)));
    let scale = rows as f64 / plan.fit_rows() as f64;
    let first_part: Vec<Option<Model>> = members.iter().map(|&(i, _)| done[i].model.take()).collect();
    let final_fit = Instant::now();
    let (fitted, importances) = std::thread::scope(|s| {
        let handles: Vec<_> = members
            .iter()
            .map(|&(i, _)| {
                let (t, single) = (&done[i].summary, done[i].single_fit);
                s.spawn(move || {
                    if refit_until.is_some_and(|u| Instant::now() + Duration::from_secs_f64(single * scale) > u) {
                        return Err(MlError::Cancelled);
                    }
                    let all = crate::trial::rows_for(data, t.model, data.rows(), opts.seed);
                    let (params, _) = crate::trial::split_sample(&t.params);
                    detach::fit(data, trainer, t.model, &params, &all, opts.seed, threads, observer, refit_until)
                })
            })
            .collect();
        // What the final model relies on, measured honestly: the members' models fitted on the first
        // part, blended alike, shuffling each feature on that part's held-out rows.
        let importances = first_part
            .iter()
            .zip(&members)
            .map(|(m, &(_, w))| m.as_ref().map(|m| duplicate(m).map(|m| (m, w))))
            .collect::<Option<Result<Vec<_>, _>>>()
            .map(|ms| {
                ms.and_then(Model::blend)
                    .and_then(|m| crate::explain::explain(data, &m, &plan.parts[0].1, opts.seed, observer, refit_until))
            });
        let fitted: Vec<Result<Model, MlError>> =
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(MlError::Internal("a fit thread died".into())))).collect();
        (fitted, importances)
    });
    let final_fit_seconds = final_fit.elapsed().as_secs_f64();
    if observer.cancelled() {
        let result = result(&done, &metric, &plan, Vec::new(), None, start, "cancelled", task);
        return Ok(Outcome { result, model: None, evaluation: None });
    }
    let mut kept_first = 0;
    let mut models: Vec<(Model, f64)> = Vec::new();
    for ((r, first), &(i, w)) in fitted.into_iter().zip(first_part).zip(&members) {
        match (r, first) {
            (Ok(m), _) => models.push((m, w)),
            (Err(e), Some(m)) => {
                let why = if matches!(e, MlError::Cancelled) { "would not finish within the budget".to_string() } else { e.to_string() };
                observer.log(&format!(
                    "trial {}'s fit on all {rows} rows {why}: its model fitted on {} rows is kept",
                    done[i].summary.number,
                    plan.fit_rows()
                ));
                kept_first += 1;
                models.push((m, w));
            }
            (Err(e), None) => return Err(e),
        }
    }
    let model = Model::blend(models)?;
    let (final_scores, final_loss) = if members.len() > 1 { (blended, ens_loss) } else { (done[best].scores.clone(), done[best].loss) };
    let mut evaluation = final_scores.as_ref().map(|s| {
        let mut e = data.evaluation(&plan.held_out, s);
        e.train_rows = if kept_first > 0 { plan.fit_rows() } else { rows } as u64;
        e.fit_seconds = final_fit_seconds;
        e.rows = Some(plan.rows_plan(rows, done.len()));
        e
    });
    match (evaluation.as_mut(), importances) {
        (Some(e), Some(Ok((importances, partial)))) => {
            e.importances = importances;
            e.importance_kind = "permutation".into();
            e.partial_dependence = partial;
        }
        (_, Some(Err(err))) => observer.log(&format!("warning: no importances: {err}")),
        _ => {}
    }
    let ensemble: Vec<EnsembleMember> =
        members.iter().map(|&(i, w)| EnsembleMember { trial: done[i].summary.number, model: done[i].summary.model, weight: w }).collect();
    let mut result = result(&done, &metric, &plan, ensemble, Some(metric.value(final_loss)), start, stopped, task);
    result.seconds = start.elapsed().as_secs_f64();
    Ok(Outcome { result, model: Some(model), evaluation })
}

/// Trials proposed at once without a time budget: fixed, so the search does not depend on the cores.
const BATCH: usize = 4;

/// A trial chosen but not started yet.
struct Proposal {
    number: u32,
    learner: usize,
    u: Vec<f64>,
}

/// What choosing the next trial changes.
struct Proposing<'a> {
    learners: &'a mut [Learner],
    rng: &'a mut Rng,
    proposed: &'a mut u32,
    stopped: &'a mut &'static str,
}

impl Proposing<'_> {
    /// The next trial, or None when the trial budget is spent, no family fits in the time left
    /// (`timing`: budget, elapsed, reserve, whether a trial has finished), or every family is done.
    fn next(&mut self, max_trials: Option<u32>, timing: Option<(f64, f64, f64, bool)>) -> Option<Proposal> {
        if max_trials.is_some_and(|m| *self.proposed >= m) {
            *self.stopped = "trials";
            return None;
        }
        let learners = &*self.learners;
        let eligible: Vec<usize> = (0..learners.len())
            .filter(|&i| !learners[i].done)
            .filter(|&i| match timing {
                // Until a trial has finished, the first ones may use the whole budget. A family's
                // next trial costs about its last one; some margin, as costs grow.
                Some((b, elapsed, reserve, true)) => elapsed + 1.5 * learners[i].last_cost <= b - reserve,
                Some((b, elapsed, _, false)) => elapsed < b,
                None => true,
            })
            .collect();
        let Some(i) = choose(learners, &eligible, self.rng) else {
            if learners.iter().all(|l| l.done) {
                *self.stopped = "exhausted";
            }
            return None;
        };
        let u = self.learners[i].propose(self.rng);
        *self.proposed += 1;
        Some(Proposal { number: *self.proposed, learner: i, u })
    }
}

/// Records a finished trial: its learner's search state, the leaderboard, the best so far.
#[allow(clippy::too_many_arguments)]
fn record(
    f: Finished,
    learners: &mut [Learner],
    done: &mut Vec<Done>,
    best: &mut Option<usize>,
    metric: &Metric,
    plan: &Plan,
    observer: &dyn Observer,
    start: Instant,
    timed: bool,
    rng: &mut Rng,
) {
    let Finished { number, learner: i, u, result, wall, run_id } = f;
    let kind = learners[i].space.kind;
    let params = learners[i].space.params(&u);
    let finished_at = start.elapsed().as_secs_f64();
    let mut summary = TrialSummary {
        number,
        run_id,
        model: kind,
        params,
        score: None,
        fold_scores: Vec::new(),
        fit_seconds: wall,
        finished_at,
        error: None,
    };
    let (loss, single_fit, scores, metrics, model) = match result {
        Ok(m) => {
            let loss = metric.loss(&m.metrics);
            summary.score = loss.is_finite().then(|| metric.value(loss));
            summary.fold_scores = m.fold_scores;
            summary.fit_seconds = m.fit_seconds;
            let share = crate::trial::split_sample(&summary.params).1;
            (loss, m.fit_seconds / plan.parts.len() as f64 / share, Some(m.scores), m.metrics, Some(m.model))
        }
        Err(e) => {
            let error = match (&e, observer.cancelled()) {
                (MlError::Cancelled, true) => "cancelled".to_string(),
                (MlError::Cancelled, false) => "stopped: the time budget ran out".to_string(),
                _ => e.to_string(),
            };
            observer.log(&format!("trial {number} ({}) failed: {error}", kind.as_str()));
            summary.error = Some(error);
            (f64::INFINITY, wall, None, BTreeMap::new(), None)
        }
    };
    learners[i].record(&u, loss, if timed { wall } else { 1.0 }, rng);
    observer.trial_finished(&summary, &metrics);
    let improved = loss.is_finite() && best.is_none_or(|b| loss < done[b].loss);
    if improved && let Some(m) = &model {
        observer.log(&format!("trial {number}: {} {} = {:.4} (best so far)", kind.as_str(), metric.name, metric.value(loss)));
        observer.new_best(&summary, m);
        *best = Some(done.len());
    }
    done.push(Done { summary, loss, single_fit, scores, model });
}

/// A model's copy, through its file format (models are not `Clone`: linfa's fitted models are not).
fn duplicate(m: &Model) -> Result<Model, MlError> {
    let bytes = serde_json::to_vec(m).map_err(|e| MlError::Internal(format!("model to JSON: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| MlError::Internal(format!("model from JSON: {e}")))
}

/// Seconds kept for the ensemble and the final fit: the best trials' single fits (an ensemble often
/// takes six), scaled to every row and spread over the workers, at most 40% of the budget.
fn reserve(done: &[Done], plan: &Plan, data: &TrainingData, parallel: usize, budget: f64) -> f64 {
    let mut fits: Vec<(f64, f64)> = done.iter().filter(|d| d.loss.is_finite()).map(|d| (d.loss, d.single_fit)).collect();
    fits.sort_by(|a, b| a.0.total_cmp(&b.0));
    let scale = data.rows().len() as f64 / plan.fit_rows() as f64;
    let top: f64 = fits.iter().take(6).map(|f| f.1).sum::<f64>() * scale / parallel.max(1) as f64;
    (1.3 * top + 0.3).min(0.4 * budget)
}

/// Drops the held-out predictions of trials outside the best `LIBRARY`.
fn prune(done: &mut [Done]) {
    let mut losses: Vec<f64> = done.iter().filter(|d| d.scores.is_some()).map(|d| d.loss).collect();
    if losses.len() <= LIBRARY {
        return;
    }
    losses.sort_by(f64::total_cmp);
    let cut = losses[LIBRARY - 1];
    for d in done.iter_mut().filter(|d| d.loss > cut) {
        d.scores = None;
        d.model = None;
    }
}

fn no_trial(done: &[Done], budget: Option<f64>, cancelled: bool) -> MlError {
    if cancelled {
        return MlError::Cancelled;
    }
    let first_error = done.iter().find_map(|d| d.summary.error.clone());
    let out_of_time = done.is_empty() || first_error.as_deref().is_some_and(|e| e.starts_with("stopped"));
    match budget {
        Some(b) if out_of_time => {
            let took = done.iter().map(|d| d.summary.fit_seconds).fold(0.0, f64::max);
            let why = if done.is_empty() {
                "before the first trial could start".to_string()
            } else {
                format!("before any trial finished (the first took over {took:.1} s)")
            };
            MlError::cannot(
                format!("the time budget of {} ran out {why}", seconds(b)),
                format!("give it more time, e.g. --budget {}s, or fewer rows or features", (b * 4.0).max(took * 5.0).ceil().max(10.0)),
            )
        }
        _ => MlError::cannot(
            format!("every trial failed; the first: {}", first_error.unwrap_or_else(|| "no trial ran".into())),
            "check the data's features and target, or choose other models",
        ),
    }
}

fn seconds(s: f64) -> String {
    match s {
        s if s < 1.0 => format!("{s:.2} s"),
        s if s < 10.0 => format!("{s:.1} s"),
        s => format!("{s:.0} s"),
    }
}

#[allow(clippy::too_many_arguments)]
fn result(
    done: &[Done],
    metric: &Metric,
    plan: &Plan,
    ensemble: Vec<EnsembleMember>,
    score: Option<f64>,
    start: Instant,
    stopped: &str,
    task: cairn_types::Task,
) -> AutomlResult {
    let mut order: Vec<&Done> = done.iter().collect();
    order.sort_by(|a, b| a.loss.total_cmp(&b.loss).then(a.summary.number.cmp(&b.summary.number)));
    AutomlResult {
        task,
        metric: metric.name.clone(),
        greater_is_better: metric.greater_is_better,
        validation: plan.describe(),
        leaderboard: order.into_iter().map(|d| d.summary.clone()).collect(),
        ensemble,
        score,
        seconds: start.elapsed().as_secs_f64(),
        stopped: stopped.into(),
    }
}
