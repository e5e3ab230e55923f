//! Flows over HTTP with real files: a flow over an imported dataset is created, saved, previewed, charted,
//! run to a new dataset with lineage and exported; bad steps are named while the steps before them still
//! preview; hand-edited files this Cairn cannot run are refused and left as they are.

use serde_json::{Value, json};

use crate::Server;

const PEOPLE: &str = "id,name,age,city_id,code,score,group\n\
1,Ann,34,1,10,1.5,a\n2,Bob,?,2,11,2.5,b\n3,Cid,51,1,x12,3.0,a\n4,Dee,29,3,13,?,b\n5,Eve,?,2,14,4.25,a\n\
6,Fay,62,1,15,0.5,b\n7,Gus,45,3,16,2.0,a\n8,Hal,38,2,17,3.5,b\n9,Ivy,27,1,18,1.0,a\n10,Jon,?,3,19,2.75,b\n";
const CITIES: &str = "city_id,city\nc1,Paris\nc2,Lyon\nc3,Nice\n";

impl Server {
    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self.http.put(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.expect("PUT");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// A project with people.csv (`?` kept as text) and cities.csv imported; returns (pid, people, cities).
async fn setup(s: &Server) -> (String, Value, Value) {
    let pid = s.project("p").await;
    std::fs::write(s.path("people.csv"), PEOPLE).unwrap();
    std::fs::write(s.path("cities.csv"), CITIES).unwrap();
    let people = s.import(&pid, &s.path("people.csv"), json!({"name": "people", "null_values": [""], "overrides": []})).await;
    assert_eq!(people["type"], "succeeded", "{people}");
    let cities = s.import(&pid, &s.path("cities.csv"), json!({"name": "cities", "overrides": []})).await;
    assert_eq!(cities["type"], "succeeded", "{cities}");
    (pid, people["result"].clone(), cities["result"].clone())
}

fn step(op: &str, params: Value) -> Value {
    json!({"op": op, "version": 1, "params": params, "fitted": null, "enabled": true})
}

fn col<'a>(preview: &'a Value, name: &str) -> Option<&'a Value> {
    preview["columns"].as_array().unwrap().iter().find(|c| c["name"] == name)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flow_over_a_dataset_previews_runs_to_a_new_dataset_and_exports() {
    let s = Server::start().await;
    let (pid, people, _) = setup(&s).await;
    let (st, flow) = s.post(&format!("/api/projects/{pid}/flows"), json!({"name": "prep", "dataset": "people"})).await;
    assert_eq!(st, 200, "{flow}");
    assert_eq!(flow["sources"][0]["dataset"]["id"], people["id"]);
    assert_eq!(flow["sources"][0]["dataset"]["version"], people["version"]);
    // A second flow of the same name gets a free name; the first is untouched.
    let (_, again) = s.post(&format!("/api/projects/{pid}/flows"), json!({"name": "prep", "dataset": people["id"]})).await;
    assert_eq!(again["name"], "prep-2");

    let mut doc = flow.clone();
    doc["steps"] = json!([
        step("mark_missing", json!({"values": ["?"]})),
        step("cast", json!({"columns": ["age", "score"], "to": "float64"})),
        step("drop", json!({"columns": ["name"]})),
        step("fill_missing", json!({"columns": ["age"], "strategy": "median"})),
        step("derive", json!({"name": "senior", "when": {"column": "age", "op": "ge", "value": 50}})),
        step("split", json!({"kind": "stratified", "stratify": "group", "test_fraction": 0.2, "seed": 1})),
    ]);
    let (st, saved) = s.put(&format!("/api/projects/{pid}/flows/prep"), doc.clone()).await;
    assert_eq!(st, 200, "{saved}");
    let on_disk = std::fs::read_to_string(s.path("p/flows/prep.flow.json")).unwrap();
    assert!(on_disk.contains("\"mark_missing\""), "{on_disk}");
    // The split, added last, is saved as step 1: every later step learns from its train rows. The
    // previews below are of the flow as saved.
    assert_eq!(saved["steps"][0]["op"], "split", "{saved}");
    let doc = saved.clone();

    // The whole flow: new and changed columns, removed ones, rows and columns before → after.
    let (st, p) = s.post(&format!("/api/projects/{pid}/flow-preview"), json!({"flow": doc})).await;
    assert_eq!(st, 200, "{p}");
    assert!(p.get("failure").is_none(), "{p}");
    assert_eq!(p["upto"], 6);
    // The last step, the one whose change the preview shows, is the derived column.
    assert_eq!(col(&p, "senior").unwrap()["change"], "added");
    assert_eq!(col(&p, "age").unwrap()["change"], "same", "the derive step does not change age");
    assert_eq!((p["rows_before"].as_u64(), p["rows_after"].as_u64()), (Some(10), Some(10)));
    assert_eq!((p["columns_before"].as_u64(), p["columns_after"].as_u64()), (Some(7), Some(8)));
    assert_eq!(p["source_rows"], 10);
    assert_eq!(p["rows"].as_array().unwrap().len(), 10);
    // After step 2, `?` is missing: age and score changed; after step 4, name is removed.
    let (_, p1) = s.post(&format!("/api/projects/{pid}/flow-preview"), json!({"flow": doc, "upto": 2})).await;
    assert_eq!(col(&p1, "age").unwrap()["change"], "changed");
    assert_eq!(col(&p1, "age").unwrap()["missing"], 3);
    assert_eq!(col(&p1, "id").unwrap()["change"], "same");
    let (_, p3) = s.post(&format!("/api/projects/{pid}/flow-preview"), json!({"flow": doc, "upto": 4})).await;
    assert_eq!(p3["removed"], json!(["name"]));
    // A disabled step changes nothing.
    let mut off = doc.clone();
    off["steps"][3]["enabled"] = json!(false);
    let (_, poff) = s.post(&format!("/api/projects/{pid}/flow-preview"), json!({"flow": off})).await;
    assert!(col(&poff, "name").is_some());

    // Charts on the preview.
    let chart = |kind: &str, x: &str, y: Option<&str>| json!({"flow": doc, "kind": kind, "x": x, "y": y});
    let (st, h) = s.post(&format!("/api/projects/{pid}/flow-chart"), chart("histogram", "score", None)).await;
    assert_eq!(st, 200, "{h}");
    let total: u64 = h["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum();
    assert_eq!((total, h["missing"].as_u64().unwrap()), (9, 1));
    let (_, b) = s.post(&format!("/api/projects/{pid}/flow-chart"), chart("bar", "group", None)).await;
    assert_eq!(b["labels"], json!(["a", "b"]));
    assert_eq!(b["counts"], json!([5, 5]));
    let (_, bx) = s.post(&format!("/api/projects/{pid}/flow-chart"), chart("box", "age", Some("senior"))).await;
    assert_eq!(bx["boxes"].as_array().unwrap().len(), 2, "{bx}");
    let (_, sc) = s.post(&format!("/api/projects/{pid}/flow-chart"), chart("scatter", "age", Some("score"))).await;
    assert_eq!(sc["x"].as_array().unwrap().len(), 9);
    let (st, e) = s.post(&format!("/api/projects/{pid}/flow-chart"), chart("histogram", "group", None)).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("TYPE_MISMATCH")), "{e}");
    let (st, e) = s.post(&format!("/api/projects/{pid}/flow-chart"), chart("scatter", "age", None)).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("INVALID_INPUT")), "{e}");

    // Run: a task with progress, ending in a new dataset with lineage; a CSV too.
    let (st, t) = s.post(&format!("/api/projects/{pid}/flows/prep/run"), json!({"csv": "out/prep.csv"})).await;
    assert_eq!(st, 200, "{t}");
    let events = s.events(t["task_id"].as_str().unwrap()).await;
    // Consecutive progress events are merged for late readers: the last one says how far it came.
    assert!(
        events.iter().any(|e| e["type"] == "progress" && e["progress"]["total"] == 5 && e["progress"]["unit"] == "steps"),
        "{events:?}"
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "succeeded", "{last}");
    let r = &last["result"];
    assert_eq!(r["rows"], 10);
    assert_eq!(r["dataset"]["name"], "prep prepared");
    assert_eq!(r["lineage"]["sources"][0]["digest"], format!("dataset:{}", people["version"].as_str().unwrap()));
    let parquet = r["parquet"].as_str().unwrap();
    let lineage: Value = serde_json::from_str(&std::fs::read_to_string(parquet.replace(".parquet", ".lineage.json")).unwrap()).unwrap();
    assert_eq!(lineage["flow_digest"], r["lineage"]["flow_digest"]);
    let csv = std::fs::read_to_string(s.path("p/out/prep.csv")).unwrap();
    assert!(csv.starts_with("id,age,city_id,code,score,group,split,senior\n"), "{csv}");
    assert_eq!(csv.lines().count(), 11);
    let (_, datasets) = s.get(&format!("/api/projects/{pid}/datasets")).await;
    let out = datasets.as_array().unwrap().iter().find(|d| d["name"] == "prep prepared").expect("the output is a dataset");
    assert_eq!(out["rows"], 10);
    let (st, page) = s.get(&format!("/api/projects/{pid}/datasets/{}/rows?limit=3", out["id"].as_str().unwrap())).await;
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["columns"].as_array().unwrap().last().unwrap(), "senior");

    // The run kept what the steps learned (the median of age on the train rows), and the script bakes it in.
    let (_, fitted) = s.get(&format!("/api/projects/{pid}/flows/prep")).await;
    let median = fitted["steps"][4]["fitted"]["values"]["age"].as_f64().expect("a fitted median");
    let (st, py) = s.get(&format!("/api/projects/{pid}/flows/prep/python")).await;
    assert_eq!(st, 200, "{py}");
    assert_eq!(py["file_name"], "prep.py");
    let script = py["script"].as_str().unwrap();
    assert!(script.contains("read_as_imported(SOURCES[\"people\"]"), "{script}");
    assert!(script.contains(&format!("{median:?}")), "the median {median} is not in the script:\n{script}");

    // Editing a step before it makes it learn again: the saved file forgets the fitted value.
    let mut edited = fitted.clone();
    edited["steps"][1]["params"] = json!({"values": ["?", "x12"]});
    let (_, saved) = s.put(&format!("/api/projects/{pid}/flows/prep"), edited).await;
    assert!(saved["steps"][4]["fitted"].is_null(), "{saved}");
    // An unchanged save keeps it.
    let (_, refitted) = s.get(&format!("/api/projects/{pid}/flows/prep/python")).await;
    assert!(refitted["script"].as_str().unwrap().contains("x12"));
    let (_, kept) = s.get(&format!("/api/projects/{pid}/flows/prep")).await;
    let (_, saved) = s.put(&format!("/api/projects/{pid}/flows/prep"), kept.clone()).await;
    assert_eq!(saved["steps"][4]["fitted"], kept["steps"][4]["fitted"]);
    assert!(!kept["steps"][4]["fitted"].is_null());

    // Running the edited flow again makes a new version of the same output dataset, not a second one;
    // the first version's stored copy stays for the runs trained on it.
    let n_datasets = datasets.as_array().unwrap().len();
    let (st, t) = s.post(&format!("/api/projects/{pid}/flows/prep/run"), json!({})).await;
    assert_eq!(st, 200, "{t}");
    let events = s.events(t["task_id"].as_str().unwrap()).await;
    let again = &events.last().unwrap()["result"];
    assert_eq!(again["dataset"]["id"], out["id"], "{again}");
    assert_eq!(again["dataset"]["name"], "prep prepared");
    assert_ne!(again["dataset"]["version"], out["version"], "new data, new version");
    let (_, datasets) = s.get(&format!("/api/projects/{pid}/datasets")).await;
    assert_eq!(datasets.as_array().unwrap().len(), n_datasets);
    let old_copy = s.path(&format!("p/.cairn/artifacts/datasets/{}.parquet", out["version"].as_str().unwrap()));
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !old_copy.exists() && std::time::Instant::now() < end {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(old_copy.exists(), "{}", old_copy.display());

    // The dataset's history lists both versions, newest first, each with the flow run that made it; the
    // first version's rows can still be read.
    let did = out["id"].as_str().unwrap();
    let (st, versions) = s.get(&format!("/api/projects/{pid}/datasets/{did}/versions")).await;
    assert_eq!(st, 200, "{versions}");
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert_eq!(
        (versions[0]["dataset"]["version"].clone(), versions[0]["current"].clone()),
        (again["dataset"]["version"].clone(), json!(true))
    );
    assert_eq!((versions[1]["dataset"]["version"].clone(), versions[1]["current"].clone()), (out["version"].clone(), json!(false)));
    assert_eq!(versions[1]["lineage"]["flow"], "prep");
    assert_eq!(versions[1]["lineage"]["flow_digest"], r["lineage"]["flow_digest"]);
    assert_ne!(versions[0]["lineage"]["flow_digest"], r["lineage"]["flow_digest"], "the edited flow made the new one");
    assert_eq!(versions[1]["available"], true);
    let v1 = out["version"].as_str().unwrap();
    let (st, old_page) = s.get(&format!("/api/projects/{pid}/datasets/{did}/rows?limit=20&version={v1}")).await;
    assert_eq!(st, 200, "{old_page}");
    let (_, new_page) = s.get(&format!("/api/projects/{pid}/datasets/{did}/rows?limit=20")).await;
    // The edit turned "x12" into a missing code: the versions differ in that cell.
    assert_ne!(old_page["rows"], new_page["rows"]);
    let (st, e) = s.get(&format!("/api/projects/{pid}/datasets/{did}/rows?version=nope")).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("DATASET_NOT_FOUND")), "{e}");

    let (_, list) = s.get(&format!("/api/projects/{pid}/flows")).await;
    assert_eq!(list.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect::<Vec<_>>(), vec!["prep", "prep-2"]);
    assert_eq!(list[0]["source"], "dataset people");
    assert_eq!(list[0]["steps"], 6);

    // Deleting a flow answers it as it was (to put it back) and removes only that file; a name with a
    // slash or an unknown flow is refused.
    let del = |path: String| {
        let (http, base, token) = (s.http.clone(), s.base.clone(), s.token.clone());
        async move {
            let r = http.delete(format!("{base}{path}")).bearer_auth(token).send().await.expect("DELETE");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (st, gone) = del(format!("/api/projects/{pid}/flows/prep-2")).await;
    assert_eq!((st, gone["name"].as_str()), (200, Some("prep-2")), "{gone}");
    let (st, e) = s.get(&format!("/api/projects/{pid}/flows/prep-2")).await;
    assert_eq!(st, 404, "{e}");
    let (st, e) = del(format!("/api/projects/{pid}/flows/prep-2")).await;
    assert_eq!(st, 404, "{e}");
    let (st, e) = del(format!("/api/projects/{pid}/flows/..%2Fcairn")).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("FLOW_INVALID")), "{e}");
    assert!(s.path("p/flows/prep.flow.json").exists() && s.path("p/cairn.toml").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_step_is_named_while_the_steps_before_it_still_preview() {
    let s = Server::start().await;
    let (pid, _, cities) = setup(&s).await;
    let (_, flow) = s.post(&format!("/api/projects/{pid}/flows"), json!({"name": "bad", "dataset": "people"})).await;
    let preview = |steps: Value| {
        let mut doc = flow.clone();
        doc["steps"] = steps;
        json!({"flow": doc})
    };
    let url = format!("/api/projects/{pid}/flow-preview");

    // A step naming a column an earlier step dropped.
    let (st, p) = s
        .post(
            &url,
            preview(json!([
                step("drop", json!({"columns": ["age"]})),
                step("fill_missing", json!({"columns": ["age"], "strategy": "mode"}))
            ])),
        )
        .await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["failure"]["step"], 2, "{p}");
    assert_eq!(p["failure"]["error"]["code"], "COLUMN_NOT_FOUND");
    let msg = p["failure"]["error"]["message"].as_str().unwrap();
    assert!(msg.starts_with("step 2 (Fill missing values): “Columns” names column \"age\""), "{msg}");
    assert_eq!(p["failure"]["param"], "columns");
    assert!(p["failure"]["problem"].as_str().unwrap().starts_with("“Columns” names column \"age\""), "{p}");
    assert!(p["failure"]["error"]["hint"].as_str().unwrap().contains("dropped or renamed"));
    assert_eq!(p["upto"], 1, "the preview shows the data after step 1");
    assert!(col(&p, "age").is_none() && col(&p, "name").is_some());
    assert_eq!(p["rows"].as_array().unwrap().len(), 10);

    // A cast that fails on some rows: how many, examples, and what to do.
    let (_, p) = s
        .post(&url, preview(json!([step("trim", json!({"columns": ["name"]})), step("cast", json!({"columns": ["code"], "to": "int64"}))])))
        .await;
    assert_eq!(p["failure"]["step"], 2, "{p}");
    assert_eq!(p["failure"]["error"]["code"], "TYPE_MISMATCH");
    let msg = p["failure"]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("1 of 10 values in column \"code\" cannot be converted") && msg.contains("\"x12\""), "{msg}");
    assert!(p["failure"]["error"]["hint"].as_str().unwrap().contains("“Values that fail”"));
    assert_eq!(p["upto"], 1);
    // With on_error null, the same cast works.
    let (_, p) = s.post(&url, preview(json!([step("cast", json!({"columns": ["code"], "to": "int64", "on_error": "null"}))]))).await;
    assert!(p.get("failure").is_none(), "{p}");
    assert_eq!(col(&p, "code").unwrap()["missing"], 1);

    // Join keys of different types (people.city_id is a number, cities.city_id text).
    let mut doc = flow.clone();
    doc["sources"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "cities", "dataset": {"id": cities["id"], "version": cities["version"]}, "format": "parquet"}));
    doc["steps"] = json!([step("join", json!({"source": "cities", "how": "left", "on": ["city_id"]}))]);
    let (_, p) = s.post(&url, json!({"flow": doc})).await;
    assert_eq!(p["failure"]["step"], 1, "{p}");
    assert_eq!(p["failure"]["error"]["code"], "TYPE_MISMATCH");
    assert!(p["failure"]["error"]["message"].as_str().unwrap().contains("city_id"), "{p}");
    assert_eq!(p["upto"], 0, "the source still shows");
    assert_eq!(p["columns"].as_array().unwrap().len(), 7);

    // A step whose operator this Cairn does not know is refused as a whole (it cannot be previewed).
    let (st, e) = s.post(&url, preview(json!([step("explode", json!({}))]))).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("FLOW_INVALID")), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn hand_edited_flow_files_this_cairn_cannot_run_are_refused_and_left_intact() {
    let s = Server::start().await;
    let (pid, people, _) = setup(&s).await;
    let source = json!({"name": "people", "dataset": {"id": people["id"], "version": people["version"]}, "format": "parquet"});
    let cases = [
        (
            "unknown",
            json!({"format": 1, "name": "unknown", "sources": [source], "steps": [step("drop", json!({"columns": ["name"]})), step("explode", json!({}))]}),
            422,
            "FLOW_INVALID",
            "step 2: unknown operator \"explode\"",
        ),
        (
            "newer_op",
            json!({"format": 1, "name": "newer_op", "sources": [source], "steps": [{"op": "drop", "version": 7, "params": {"columns": ["name"]}, "fitted": null, "enabled": true}]}),
            422,
            "FLOW_INVALID",
            "step 1 (drop) is version 7",
        ),
        (
            "newer_format",
            json!({"format": 9, "name": "newer_format", "sources": [source], "future": true}),
            409,
            "SCHEMA_TOO_NEW",
            "has format 9",
        ),
    ];
    std::fs::create_dir_all(s.path("p/flows")).unwrap();
    for (name, file, status, code, says) in &cases {
        let path = s.path(&format!("p/flows/{name}.flow.json"));
        let text = serde_json::to_string_pretty(file).unwrap();
        std::fs::write(&path, &text).unwrap();
        let (st, e) = s.get(&format!("/api/projects/{pid}/flows/{name}")).await;
        assert_eq!((st, e["code"].as_str()), (*status, Some(*code)), "{name}: {e}");
        assert!(e["message"].as_str().unwrap().contains(says), "{name}: {e}");
        assert!(e["hint"].as_str().is_some(), "{name}: {e}");
        // Saving over it is refused too, and the file keeps every byte.
        let ok = json!({"format": 1, "name": name, "sources": [source], "steps": []});
        let (st, e) = s.put(&format!("/api/projects/{pid}/flows/{name}"), ok).await;
        assert_eq!(st, *status, "{name}: {e}");
        assert!(e["message"].as_str().unwrap().contains("the file was not overwritten"), "{name}: {e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{name} was changed");
    }
    // The list shows them with their errors.
    let (_, list) = s.get(&format!("/api/projects/{pid}/flows")).await;
    let listed: Vec<(&str, &str)> =
        list.as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap(), f["error"]["code"].as_str().unwrap_or(""))).collect();
    assert_eq!(listed, vec![("newer_format", "SCHEMA_TOO_NEW"), ("newer_op", "FLOW_INVALID"), ("unknown", "FLOW_INVALID")]);
    // A flow sent with an unknown operator is not saved at all.
    let bad = json!({"format": 1, "name": "fresh", "sources": [source], "steps": [step("explode", json!({}))]});
    let (st, e) = s.put(&format!("/api/projects/{pid}/flows/fresh"), bad).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("FLOW_INVALID")), "{e}");
    assert!(!s.path("p/flows/fresh.flow.json").exists());
    // A name that is not a file name is refused.
    let (st, e) = s.post(&format!("/api/projects/{pid}/flows"), json!({"name": "../escape", "dataset": "people"})).await;
    assert_eq!(st, 422, "{e}");
    // The operator catalogue has a form for every operator.
    let (_, ops) = s.get("/api/flow-ops").await;
    let ops = ops.as_array().unwrap();
    assert!(ops.len() >= 43);
    assert!(ops.iter().all(|o| o["group"] != "other" && !o["params"].as_array().unwrap().is_empty()), "{ops:?}");
    let filter = ops.iter().find(|o| o["name"] == "filter").unwrap();
    assert_eq!(filter["params"][0]["kind"], "condition");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_run_writes_and_registers_nothing() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let big = s.path("big.csv");
    crate::write_big_csv(&big, "id,x,label", 1_500_000, |i| format!("{i},{}.5,row-{}", (i * 7919) % 10007, i % 1013));
    // A flow over the CSV file itself: a step that learns (a mean), then work that takes seconds unoptimized.
    let flow = json!({"format": 1, "name": "slow", "sources": [{"name": "big", "path": big, "format": "csv"}], "steps": [
        step("fill_missing", json!({"columns": ["x"], "strategy": "mean"})),
        step("formula", json!({"name": "y", "expr": "x * 2 + id"})),
        step("sort", json!({"columns": ["label", "y"], "descending": [true, false]})),
        step("frequency_encode", json!({"column": "label"})),
    ]});
    let (st, saved) = s.put(&format!("/api/projects/{pid}/flows/slow"), flow).await;
    assert_eq!(st, 200, "{saved}");
    let file = s.path("p/flows/slow.flow.json");
    let before = std::fs::read(&file).unwrap();

    let (st, t) = s.post(&format!("/api/projects/{pid}/flows/slow/run"), json!({"csv": "out/slow.csv"})).await;
    assert_eq!(st, 200, "{t}");
    let task = t["task_id"].as_str().unwrap().to_string();
    // Follow the task until the engine runs over all rows, then cancel.
    let mut r = s.http.get(format!("{}/api/tasks/{task}/events", s.base)).bearer_auth(&s.token).send().await.unwrap();
    let mut text = String::new();
    let mut cancelled_at = None;
    while let Some(chunk) = r.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
        if cancelled_at.is_none() && text.contains("\"phase\":\"running\"") {
            let (st, _) = s.post(&format!("/api/tasks/{task}/cancel"), json!(null)).await;
            assert_eq!(st, 200);
            cancelled_at = Some(std::time::Instant::now());
        }
    }
    let waited = cancelled_at.expect("the run reached its running stage").elapsed();
    let last = text.lines().filter_map(|l| l.strip_prefix("data: ")).last().unwrap();
    assert!(last.contains("\"type\":\"cancelled\""), "{last}");
    // The engine cannot be interrupted, so the task answers a cancel without waiting for it.
    assert!(waited < std::time::Duration::from_secs(2), "the cancel took {waited:?}");
    let (_, info) = s.get(&format!("/api/tasks/{task}")).await;
    assert_eq!(info["state"], "cancelled");

    // Nothing registered, nothing written; the flow file as it was (the mean it learned is not kept).
    let (_, datasets) = s.get(&format!("/api/projects/{pid}/datasets")).await;
    assert_eq!(datasets.as_array().unwrap().len(), 0, "{datasets}");
    assert!(!s.path("p/out/slow.csv").exists());
    let artifacts = s.path("p/.cairn/artifacts/flows/slow");
    let written: Vec<_> = std::fs::read_dir(&artifacts).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(written.is_empty(), "{written:?}");
    // The abandoned query finishes on its own thread; its result is dropped, not written late.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(std::fs::read(&file).unwrap(), before, "the flow file was changed by a cancelled run");
    assert!(!s.path("p/out/slow.csv").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn renaming_a_flow_repoints_the_flows_that_read_it() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    std::fs::write(s.path("people.csv"), PEOPLE).unwrap();
    let a = json!({"format": 1, "name": "clean", "sources": [{"name": "people", "path": s.path("people.csv"), "format": "csv", "null_values": ["?"]}],
        "steps": [step("drop", json!({"columns": ["name"]}))]});
    let b = json!({"format": 1, "name": "report", "sources": [{"name": "cleaned", "flow": "clean"}],
        "steps": [step("filter", json!({"keep": {"column": "age", "op": "gt", "value": 30}}))]});
    assert_eq!(s.put(&format!("/api/projects/{pid}/flows/clean"), a).await.0, 200);
    assert_eq!(s.put(&format!("/api/projects/{pid}/flows/report"), b).await.0, 200);

    let (st, r) = s.post(&format!("/api/projects/{pid}/flows/clean/rename"), json!({"name": "people-clean"})).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["flow"]["name"], "people-clean");
    assert_eq!(r["repointed"], json!(["report"]));
    assert!(!s.path("p/flows/clean.flow.json").exists());
    let (_, report) = s.get(&format!("/api/projects/{pid}/flows/report")).await;
    assert_eq!(report["sources"][0]["flow"], "people-clean");
    // The flow that reads it still runs: it previews the 5 people over 30 from the renamed flow.
    let (st, p) = s.post(&format!("/api/projects/{pid}/flow-preview"), json!({"flow": report})).await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["rows_after"], 5, "{p}");

    // A taken name, a name with a slash and an unknown flow are named; nothing changes.
    let before = std::fs::read(s.path("p/flows/report.flow.json")).unwrap();
    let (st, e) = s.post(&format!("/api/projects/{pid}/flows/people-clean/rename"), json!({"name": "report"})).await;
    assert_eq!((st, e["code"].as_str()), (409, Some("ALREADY_EXISTS")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("\"report\""), "{e}");
    let (st, e) = s.post(&format!("/api/projects/{pid}/flows/people-clean/rename"), json!({"name": "a/b"})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("FLOW_INVALID")), "{e}");
    let (st, e) = s.post(&format!("/api/projects/{pid}/flows/nope/rename"), json!({"name": "x"})).await;
    assert_eq!(st, 404, "{e}");
    assert_eq!(std::fs::read(s.path("p/flows/report.flow.json")).unwrap(), before);
    assert!(s.path("p/flows/people-clean.flow.json").exists());
}
