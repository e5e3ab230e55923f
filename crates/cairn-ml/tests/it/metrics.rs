//! Metrics against values worked out by hand on tiny inputs.

use cairn_ml::score;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn roc_auc_counts_ties_as_half() {
    // Positives scored 0.8 and 0.3, negatives 0.8 and 0.1: of the 4 pairs, one is a tie (1/2), two are
    // ordered right, one wrong: (0.5 + 2) / 4.
    close(score::roc_auc(&[true, false, true, false], &[0.8, 0.8, 0.3, 0.1]).unwrap(), 0.625);
    close(score::roc_auc(&[true, true, false], &[0.9, 0.8, 0.1]).unwrap(), 1.0);
    close(score::roc_auc(&[false, false, true], &[0.9, 0.8, 0.1]).unwrap(), 0.0);
    close(score::roc_auc(&[true, false], &[0.5, 0.5]).unwrap(), 0.5);
    assert!(score::roc_auc(&[true, true], &[0.1, 0.2]).is_none(), "one class: undefined");
}

#[test]
fn average_precision_sums_precision_over_recall_steps() {
    // Ranked T F T F: recall 0.5 at precision 1, then recall 1 at precision 2/3.
    close(score::average_precision(&[true, false, true, false], &[0.9, 0.8, 0.7, 0.6]).unwrap(), 0.5 + 0.5 * 2.0 / 3.0);
    // A tie at the top counts as one threshold: precision 1/2 at recall 1.
    close(score::average_precision(&[true, false], &[0.5, 0.5]).unwrap(), 0.5);
}

#[test]
fn binary_classification_metrics() {
    let y = [0, 0, 1, 1];
    let p = [0.9, 0.1, 0.4, 0.6, 0.35, 0.65, 0.8, 0.2];
    let m = score::classification(&y, &p, 2, 1);
    // Predicted 0 1 1 0: one true positive, one false positive, one false negative.
    close(m["accuracy"], 0.5);
    close(m["balanced_accuracy"], 0.5);
    close(m["precision"], 0.5);
    close(m["recall"], 0.5);
    close(m["f1"], 0.5);
    close(m["log_loss"], -(0.9f64.ln() + 0.4f64.ln() + 0.65f64.ln() + 0.2f64.ln()) / 4.0);
    // Class-1 scores 0.1 0.6 | 0.65 0.2: three of four pairs ordered right.
    close(m["roc_auc"], 0.75);
    // Ranked 0.65 (T) 0.6 (F) 0.2 (T) 0.1 (F): 0.5 * 1 + 0.5 * 2/3.
    close(m["pr_auc"], 0.5 + 0.5 * 2.0 / 3.0);
}

#[test]
fn multiclass_metrics_are_macro_averages() {
    let y = [0, 1, 2, 2];
    let p = [
        0.7, 0.2, 0.1, //
        0.5, 0.4, 0.1, //
        0.1, 0.1, 0.8, //
        0.2, 0.5, 0.3,
    ];
    let m = score::classification(&y, &p, 3, 2);
    // Predicted 0 0 2 1.
    close(m["accuracy"], 0.5);
    // Recalls 1, 0, 1/2.
    close(m["balanced_accuracy"], 0.5);
    close(m["recall"], 0.5);
    // Precisions 1/2, 0, 1.
    close(m["precision"], 0.5);
    // F1s 2/3, 0, 2/3.
    close(m["f1"], 4.0 / 9.0);
    // One-vs-rest AUCs: class 0 scores 0.7 vs 0.5 0.1 0.2 -> 1; class 1: 0.4 vs 0.2 0.1 0.5 -> 2/3;
    // class 2: 0.8 0.3 vs 0.1 0.1 -> 1.
    close(m["roc_auc"], (1.0 + 2.0 / 3.0 + 1.0) / 3.0);
    close(m["log_loss"], -(0.7f64.ln() + 0.4f64.ln() + 0.8f64.ln() + 0.3f64.ln()) / 4.0);
}

#[test]
fn regression_metrics() {
    let m = score::regression(&[1.0, 2.0, 3.0, 0.0], &[1.5, 2.0, 2.0, 0.5]);
    close(m["rmse"], (1.5f64 / 4.0).sqrt());
    close(m["mae"], 0.5);
    // Mean 1.5: total sum of squares 5, residual 1.5.
    close(m["r2"], 0.7);
    // The row whose actual value is 0 is skipped.
    close(m["mape"], (0.5 + 0.0 + 1.0 / 3.0) / 3.0);
    assert!(!score::regression(&[2.0, 2.0], &[1.0, 3.0]).contains_key("r2"), "R2 of a constant is undefined");
}
