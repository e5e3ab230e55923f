//! The lazy (column at a time) path over a real Parquet file gives what the in-memory path gives, in column order,
//! and a column that cannot be read is named.

use cairn_monitor::drift::{drift, drift_lazy, summarize_lazy};
use cairn_monitor::summary::summarize;
use cairn_monitor::{DriftOptions, MonitorError};
use polars::prelude::*;

/// Twelve columns (more than the readers in flight, so they take turns), numbers, integers, text, with blanks.
fn table(n: usize, shift: f64) -> DataFrame {
    let mut columns = Vec::new();
    for i in 0..4 {
        let v: Vec<Option<f64>> = (0..n).map(|r| (r % 97 != 0).then(|| ((r * (i + 7)) % 1013) as f64 / 10.0 + shift * i as f64)).collect();
        columns.push(Column::new(format!("num_{i}").into(), v));
    }
    for i in 0..4 {
        columns.push(Column::new(format!("int_{i}").into(), (0..n).map(|r| ((r + i) % (3 + 4 * i)) as i64).collect::<Vec<_>>()));
    }
    for i in 0..4 {
        let k = if shift > 0.0 { 5 + i } else { 4 + i };
        columns.push(Column::new(format!("cat_{i}").into(), (0..n).map(|r| format!("c{}", (r * 31 + i) % k)).collect::<Vec<_>>()));
    }
    DataFrame::new(n, columns).unwrap()
}

fn parquet(name: &str, frame: &mut DataFrame) -> (std::path::PathBuf, LazyFrame) {
    let dir = std::env::temp_dir().join(format!("cairn-monitor-lazy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).with_row_group_size(Some(1000)).finish(frame).unwrap();
    let lf = LazyFrame::scan_parquet(PlRefPath::new(path.to_str().unwrap()), Default::default()).unwrap();
    (path, lf)
}

#[test]
fn lazy_drift_and_summaries_equal_the_in_memory_ones() {
    let (mut r, mut c) = (table(6000, 0.0), table(4500, 1.5));
    let (rp, rl) = parquet("ref.parquet", &mut r);
    let (cp, cl) = parquet("cur.parquet", &mut c);
    let options = DriftOptions::default();
    let lazy = drift_lazy(rl.clone(), cl, &options).unwrap();
    let eager = drift(&r, &c, &options).unwrap();
    assert_eq!(lazy, eager);
    assert!(lazy.drifted_columns > 0 && lazy.drifted_columns < lazy.tested_columns, "{lazy:?}");

    let names: Vec<String> = r.get_column_names().iter().rev().map(|n| n.to_string()).collect();
    let lazy = summarize_lazy(&rl, &names).unwrap();
    let eager = summarize(&r).unwrap();
    assert_eq!(lazy.iter().map(|s| s.name.clone()).collect::<Vec<_>>(), names);
    for s in &lazy {
        assert_eq!(Some(s), eager.iter().find(|e| e.name == s.name));
    }

    let mut bad = names.clone();
    bad.insert(5, "no_such_column".into());
    match summarize_lazy(&rl, &bad) {
        Err(MonitorError::Data { column, .. }) => assert_eq!(column, "no_such_column"),
        other => panic!("expected an error naming the column, got {other:?}"),
    }
    for p in [rp, cp] {
        std::fs::remove_file(p).unwrap();
    }
}

#[test]
fn lazy_drift_names_columns_on_one_side_only() {
    let mut r = table(3000, 0.0).drop("cat_0").unwrap();
    let mut c = table(3000, 0.0).drop("num_1").unwrap();
    let (rp, rl) = parquet("ref-cols.parquet", &mut r);
    let (cp, cl) = parquet("cur-cols.parquet", &mut c);
    let rep = drift_lazy(rl, cl, &DriftOptions::default()).unwrap();
    let error = |name: &str| rep.columns.iter().find(|c| c.column == name).and_then(|c| c.error.clone()).unwrap();
    assert!(error("cat_0").contains("'cat_0' is not in the reference"));
    assert!(error("num_1").contains("'num_1' is missing from the current data"));
    assert_eq!(rep.tested_columns, 10);
    for p in [rp, cp] {
        std::fs::remove_file(p).unwrap();
    }
}
