//! Several processes writing one project at once, and a process killed while it logs. The children are
//! this test binary run again (`child_logger` below) with the loop of `examples/log_loop.rs`, since
//! integration tests cannot locate example binaries.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use cairn_store::{Project, TrackingStore};

#[allow(dead_code)]
#[path = "../../examples/log_loop.rs"]
mod log_loop;

const CHILD: &str = "CAIRN_CHILD_LOGGER";

/// Does nothing in a normal test run; in a child process (CAIRN_CHILD_LOGGER="project|run|batches|points")
/// it is the logging loop.
#[test]
fn child_logger() {
    let Ok(spec) = std::env::var(CHILD) else { return };
    let parts: Vec<&str> = spec.split('|').collect();
    let (batches, points) = (parts[2].parse().unwrap(), parts[3].parse().unwrap());
    if let Err(e) = log_loop::run(Path::new(parts[0]), parts[1], batches, points, &mut std::io::stdout()) {
        panic!("child logger: {e}");
    }
}

fn spawn_logger(project: &Path, run: &str, batches: u64, points: u64) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "reliability::child_logger", "--nocapture", "--test-threads=1"])
        .env(CHILD, format!("{}|{run}|{batches}|{points}", project.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn committed(stdout: &str) -> Vec<u64> {
    stdout.lines().filter_map(|l| l.strip_prefix("committed ")).map(|n| n.trim().parse().unwrap()).collect()
}

fn steps(project: &Project, run: &str) -> HashSet<i64> {
    project.get_metric_history(run, "loss", None, None).unwrap().0.into_iter().map(|m| m.step).collect()
}

#[test]
fn eight_processes_log_at_once() {
    let (_dir, project) = crate::fresh_project();
    let (batches, points) = (30u64, 200u64);
    let runs: Vec<String> = (0..8).map(|i| project.create_run("0", Some(&format!("p{i}")), "u", i, &[]).unwrap().info.run_id).collect();
    let children: Vec<Child> = runs.iter().map(|r| spawn_logger(project.root(), r, batches, points)).collect();
    for (child, run) in children.into_iter().zip(&runs) {
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!stderr.contains("locked") && !stdout.contains("locked"), "{stderr}");
        assert!(out.status.success(), "child for {run} failed:\n{stdout}\n{stderr}");
        assert_eq!(committed(&stdout).len() as u64, batches);
        let got = steps(&project, run);
        assert_eq!(got.len() as u64, batches * points, "every point of run {run} is there");
        let latest = project.get_run(run).unwrap().data.metrics;
        assert_eq!(latest[0].step, (batches * points - 1) as i64);
    }
    let page = project.search_runs(&cairn_types::SearchRuns {
        experiment_ids: vec!["0".into()],
        filter: format!("metrics.loss = {}", batches * points - 1),
        ..Default::default()
    });
    assert_eq!(page.unwrap().total, 8);
}

#[test]
fn kill_9_keeps_every_committed_batch() {
    let (_dir, project) = crate::fresh_project();
    for round in 0..3u64 {
        let run = project.create_run("0", None, "u", 1, &[]).unwrap().info.run_id;
        let points = 100;
        let mut child = spawn_logger(project.root(), &run, 1_000_000, points);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut done = Vec::new();
        let wanted = 5 + round * 20;
        for line in lines.by_ref() {
            if let Some(n) = line.unwrap().strip_prefix("committed ") {
                done.push(n.trim().parse::<u64>().unwrap());
                if done.len() as u64 >= wanted {
                    break;
                }
            }
        }
        // SIGKILL, most likely in the middle of the next batch's transaction.
        child.kill().unwrap();
        child.wait().unwrap();
        // Lines the child printed before it died are still in the pipe.
        done.extend(lines.map_while(|l| l.ok()).filter_map(|l| l.strip_prefix("committed ").map(|n| n.trim().parse::<u64>().unwrap())));
        assert!(done.len() as u64 >= wanted, "the child logged only {} batches", done.len());

        let conn = rusqlite::Connection::open(project.db_path()).unwrap();
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
        drop(conn);
        let reopened = Project::open(project.root()).unwrap();
        let got = steps(&reopened, &run);
        for b in &done {
            for step in b * points..(b + 1) * points {
                assert!(got.contains(&(step as i64)), "batch {b} was reported committed but step {step} is missing");
            }
        }
        // Batches are all or nothing: whatever is there is whole batches.
        assert_eq!(got.len() as u64 % points, 0);
        reopened.log_metric(&run, "after", 1.0, 1, 0).unwrap();
    }
}
