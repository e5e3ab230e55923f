//! Per-row explanations: exact TreeSHAP contributions that sum to each row's margin.

use cairn_ml::{Model, Silent, train};
use cairn_types::ModelKind;
use polars::prelude::*;

use crate::{adult, spec, with};

fn col(df: &DataFrame, name: &str) -> Vec<f64> {
    df.column(name).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().into_no_null_iter().collect()
}

#[test]
fn contributions_sum_to_the_margin_of_each_row() {
    let frame = adult(2000);
    for (target, params) in [("class", vec![("iterations", "60")]), ("hours-per-week", vec![("iterations", "40")])] {
        let t = train(&frame, &with(spec(target, ModelKind::Gbm), &params), &Silent).unwrap();
        let head = frame.head(Some(200));
        let c = t.model.contributions(&head).unwrap();
        let features = t.model.features();
        assert_eq!(c.width(), features.len() + 2);
        let margin = col(&c, "margin");
        let bias = col(&c, "contrib_bias");
        assert!(bias.iter().all(|b| (b - bias[0]).abs() < 1e-9), "the bias is the expected margin, the same for every row");
        for r in 0..c.height() {
            let sum: f64 = features.iter().map(|f| col(&c, &format!("contrib_{f}"))[r]).sum::<f64>() + bias[r];
            assert!((sum - margin[r]).abs() < 1e-6, "{target} row {r}: {sum} != {}", margin[r]);
        }
        // The margin is what the model predicts: the value, or the log-odds of the second class.
        let p = t.model.predict(&head).unwrap();
        let predicted = match target {
            "class" => col(&p, &format!("proba_{}", t.model.classes()[1])).iter().map(|q| (q / (1.0 - q)).ln()).collect::<Vec<_>>(),
            _ => col(&p, "prediction"),
        };
        for (m, q) in margin.iter().zip(&predicted) {
            assert!((m - q).abs() < 1e-6, "{target}: margin {m} vs prediction {q}");
        }
        // Contributions vary across rows: they explain, they are not a constant split.
        let top = format!("contrib_{}", features[0]);
        let v = col(&c, &top);
        assert!(v.iter().any(|x| (x - v[0]).abs() > 1e-9), "{top} is constant");
    }
}

#[test]
fn models_without_exact_contributions_are_refused_with_what_to_explain_instead() {
    let frame = adult(600);
    let l = train(&frame, &spec("class", ModelKind::Logistic), &Silent).unwrap().model;
    let e = l.contributions(&frame).unwrap_err();
    assert!(e.to_string().contains("this model is logistic"), "{e}");
    assert!(e.hint().unwrap().contains("gbm"), "{e:?}");
    let g = train(&frame, &with(spec("class", ModelKind::Gbm), &[("iterations", "10")]), &Silent).unwrap().model;
    let blend = Model::blend(vec![(g, 1.0), (l, 1.0)]).unwrap();
    let e = blend.contributions(&frame).unwrap_err();
    assert!(e.to_string().contains("gbm + logistic"), "{e}");
}
