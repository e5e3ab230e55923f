//! Model Monitor with real parts: a project made through the studio, a reference table imported as a dataset
//! (a number with blanks, a category, an integer, a second category, an age), its baseline written to the
//! project, and a drifted copy (the number shifted, a new category, `age` gone, `coupon` added) checked as
//! a file through the API and through the `cairn` binary. A baseline from a newer Cairn is refused.

use std::fmt::Write as _;
use std::path::Path;

use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{ErrorCode, ImportRequest, MonitorData, MonitorReport};

use crate::training::cairn_bin;

const PLANS: [&str; 3] = ["basic", "plus", "pro"];
const REGIONS: [&str; 4] = ["north", "south", "east", "west"];

/// 600 rows. `drifted`: `amount` + 100, every 5th `plan` "enterprise", no `age`, an extra `coupon`;
/// `visits` and `region` hold exactly the reference's values, so they cannot drift.
fn table(path: &Path, drifted: bool) {
    let mut s = String::from(if drifted { "amount,plan,visits,region,coupon\n" } else { "amount,plan,visits,region,age\n" });
    for i in 0..600usize {
        let amount = 10.0 + ((i * 37) % 200) as f64 * 0.25 + if drifted { 100.0 } else { 0.0 };
        let amount = if i % 13 == 4 { String::new() } else { format!("{amount}") };
        let plan = if drifted && i % 5 == 0 { "enterprise" } else { PLANS[i % 3] };
        let visits = (i * 7) % 40;
        let region = REGIONS[(i * 5) % 4];
        let last = if drifted { if i % 2 == 0 { "yes".to_string() } else { "no".to_string() } } else { (20 + i % 50).to_string() };
        let _ = writeln!(s, "{amount},{plan},{visits},{region},{last}");
    }
    std::fs::write(path, s).unwrap();
}

fn project(dir: &Path) -> (Studio, String) {
    table(&dir.join("reference.csv"), false);
    table(&dir.join("drifted.csv"), true);
    let studio = Studio::new(&dir.join("cfg"), system_clock());
    let info = studio.create_project(&dir.join("p").to_string_lossy(), None).unwrap();
    let obs = ImportObserver { task: None, on_progress: None };
    let req = ImportRequest { path: dir.join("reference.csv").to_string_lossy().into_owned(), options: Default::default() };
    studio.import_now(&info.id, &req, &obs).unwrap();
    (studio, info.id)
}

fn column<'a>(r: &'a MonitorReport, name: &str) -> &'a cairn_types::ColumnDriftInfo {
    r.columns.iter().find(|c| c.column == name).unwrap_or_else(|| panic!("no column {name} in {r:?}"))
}

fn checks(r: &MonitorReport, check: &str) -> Vec<String> {
    r.violations.iter().filter(|v| v.constraint_check_type == check).map(|v| v.feature_name.clone()).collect()
}

#[test]
fn a_baseline_and_a_drifted_file() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid) = project(dir.path());

    let b = studio.monitor_baseline(&pid, "reference").unwrap();
    assert_eq!((b.dataset.as_str(), b.rows, b.columns.len()), ("reference", 600, 5), "{b:?}");
    assert!(b.name.starts_with("reference-") && b.name.len() == "reference-".len() + 8, "{}", b.name);
    assert!(!b.constraints_kept);
    let folder = Path::new(&b.path);
    assert_eq!(folder, dir.path().join("p/monitoring/baselines").join(&b.name));
    let json = |p: &Path| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let stats = json(&folder.join("statistics.json"));
    assert_eq!(stats["dataset"]["item_count"], 600);
    let amount = stats["features"].as_array().unwrap().iter().find(|f| f["name"] == "amount").unwrap();
    assert_eq!(amount["inferred_type"], "Fractional");
    assert_eq!(amount["numerical_statistics"]["common"]["num_missing"], 46, "{amount}"); // i % 13 == 4 below 600
    let constraints = json(&folder.join("constraints.json"));
    let plan = constraints["features"].as_array().unwrap().iter().find(|f| f["name"] == "plan").unwrap();
    assert_eq!(plan["string_constraints"]["domains"], serde_json::json!(["basic", "plus", "pro"]));
    assert!(folder.join("cairn_baseline.json").is_file() && folder.join("reference.parquet").is_file());

    // Made again for the same version: a constraints.json already there (here edited by hand) is kept.
    let edited = std::fs::read_to_string(folder.join("constraints.json")).unwrap().replace("\"pro\"", "\"pro\", \"enterprise\"");
    std::fs::write(folder.join("constraints.json"), &edited).unwrap();
    let again = studio.monitor_baseline(&pid, "reference").unwrap();
    assert!(again.constraints_kept && again.name == b.name);
    assert_eq!(std::fs::read_to_string(folder.join("constraints.json")).unwrap(), edited);
    let with_enterprise =
        studio.monitor_run(&pid, &b.name, MonitorData::File(dir.path().join("drifted.csv").to_string_lossy().into())).unwrap();
    assert!(checks(&with_enterprise, "categorical_values_check").is_empty(), "{:?}", with_enterprise.violations);
    std::fs::remove_file(folder.join("constraints.json")).unwrap();
    assert!(!studio.monitor_baseline(&pid, "reference").unwrap().constraints_kept);

    let r = studio.monitor_run(&pid, &b.name, MonitorData::File(dir.path().join("drifted.csv").to_string_lossy().into())).unwrap();
    assert_eq!(r.rows, 600);
    let amount = column(&r, "amount");
    assert_eq!((amount.kind.as_deref(), amount.test.as_deref()), (Some("numerical"), Some("ks")), "{amount:?}");
    assert!(amount.drifted && amount.score.unwrap() < 1e-6, "{amount:?}");
    for same in ["visits", "region"] {
        let c = column(&r, same);
        assert!(!c.drifted && c.score.is_some() && c.error.is_none(), "{c:?}");
    }
    assert_eq!(column(&r, "region").test.as_deref(), Some("chisquare"));
    assert!(column(&r, "age").error.as_deref().unwrap().contains("missing"), "{r:?}");
    assert!(column(&r, "coupon").error.as_deref().unwrap().contains("not in the reference"), "{r:?}");
    assert_eq!(r.tested_columns, 4);
    assert_eq!(checks(&r, "missing_column_check"), ["age"]);
    assert_eq!(checks(&r, "extra_column_check"), ["coupon"]);
    assert_eq!(checks(&r, "categorical_values_check"), ["plan"]);
    assert!(checks(&r, "baseline_drift_check").contains(&"amount".to_string()), "{:?}", r.violations);
    assert!(!checks(&r, "baseline_drift_check").contains(&"visits".to_string()), "{:?}", r.violations);
    let enterprise = r.violations.iter().find(|v| v.constraint_check_type == "categorical_values_check").unwrap();
    assert!(enterprise.description.contains("'enterprise' (120)"), "{}", enterprise.description);
    // The run's folder holds SageMaker's file and the drift report, as returned.
    let run = Path::new(&r.path);
    assert!(run.starts_with(dir.path().join("p/monitoring/runs")), "{}", r.path);
    let violations = json(&run.join("constraint_violations.json"));
    assert_eq!(violations["violations"].as_array().unwrap().len(), r.violations.len());
    assert_eq!(json(&run.join("drift.json"))["drifted_columns"], r.drifted_columns);
    let stored: MonitorReport = serde_json::from_value(json(&run.join("run.json"))).unwrap();
    assert_eq!(stored, r);

    // The reference against its own baseline: nothing drifts, nothing is violated.
    let same = studio.monitor_run(&pid, &b.name, MonitorData::Dataset("reference".into())).unwrap();
    assert_eq!((same.drifted_columns, same.tested_columns, same.dataset_drift), (0, 5, false), "{same:?}");
    assert!(same.violations.is_empty(), "{:?}", same.violations);
    assert_ne!(same.path, r.path);

    // A baseline written by a newer Cairn is refused, naming the folder and what to do.
    let newer = dir.path().join("newer");
    std::fs::create_dir(&newer).unwrap();
    for f in ["statistics.json", "constraints.json", "cairn_baseline.json", "reference.parquet"] {
        std::fs::copy(folder.join(f), newer.join(f)).unwrap();
    }
    let header = std::fs::read_to_string(newer.join("cairn_baseline.json")).unwrap();
    assert!(header.contains("\"format_version\": 1"), "{header}");
    std::fs::write(newer.join("cairn_baseline.json"), header.replace("\"format_version\": 1", "\"format_version\": 99")).unwrap();
    let e = studio.monitor_run(&pid, &newer.to_string_lossy(), MonitorData::Dataset("reference".into())).unwrap_err();
    assert_eq!(e.code, ErrorCode::SchemaTooNew, "{e:?}");
    assert!(e.message.contains("newer Cairn") && e.message.contains("newer"), "{e:?}");
    assert!(e.hint.as_deref().unwrap_or_default().contains("cairn monitor baseline"), "{e:?}");

    // Unknown baselines and data are errors that say what exists.
    let e = studio.monitor_run(&pid, "nope", MonitorData::Dataset("reference".into())).unwrap_err();
    assert_eq!(e.code, ErrorCode::FileNotFound);
    assert!(e.hint.as_deref().unwrap_or_default().contains(&b.name), "{e:?}");
    let e = studio.monitor_run(&pid, &b.name, MonitorData::Dataset("nope".into())).unwrap_err();
    assert_eq!(e.code, ErrorCode::DatasetNotFound, "{e:?}");
    let e = studio.monitor_run(&pid, &b.name, MonitorData::File("missing.csv".into())).unwrap_err();
    assert_eq!(e.code, ErrorCode::FileNotFound, "{e:?}");
}

#[test]
fn the_cli_checks_a_file_and_exits_zero_with_drift() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, _) = project(dir.path());
    drop(studio);
    let p = dir.path().join("p");
    let cairn = |args: &[&str]| {
        std::process::Command::new(cairn_bin()).args(args).env("CAIRN_CONFIG_DIR", dir.path().join("cli-cfg")).output().unwrap()
    };
    let out = cairn(&["monitor", "baseline", &p.to_string_lossy(), "reference"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let name = stdout.split_whitespace().nth(1).unwrap().to_string();
    assert!(name.starts_with("reference-"), "{stdout}");

    let drifted = dir.path().join("drifted.csv");
    let out = cairn(&["monitor", "run", &p.to_string_lossy(), "--baseline", &name, "--file", &drifted.to_string_lossy(), "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let r: MonitorReport = serde_json::from_str(&stdout).unwrap();
    assert!(r.dataset_drift && column(&r, "amount").drifted && !column(&r, "visits").drifted, "{r:?}");
    assert_eq!(checks(&r, "missing_column_check"), ["age"]);

    // The table for people names the drifted column and the violations.
    let out = cairn(&["monitor", "run", &p.to_string_lossy(), "--baseline", &name, "--file", &drifted.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("amount") && stdout.contains("extra_column_check") && stdout.contains("coupon"), "{stdout}");

    // Errors exit non-zero with the message on stderr.
    let out = cairn(&["monitor", "run", &p.to_string_lossy(), "--baseline", "nope", "--data", "reference"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("baseline `nope` does not exist"), "{}", String::from_utf8_lossy(&out.stderr));
}
