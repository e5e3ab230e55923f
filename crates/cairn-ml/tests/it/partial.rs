//! Partial dependence: the mean prediction with one feature set to each grid point, on a seeded sample.

use cairn_ml::{Model, PD_MAX_ROWS, Silent, train};
use cairn_types::{ModelKind, PdKind};
use polars::prelude::*;

use crate::{frame, spec, with};

/// A deterministic stream in [0, 1).
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// y rises with x; z is noise; level a/b/c adds 0/10/20 (a is the most frequent, c the least).
fn table(n: usize) -> DataFrame {
    let u = noise(n, 1);
    let z = noise(n, 2);
    let e = noise(n, 3);
    let x: Vec<f64> = u.iter().map(|v| (v * 100.0).round()).collect();
    let level: Vec<&str> = (0..n).map(|i| ["a", "a", "a", "b", "b", "c"][i % 6]).collect();
    let y: Vec<f64> = (0..n).map(|i| 0.5 * x[i] + [0.0, 10.0, 20.0][(level[i].as_bytes()[0] - b'a') as usize] + 2.0 * e[i]).collect();
    let w: Vec<Option<f64>> = (0..n).map(|i| if i % 7 == 0 { None } else { Some((i % 3 + 1) as f64) }).collect();
    frame(vec![
        Column::new("x".into(), x),
        Column::new("z".into(), z),
        Column::new("level".into(), level),
        Column::new("w".into(), w),
        Column::new("y".into(), y),
    ])
}

fn fit(df: &DataFrame, target: &str, kind: ModelKind, params: &[(&str, &str)]) -> Model {
    train(df, &with(spec(target, kind), params), &Silent).unwrap().model
}

#[test]
fn the_curve_rises_with_a_feature_the_target_rises_with() {
    let df = table(1200);
    let m = fit(&df, "y", ModelKind::Gbm, &[("iterations", "80")]);
    let pd = m.partial_dependence(&df, "x", 7).unwrap();
    assert_eq!(pd.kind, PdKind::Numeric);
    assert_eq!(pd.rows as usize, PD_MAX_ROWS, "a sample of at most {PD_MAX_ROWS} rows");
    assert_eq!(pd.grid.len(), 20);
    assert!(pd.grid.windows(2).all(|w| w[0] < w[1]), "distinct and ascending: {:?}", pd.grid);
    assert_eq!(pd.labels.len(), 20);
    assert_eq!(pd.lines.len(), 1);
    assert_eq!(pd.lines[0].label, "y");
    let v = &pd.lines[0].values;
    assert!(v[19] - v[0] > 30.0, "about 0.5 per unit of x over ~95 units: {v:?}");
    let rising = v.windows(2).filter(|w| w[1] >= w[0] - 0.5).count();
    assert!(rising >= 17, "{v:?}");
    // The noise feature moves the prediction much less.
    let flat = m.partial_dependence(&df, "z", 7).unwrap();
    let f = &flat.lines[0].values;
    let spread = f.iter().cloned().fold(f64::MIN, f64::max) - f.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread < 5.0, "{f:?}");
}

#[test]
fn levels_are_the_most_frequent_first_and_move_the_prediction_apart() {
    let df = table(1200);
    let m = fit(&df, "y", ModelKind::Gbm, &[("iterations", "80")]);
    let pd = m.partial_dependence(&df, "level", 7).unwrap();
    assert_eq!(pd.kind, PdKind::Categorical);
    assert!(pd.grid.is_empty());
    assert_eq!(pd.labels, ["a", "b", "c"]);
    let v = &pd.lines[0].values;
    assert!(v[1] - v[0] > 6.0 && v[2] - v[1] > 6.0, "a + 0, b + 10, c + 20: {v:?}");
}

#[test]
fn a_feature_with_three_values_has_three_points_and_missing_is_not_one() {
    let df = table(300);
    let m = fit(&df, "y", ModelKind::Linear, &[]);
    let pd = m.partial_dependence(&df, "w", 1).unwrap();
    assert_eq!(pd.grid, [1.0, 2.0, 3.0]);
    assert_eq!(pd.labels, ["1", "2", "3"]);
    assert_eq!(pd.rows, 300);
    let e = m.partial_dependence(&df, "nope", 1).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
}

fn mean(df: &DataFrame, col: &str) -> f64 {
    df.column(col).unwrap().f64().unwrap().mean().unwrap()
}

/// Each point is the mean of the model's own predictions of every row with the feature set to it.
#[test]
fn each_point_is_the_mean_prediction_with_the_feature_set_to_it() {
    let df = table(200);
    let n = df.height();
    let class: Vec<&str> = (0..n).map(|i| if noise(n, 9)[i] < 0.3 { "yes" } else { "no" }).collect();
    let three: Vec<&str> = (0..n).map(|i| ["p", "q", "r"][(noise(n, 5)[i] * 3.0) as usize]).collect();
    let df = df.hstack(&[Column::new("c".into(), class), Column::new("k".into(), three)]).unwrap();
    let cases: [(&str, ModelKind, &[&str]); 3] =
        [("y", ModelKind::Linear, &["k", "c"]), ("c", ModelKind::Logistic, &["y", "k"]), ("k", ModelKind::RandomForest, &["y", "c"])];
    for (target, kind, drop) in cases {
        let data = df.drop_many(drop.iter().copied());
        let m = fit(&data, target, kind, &[]);
        for feature in ["x", "level"] {
            let pd = m.partial_dependence(&data, feature, 3).unwrap();
            assert_eq!(pd.rows as usize, n);
            for (g, label) in pd.labels.iter().enumerate() {
                let set = match pd.kind {
                    PdKind::Numeric => Column::new(feature.into(), vec![pd.grid[g]; n]),
                    PdKind::Categorical => Column::new(feature.into(), vec![label.as_str(); n]),
                };
                let mut changed = data.clone();
                changed.with_column(set).unwrap();
                let p = m.predict(&changed).unwrap();
                for line in &pd.lines {
                    let col = if target == "y" { "prediction".to_string() } else { format!("proba_{}", line.label) };
                    let want = mean(&p, &col);
                    assert!(
                        (line.values[g] - want).abs() < 1e-9,
                        "{target} {feature} {label} {}: {} vs {want}",
                        line.label,
                        line.values[g]
                    );
                }
            }
            match target {
                "y" => assert_eq!(pd.lines.len(), 1),
                "c" => assert_eq!(
                    pd.lines.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(),
                    ["yes"],
                    "binary: the positive (minority) class"
                ),
                _ => {
                    assert_eq!(pd.lines.len(), 3, "multiclass: one line per class");
                    for g in 0..pd.labels.len() {
                        let total: f64 = pd.lines.iter().map(|l| l.values[g]).sum();
                        assert!((total - 1.0).abs() < 1e-9, "{total}");
                    }
                }
            }
        }
    }
}
