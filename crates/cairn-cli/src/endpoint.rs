//! `cairn endpoint deploy|list|invoke|update|stop|delete|ground-truth`: real-time endpoints. An endpoint
//! runs in a process of its own and goes on serving after this command exits; `cairn serve` or the
//! desktop app restarts it if it crashes, and finds it again when the project is opened.

use std::io::Read;
use std::path::PathBuf;

use cairn_api::Studio;
use cairn_types::{
    ApiError, CaptureSpec, DeployEndpoint, EndpointInfo, ErrorCode, GroundTruthUpload, InvokeEndpoint, UpdateEndpoint, VariantSpec,
};

use crate::say;

#[derive(Debug, clap::Subcommand)]
pub enum EndpointCommand {
    /// Serve registered versions behind a new endpoint: MODEL is GROUP@VERSION, GROUP@ALIAS (followed
    /// when the alias moves) or GROUP (its latest approved version); `MODEL=WEIGHT` shares the traffic.
    Deploy {
        project: PathBuf,
        name: String,
        /// One or more, e.g. `churn@champion=9 churn@4=1` for a 10% canary.
        #[arg(required = true)]
        models: Vec<String>,
        /// Capture this percentage of requests and responses (SageMaker's JSONL, hourly files).
        #[arg(long)]
        capture: Option<f64>,
        /// Listen on this port (default: any free port).
        #[arg(long)]
        port: Option<u16>,
    },
    /// The project's endpoints, their status, address and models.
    List {
        project: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Send one request (the body from --data FILE, else from stdin) and print the answer.
    Invoke {
        project: PathBuf,
        name: String,
        #[arg(long)]
        data: Option<PathBuf>,
        /// text/csv or application/json (default: from the file's extension, else CSV).
        #[arg(long)]
        content_type: Option<String>,
    },
    /// Serve other versions or weights; the switch drops no request.
    Update {
        project: PathBuf,
        name: String,
        #[arg(required = true)]
        models: Vec<String>,
    },
    /// Stop the endpoint's process (deploy again to restart it); its key and captured data stay.
    Stop { project: PathBuf, name: String },
    /// Stop the endpoint and forget it; captured data stays in the project.
    Delete { project: PathBuf, name: String },
    /// Upload labels for captured requests (CSV `inference_id,label`, or SageMaker's ground-truth JSONL).
    GroundTruth { project: PathBuf, name: String, file: PathBuf },
}

impl EndpointCommand {
    pub fn project(&self) -> &PathBuf {
        match self {
            Self::Deploy { project, .. }
            | Self::List { project, .. }
            | Self::Invoke { project, .. }
            | Self::Update { project, .. }
            | Self::Stop { project, .. }
            | Self::Delete { project, .. }
            | Self::GroundTruth { project, .. } => project,
        }
    }
}

/// `churn@3=0.9` → the variant with its weight.
fn variants(models: &[String]) -> Result<Vec<VariantSpec>, ApiError> {
    models
        .iter()
        .map(|m| {
            let (model, weight) = match m.rsplit_once('=') {
                Some((model, w)) => {
                    let w = w.trim().parse::<f64>().map_err(|_| {
                        ApiError::new(ErrorCode::InvalidInput, format!("`{m}`: the weight `{w}` is not a number"))
                            .with_hint("write MODEL=WEIGHT, e.g. churn@champion=9 churn@4=1")
                    })?;
                    (model.to_string(), w)
                }
                None => (m.clone(), 1.0),
            };
            Ok(VariantSpec { model, weight, name: None })
        })
        .collect()
}

fn read(path: &std::path::Path) -> Result<String, ApiError> {
    std::fs::read_to_string(path).map_err(|e| {
        ApiError::new(ErrorCode::FileNotFound, format!("cannot read {}: {e}", path.display())).with_hint("check the file's path")
    })
}

fn show(e: &EndpointInfo) {
    let models: Vec<String> = e.variants.iter().map(|v| format!("{}={}@{} ({})", v.name, v.model, v.version, v.weight)).collect();
    let at = e.url.clone().unwrap_or_else(|| "-".into());
    let why = if e.message.is_empty() { String::new() } else { format!("  ({})", e.message) };
    say!("{:<20} {:<10} {:<24} {}{why}", e.name, format!("{:?}", e.status).to_lowercase(), at, models.join(", "));
}

pub fn run(studio: &Studio, pid: &str, cmd: EndpointCommand) -> Result<(), ApiError> {
    match cmd {
        EndpointCommand::Deploy { name, models, capture, port, .. } => {
            let capture = capture.map(|percent| CaptureSpec { percent, input: true, output: true });
            let e = studio.deploy_endpoint(pid, &DeployEndpoint { name, variants: variants(&models)?, capture, port })?;
            show(&e);
            let url = e.url.unwrap_or_default();
            say!(
                "\ntry it:\n  curl -H 'Authorization: Bearer {}' -H 'Content-Type: text/csv' --data-binary @rows.csv {url}/invocations",
                e.key
            );
            if e.capture.is_some() {
                say!("captured requests: {}", e.capture_dir);
            }
        }
        EndpointCommand::List { json, .. } => {
            let list = studio.endpoints(pid)?;
            if json {
                say!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
            } else if list.is_empty() {
                say!("no endpoints; deploy one with `cairn endpoint deploy PROJECT NAME GROUP@VERSION`");
            } else {
                list.iter().for_each(show);
            }
        }
        EndpointCommand::Invoke { name, data, content_type, .. } => {
            let body = match &data {
                Some(p) => read(p)?,
                None => {
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .map_err(|e| ApiError::new(ErrorCode::BadEncoding, format!("cannot read the request from stdin: {e}")))?;
                    s
                }
            };
            let json = data.as_ref().is_some_and(|p| p.extension().is_some_and(|x| x == "json")) || body.trim_start().starts_with('{');
            let content_type = content_type.unwrap_or_else(|| if json { "application/json" } else { "text/csv" }.into());
            let r = studio.invoke_endpoint(pid, &name, &InvokeEndpoint { content_type, body })?;
            say!("{}", r.body.trim_end());
            if r.status >= 400 {
                return Err(ApiError::new(ErrorCode::InvalidInput, format!("the endpoint answered {}", r.status)));
            }
        }
        EndpointCommand::Update { name, models, .. } => {
            show(&studio.update_endpoint(pid, &name, &UpdateEndpoint { variants: variants(&models)? })?)
        }
        EndpointCommand::Stop { name, .. } => show(&studio.stop_endpoint(pid, &name)?),
        EndpointCommand::Delete { name, .. } => {
            studio.delete_endpoint(pid, &name)?;
            say!("deleted endpoint {name}");
        }
        EndpointCommand::GroundTruth { name, file, .. } => {
            let r = studio.upload_ground_truth(pid, &name, &GroundTruthUpload { text: read(&file)? })?;
            say!("{} labels written to {} ({} match a captured request)", r.written, r.file, r.matched);
        }
    }
    Ok(())
}
