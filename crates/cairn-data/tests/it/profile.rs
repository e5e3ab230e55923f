use cairn_data::{profile::profile, read_file};
use cairn_types::{DType, ImportOptions};

use crate::{Quiet, shared};

#[test]
fn adult_age_profile_matches_known_statistics() {
    let got = read_file(&shared("adult.csv"), &ImportOptions::default(), &Quiet).unwrap();
    let p = profile(&got.frame, "ds", "v", &Quiet).unwrap();
    let age = p.columns.iter().find(|c| c.name == "age").unwrap();
    assert_eq!(age.dtype, DType::Int);
    assert_eq!(age.count, 32_561);
    assert_eq!(age.missing, 0);
    assert_eq!(age.distinct, 73);
    let n = age.numeric.as_ref().unwrap();
    assert_eq!((n.min, n.max), (17.0, 90.0));
    assert!((n.mean - 38.5816).abs() < 1e-3, "mean {}", n.mean);
    assert!((n.std - 13.6404).abs() < 1e-3, "std {}", n.std);
    assert_eq!(n.median, 37.0);
    let h = age.histogram.as_ref().unwrap();
    assert_eq!(h.counts.iter().sum::<u64>(), 32_561);
    assert_eq!(h.edges.len(), h.counts.len() + 1);
    // Whole-number bins: 17..=90 is 74 ages, three per bin, edges halfway between ages.
    assert_eq!((h.edges[0], h.edges[1], h.counts.len()), (16.5, 19.5, 25));

    let class = p.columns.iter().find(|c| c.name == "class").unwrap();
    assert_eq!(class.distinct, 2);
    assert_eq!(class.top[0].value, "<=50K");
    assert_eq!(class.top[0].count, 24_720);
    assert_eq!(p.duplicate_rows, 24);
}

#[test]
fn demo_table_is_deterministic_and_profiles() {
    let a = cairn_data::demo::readmissions(2_000, 7).unwrap();
    let b = cairn_data::demo::readmissions(2_000, 7).unwrap();
    assert!(a.equals_missing(&b));
    let p = profile(&a, "demo", "v", &Quiet).unwrap();
    let date = p.columns.iter().find(|c| c.name == "admit_date").unwrap();
    assert_eq!(date.dtype, DType::Date);
    assert!(date.min_label.as_deref().unwrap().starts_with("2022-01"));
    let hba1c = p.columns.iter().find(|c| c.name == "hba1c_pct").unwrap();
    assert!(hba1c.missing_pct > 50.0, "{}", hba1c.missing_pct);
    let target = p.columns.iter().find(|c| c.name == "readmitted_30d").unwrap();
    assert_eq!(target.dtype, DType::Bool);
    let positive = target.top.iter().find(|t| t.value == "true").unwrap().count as f64 / 2000.0;
    assert!((0.05..0.3).contains(&positive), "positive rate {positive}");
}
