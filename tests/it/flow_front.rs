//! The flow in front of a model, with real parts: a table none of the other tests use (blank numbers,
//! a date, a text id, a label missing on some rows), a flow that splits, drops unlabelled rows, fills,
//! encodes and derives, run into a dataset; a GBM trained on it by the `cairn` worker, registered and
//! deployed. Raw rows (shaped as the flow's source, no label) go to `cairn predict`, the endpoint (CSV
//! and JSON records) and a batch transform, and all three answer the same bits. A flow that fills from
//! the row above cannot stand in front of a model: its card says why, and the model takes dataset rows.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_api::batch::{BatchOptions, batch_predict};
use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{
    ApprovalStatus, BatchFormat, CreateFlow, DeployEndpoint, ErrorCode, FlowRunRequest, ImportRequest, InvokeEndpoint, ModelKind,
    RegisterModel, TaskState, TrainSpec, VariantSpec,
};
use serde_json::json;

use crate::training::cairn_bin;

const PLANS: [&str; 4] = ["basic", "plus", "pro", "team"];

/// Members of a gym: `member` an id the flow drops, `joined` a date, `visits` with blanks, `plan` a
/// category, `fee` a number; `churned` yes/no depends on them, and is blank on every 17th row.
fn members_csv(path: &Path, rows: usize, with_label: bool) {
    let mut s = String::from(if with_label { "member,joined,visits,plan,fee,churned\n" } else { "member,joined,visits,plan,fee\n" });
    for i in 0..rows {
        let visits = if i % 11 == 3 { String::new() } else { ((i * 7) % 40).to_string() };
        let plan = PLANS[(i * 5) % 4];
        let fee = 20.0 + ((i * 13) % 50) as f64 * 1.5;
        let month = 1 + (i % 12);
        let churn = ((i * 7) % 40) < 12 || (plan == "basic" && fee > 60.0);
        let label = if i % 17 == 5 {
            ""
        } else if churn {
            "yes"
        } else {
            "no"
        };
        write!(s, "M{i:05},2024-{month:02}-{:02},{visits},{plan},{fee}", 1 + i % 28).unwrap();
        if with_label {
            write!(s, ",{label}").unwrap();
        }
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

fn step(op: &str, params: serde_json::Value) -> serde_json::Value {
    json!({"op": op, "version": 1, "params": params, "fitted": null, "enabled": true})
}

fn run_flow(studio: &Arc<Studio>, pid: &str, name: &str, steps: Vec<serde_json::Value>, dataset: &str) {
    let mut flow = studio.create_flow(pid, &CreateFlow { name: name.into(), dataset: "members".into() }).unwrap();
    flow.steps = steps.into_iter().map(|s| serde_json::from_value(s).unwrap()).collect();
    studio.save_flow(pid, name, &flow).unwrap();
    let task = studio.start_flow_run(pid, name, FlowRunRequest { dataset_name: Some(dataset.into()), csv: None }).unwrap();
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        let info = studio.tasks().handle(&task.task_id).unwrap().info();
        if !matches!(info.state, TaskState::Running) {
            assert_eq!(info.state, TaskState::Succeeded, "{info:?}");
            return;
        }
        assert!(Instant::now() < end, "the flow did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn train(studio: &Studio, pid: &str, dataset: &str) -> String {
    let spec = TrainSpec {
        dataset: dataset.into(),
        target: "churned".into(),
        task: None,
        model: ModelKind::Gbm,
        params: Default::default(),
        features: None,
        validation: Default::default(),
        seed: 3,
        experiment: None,
        run_name: None,
        positive_class: Some("yes".into()),
    };
    crate::registry::train_and_wait(studio, pid, spec)
}

fn bits(values: impl Iterator<Item = Option<f64>>) -> Vec<u64> {
    values.map(|v| v.unwrap().to_bits()).collect()
}

#[test]
fn raw_rows_pass_the_flow_the_same_way_in_predict_endpoint_and_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = Arc::new(Studio::new(&dir.join("cfg"), system_clock()).with_worker(cairn_bin()));
    let pid = s.create_project(&dir.join("p").to_string_lossy(), None).unwrap().id;
    let csv = dir.join("members.csv");
    members_csv(&csv, 900, true);
    let req = ImportRequest { path: csv.to_string_lossy().into_owned(), options: Default::default() };
    s.import_now(&pid, &req, &ImportObserver { task: None, on_progress: None }).unwrap();
    run_flow(
        &s,
        &pid,
        "prep",
        vec![
            step("drop_missing", json!({"columns": ["churned"]})),
            step("fill_missing", json!({"columns": ["visits"], "strategy": "median"})),
            step("date_parts", json!({"column": "joined", "parts": ["month"]})),
            step("one_hot", json!({"column": "plan"})),
            step("formula", json!({"name": "fee_per_visit", "expr": "fee / (visits + 1)"})),
            step("drop", json!({"columns": ["member", "joined"]})),
            step("split", json!({"kind": "random", "test_fraction": 0.2, "seed": 7})),
        ],
        "members prepared",
    );
    let run = train(&s, &pid, "members prepared");
    let reg = RegisterModel { run_id: run.clone(), model: "churn".into(), description: None, intended_use: None, actor: None };
    s.register_model(&pid, &reg).unwrap();

    // The card says what a request sends: the source's columns, the id and the label optional.
    let card = s.model_card(&pid, "churn", 1).unwrap();
    let input = &card.input;
    assert_eq!(input.flow.as_deref(), Some("prep"), "{input:?}");
    let cols: Vec<(&str, bool)> = input.columns.iter().map(|c| (c.name.as_str(), c.required)).collect();
    assert_eq!(
        cols,
        [("member", false), ("joined", true), ("visits", true), ("plan", true), ("fee", true), ("churned", false)],
        "{input:?}"
    );
    assert_eq!(input.skipped_steps, ["step 1 (split)", "step 2 (drop_missing)"], "{input:?}");
    assert_eq!(input.example.len(), 6);
    assert_eq!(input.example[5], None, "the label is left out of the example");

    // Raw rows, as a client holds them: no label, a blank visit count, a plan never seen.
    let rows = "member,joined,visits,plan,fee\nX1,2024-03-09,,pro,35.5\nX2,2024-11-30,12,gold,80\nX3,2024-06-01,3,basic,70\n";
    let file = dir.join("new.csv");
    std::fs::write(&file, rows).unwrap();
    let df = s.predict(&pid, &run, &file).unwrap();
    assert_eq!(df.column("member").unwrap().str().unwrap().get(1), Some("X2"), "the rows come back as given");
    let expected = bits(df.column("proba_yes").unwrap().f64().unwrap().iter());
    assert_eq!(expected.len(), 3);

    // The endpoint: the same bits, from CSV and from JSON records (columns in another order).
    s.set_approval(&pid, "churn", 1, ApprovalStatus::Approved, Some("ana"), Some("ok")).unwrap();
    let deploy = DeployEndpoint {
        name: "churn-ep".into(),
        variants: vec![VariantSpec { model: "churn@1".into(), weight: 1.0, name: None }],
        capture: None,
        port: None,
    };
    s.deploy_endpoint(&pid, &deploy).unwrap();
    let invoke =
        |content_type: &str, body: String| s.invoke_endpoint(&pid, "churn-ep", &InvokeEndpoint { content_type: content_type.into(), body });
    let probas = |body: &str| -> Vec<u64> {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["predictions"].as_array().unwrap().iter().map(|p| p["proba_yes"].as_f64().unwrap().to_bits()).collect()
    };
    let r = invoke("text/csv", rows.into()).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(probas(&r.body), expected, "the endpoint answers what cairn predict does");
    let records = json!({"dataframe_records": [
        {"fee": 35.5, "plan": "pro", "visits": null, "joined": "2024-03-09"},
        {"fee": 80, "plan": "gold", "visits": 12, "joined": "2024-11-30"},
        {"fee": 70, "plan": "basic", "visits": 3, "joined": "2024-06-01"}
    ]});
    let r = invoke("application/json", records.to_string()).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(probas(&r.body), expected);

    // Bad rows, named: a required column missing, a value of the wrong type.
    let r = invoke("text/csv", "member,joined,plan,fee\nX1,2024-03-09,pro,35.5\n".into()).unwrap();
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("COLUMN_NOT_FOUND") && r.body.contains("'visits'") && r.body.contains("prep"), "{}", r.body);
    let r = invoke("text/csv", "joined,visits,plan,fee\n2024-03-09,4,pro,35.5\n2024-03-10,many,pro,35.5\n".into()).unwrap();
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("'visits'") && r.body.contains("row 2") && r.body.contains("'many'"), "{}", r.body);

    // A batch transform of a larger file of raw rows: the same values as cairn predict on it.
    let big = dir.join("big.csv");
    members_csv(&big, 400, false);
    let mut whole = s.predict(&pid, &run, &big).unwrap();
    let expected_big = cairn_api::csv_string(&mut whole).unwrap();
    let model = s.resolve_model(&pid, "churn@1").unwrap().model_path;
    let out = dir.join("out.csv");
    let opts = BatchOptions {
        out: out.clone(),
        format: BatchFormat::Csv,
        columns: vec!["*".into()],
        chunk_rows: 33,
        resume: false,
        model_label: "test".into(),
        threads: 2,
    };
    let r = batch_predict(&model, &big, &opts, &|_, _| {}, &|| false).unwrap();
    assert_eq!((r.rows, r.scored, r.failed), (400, 400, 0), "{r:?}");
    let got = std::fs::read_to_string(&out).unwrap();
    let diff = got.lines().zip(expected_big.lines()).find(|(a, b)| a != b);
    assert!(got == expected_big, "batch output differs from cairn predict: {diff:?}");
    // A bad value fails its row only.
    let text = std::fs::read_to_string(&big).unwrap().replacen(",pro,", ",pro,", 1);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[10] = "M99999,2024-02-30x,3,pro,40".into();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let r = batch_predict(&model, &bad, &BatchOptions { out: dir.join("bad_out.csv"), ..opts.clone() }, &|_, _| {}, &|| false).unwrap();
    assert_eq!((r.rows, r.scored, r.failed), (400, 399, 1), "{r:?}");
    assert_eq!(r.errors[0].row, 10);
    assert!(r.errors[0].reason.contains("'joined'"), "{}", r.errors[0].reason);
    s.delete_endpoint(&pid, "churn-ep").unwrap();

    // A flow that fills from the row above cannot prepare one request's rows: the card says so, and
    // the model takes rows shaped as its dataset.
    run_flow(
        &s,
        &pid,
        "ffill",
        vec![step("fill_forward", json!({"columns": ["visits"]})), step("drop", json!({"columns": ["member"]}))],
        "plans",
    );
    let small = train(&s, &pid, "plans");
    s.register_model(&pid, &RegisterModel { run_id: small, model: "plans".into(), description: None, intended_use: None, actor: None })
        .unwrap();
    let card = s.model_card(&pid, "plans", 1).unwrap();
    assert_eq!(card.input.flow, None);
    let note = card.input.note.clone().unwrap_or_default();
    assert!(note.contains("step 1") && note.contains("ffill"), "{note}");
    assert_eq!(card.input.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), card.features);
    let e = s.model_card(&pid, "nope", 1).unwrap_err();
    assert_eq!(e.code, ErrorCode::ModelNotFound);
}
