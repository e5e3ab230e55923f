//! Frames built to hold one problem each, so each flag is seen to fire and to stay quiet.

use cairn_types::{ColumnFlag, Task};
use polars::prelude::*;

use crate::{flags, req, run};

/// A small deterministic generator (tests must not depend on a random crate's version).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn frame(n: usize) -> DataFrame {
    let mut rng = Rng(7);
    let y: Vec<bool> = (0..n).map(|_| rng.next() < 0.3).collect();
    // Recorded after the outcome: almost the label itself.
    let leak: Vec<f64> = y.iter().map(|&t| f64::from(u8::from(t)) * 10.0 + rng.next()).collect();
    let weak: Vec<f64> = y.iter().map(|&t| f64::from(u8::from(t)) + rng.next() * 4.0).collect();
    let noise: Vec<f64> = (0..n).map(|_| rng.next()).collect();
    let a: Vec<f64> = (0..n).map(|_| rng.next()).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.next()).collect();
    let sum: Vec<f64> = a.iter().zip(&b).map(|(x, z)| x + z).collect();
    let city: Vec<&str> = (0..n).map(|i| ["north", "south", "east"][i % 3]).collect();
    let label: Vec<&str> = y.iter().map(|&t| if t { "yes" } else { "no" }).collect();
    df!(
        "row_id" => (0..n as i64).collect::<Vec<_>>(),
        "leak" => leak,
        "weak" => weak,
        "noise" => noise,
        "a" => a,
        "b" => b,
        "a_plus_b" => sum,
        "constant" => vec![5i64; n],
        "city" => city,
        "label" => label,
    )
    .expect("frame")
}

#[test]
fn a_leaking_feature_is_flagged_and_honest_ones_are_not() {
    let r = run(&frame(3000), &req("label", Some("yes"))).expect("report");
    let leak = r.leakage.iter().find(|l| l.feature == "leak").expect("scored");
    assert!(leak.flagged && leak.score > 0.99, "{leak:?}");
    assert_eq!(r.leakage[0].feature, "leak");
    assert!(flags(&r, "leak").contains(&ColumnFlag::Leakage));
    for honest in ["weak", "noise", "city", "a"] {
        let l = r.leakage.iter().find(|l| l.feature == honest).expect("scored");
        assert!(!l.flagged, "{l:?}");
        assert!(!flags(&r, honest).contains(&ColumnFlag::Leakage));
    }
    let weak = r.leakage.iter().find(|l| l.feature == "weak").expect("scored");
    assert!(weak.score > 0.6 && weak.score < 0.9, "{weak:?}");
    let noise = r.leakage.iter().find(|l| l.feature == "noise").expect("scored");
    assert!((noise.score - 0.5).abs() < 0.06, "{noise:?}");
    assert!(r.summary[0].contains("leak"), "leakage comes first in the summary: {:?}", r.summary);
}

#[test]
fn constant_identifier_and_collinear_columns() {
    let r = run(&frame(3000), &req("label", Some("yes"))).expect("report");
    assert!(flags(&r, "constant").contains(&ColumnFlag::Constant));
    assert!(!flags(&r, "noise").contains(&ColumnFlag::Constant));
    // A different integer in every row is a key, whatever its name.
    assert!(flags(&r, "row_id").contains(&ColumnFlag::Identifier));
    assert!(!flags(&r, "noise").contains(&ColumnFlag::Identifier), "unique floats are measurements, not keys");
    assert!(!flags(&r, "city").contains(&ColumnFlag::Identifier));
    // a_plus_b = a + b exactly: one of the three has an infinite VIF, and all three are flagged.
    let vif = &r.correlations.vif;
    assert!(vif.iter().any(|v| v.vif.is_none()), "{vif:?}");
    for c in ["a", "b", "a_plus_b"] {
        assert!(vif.iter().find(|v| v.column == c).is_some_and(|v| v.flagged), "{c}: {vif:?}");
    }
    let noise = vif.iter().find(|v| v.column == "noise").expect("noise has a VIF");
    assert!(!noise.flagged && noise.vif.is_some_and(|x| x < 1.1), "{noise:?}");
    assert!(flags(&r, "a_plus_b").contains(&ColumnFlag::Collinear));
    assert!(!r.correlations.columns.contains(&"constant".to_string()));
    // The constant and the key stay out of the quick model, which finds the leak.
    let m = r.quick_model.as_ref().expect("quick model");
    assert!(!m.features.contains(&"constant".to_string()) && !m.features.contains(&"row_id".to_string()));
    assert!(m.score > 0.99, "{}", m.score);
    assert_eq!(m.importances[0].feature, "leak");
}

#[test]
fn a_numeric_target_leaks_by_r2() {
    let n = 2000;
    let mut rng = Rng(11);
    let x: Vec<f64> = (0..n).map(|_| rng.next() * 100.0).collect();
    let y: Vec<f64> = x.iter().map(|v| v * 3.0 + rng.next()).collect();
    let other: Vec<f64> = (0..n).map(|_| rng.next()).collect();
    let df = df!("price" => y, "price_x3" => x, "other" => other).expect("frame");
    let r = run(&df, &req("price", None)).expect("report");
    assert_eq!(r.target.task, Task::Regression);
    let l = r.leakage.iter().find(|l| l.feature == "price_x3").expect("scored");
    assert_eq!(l.metric, "r2");
    assert!(l.flagged && l.score > 0.99, "{l:?}");
    let o = r.leakage.iter().find(|l| l.feature == "other").expect("scored");
    assert!(!o.flagged && o.score < 0.05, "{o:?}");
}
