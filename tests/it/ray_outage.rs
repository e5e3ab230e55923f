//! A cluster that goes away while a job runs on it (network down, VPN dropped): the job is shown as
//! running and "cannot be followed, retrying", never failed, and when the cluster answers again the run
//! is completed from where it is. The outage is real: the studio reaches the real Ray head only through
//! a TCP relay on loopback, which the test stops and starts again on the same port.

use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cairn_api::{Studio, system_clock};
use cairn_types::{AddCluster, ClusterKind, JobState, RunStatus};

use crate::ray::cluster;
use crate::ray_train::{gbm, project, wait_job};
use crate::training::cairn_bin;

/// Forwards every connection on `port` to `upstream` until stopped; stopping also cuts open connections.
pub(crate) struct Relay {
    pub(crate) port: u16,
    stop: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    pub(crate) fn start(port: u16, upstream: String) -> Relay {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("relay port");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (st, op) = (stop.clone(), open.clone());
        let thread = std::thread::spawn(move || {
            for client in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let (Ok(client), Ok(server)) = (client, TcpStream::connect(&upstream)) else { continue };
                let mut list = op.lock().unwrap();
                list.push(client.try_clone().unwrap());
                list.push(server.try_clone().unwrap());
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Write);
                    });
                }
            }
        });
        Relay { port, stop, open, thread: Some(thread) }
    }

    pub(crate) fn stop(mut self) -> u16 {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        for c in self.open.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
        self.port
    }
}

#[test]
fn ray_a_cluster_that_goes_away_mid_job_is_retried_and_the_run_completed() {
    let Some((addr, token)) = cluster() else { return };
    let upstream = addr.trim_start_matches("http://").to_string();
    let relay = Relay::start(0, upstream.clone());
    let dir = tempfile::tempdir().unwrap();
    let s = Studio::new(&dir.path().join("cfg"), system_clock()).with_worker(cairn_bin());
    s.add_cluster(&AddCluster {
        name: "lab".into(),
        kind: ClusterKind::Ray,
        address: format!("http://127.0.0.1:{}", relay.port),
        token: Some(token),
    })
    .unwrap();
    let pid = project(dir.path(), &s);
    let started = s.start_training_on(&pid, gbm(&[("iterations", "300"), ("early_stopping_rounds", "0")]), Some("lab")).unwrap();
    assert!(s.job(&pid, &started.job_id).unwrap().executor.contains(&relay.port.to_string()));

    let port = relay.stop();
    let end = Instant::now() + Duration::from_secs(30);
    let job = loop {
        let j = s.job(&pid, &started.job_id).unwrap();
        if j.following.is_some() || Instant::now() > end {
            break j;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let note = job.following.clone().unwrap_or_default();
    assert!(note.contains("cannot be reached") && note.contains("retrying"), "{job:?}");
    assert_eq!(job.state, JobState::Running, "never failed for an outage: {job:?}");
    assert_eq!(s.run(&pid, &started.run_id).unwrap().info.status, RunStatus::Running);
    // The job list says the same, and a stop asked now is refused with the reason, not half-done.
    assert!(s.jobs(&pid).unwrap().iter().any(|j| j.id == started.job_id && j.following.is_some()));
    let err = s.cancel_job(&pid, &started.job_id).unwrap_err();
    assert_eq!(err.code, cairn_types::ErrorCode::ClusterUnreachable, "{err:?}");
    assert_eq!(s.job(&pid, &started.job_id).unwrap().state, JobState::Running);
    std::thread::sleep(Duration::from_secs(3));

    let relay = Relay::start(port, upstream);
    let job = wait_job(&s, &pid, &started.job_id, Duration::from_secs(240));
    let (log, _, _) = s.job_log(&pid, &started.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{job:?}\n{log}");
    assert_eq!(job.following, None);
    let run = s.run(&pid, &started.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);
    assert!(run.data.metrics.iter().any(|m| m.key == "roc_auc"), "metrics came back after the outage");
    relay.stop();
}
