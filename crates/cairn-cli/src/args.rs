use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Cairn: a local-first ML studio. A project is a folder; data, runs and models live inside it.
#[derive(Debug, Parser)]
#[command(name = "cairn", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the studio's UI and API on 127.0.0.1 for a browser.
    Serve {
        /// The project to open first.
        project: Option<PathBuf>,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Session token; random when not given. Every API request must carry it.
        #[arg(long, env = "CAIRN_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Make a folder a Cairn project (created if missing).
    New {
        path: PathBuf,
        /// Project name; defaults to the folder's name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Import a CSV/TSV, Parquet, JSON or NDJSON file into a project as a dataset.
    Import(ImportArgs),
    /// List a project's datasets.
    Datasets { project: PathBuf },
    /// Profile a dataset (every column, on the full data; cached).
    Profile {
        project: PathBuf,
        /// Dataset name or id.
        dataset: String,
        /// Print the profile as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The insights report of a dataset for a target: column quality, identifiers, duplicates, class
    /// balance, leakage, correlations and VIF, and a quick cross-validated model (saved as JSON and HTML).
    Insights(crate::insights::InsightsArgs),
    /// Create a demo project with a synthetic hospital-readmission dataset.
    Demo { path: PathBuf },
    /// Train a model on a dataset; the run is recorded in the project's experiments.
    Train(TrainArgs),
    /// Search models and hyperparameters for a target within a budget (AutoML); prints the leaderboard
    /// and the run whose model predicts (`cairn predict PROJECT RUN FILE`).
    Automl(crate::automl::AutomlArgs),
    /// A run's explainability report as one self-contained HTML page: metrics, a search's leaderboard
    /// and ensemble, feature importance and partial dependence; prints the file's path.
    Report(crate::report::ReportArgs),
    /// List or search runs, e.g. `--filter "metrics.roc_auc > 0.9" --order-by "metrics.roc_auc DESC"`.
    Runs {
        project: PathBuf,
        /// Experiment name (default: every experiment).
        #[arg(long)]
        experiment: Option<String>,
        /// MLflow filter grammar: `metrics.x > 1 and params.model = 'gbm'`.
        #[arg(long, default_value = "")]
        filter: String,
        /// e.g. `metrics.roc_auc DESC` (repeatable).
        #[arg(long = "order-by")]
        order_by: Vec<String>,
        #[arg(long, default_value_t = 50)]
        max: u32,
        #[arg(long)]
        json: bool,
    },
    /// Predict with a run's model on a file of raw rows; prints CSV (or writes it with --out).
    Predict {
        project: PathBuf,
        /// Run id (or a unique prefix).
        run: String,
        file: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Add each row's per-feature contributions to its margin (exact TreeSHAP values; gbm models):
        /// `contrib_<feature>`, `contrib_bias` and `margin`, which they sum to.
        #[arg(long)]
        explain: bool,
    },
    /// Predict with a registered model version (or a run's model) over a file or a dataset of any size,
    /// in chunks, here or on a Ray cluster; resumable (--resume) after a crash.
    BatchPredict(crate::batch::BatchArgs),
    /// List the models Cairn can train and their hyperparameters.
    Models,
    /// The model registry: `cairn model register|approve|reject|alias|list|history|card`.
    #[command(subcommand)]
    Model(crate::model::ModelCommand),
    /// Real-time endpoints: `cairn endpoint deploy|list|invoke|update|stop|delete|ground-truth`.
    #[command(subcommand)]
    Endpoint(crate::endpoint::EndpointCommand),
    /// Model Monitor: `cairn monitor baseline PROJECT DATASET`, `cairn monitor run PROJECT --baseline B --data D|--file F`.
    #[command(subcommand)]
    Monitor(crate::monitor::MonitorCommand),
    /// Wrangling flows (flows/NAME.flow.json): run, export as Python, list operators.
    #[command(subcommand)]
    Flow(crate::flow::FlowCommand),
    /// Your own commands as jobs, here or on a cluster: `cairn job run PROJECT --on lab -- python train.py`.
    #[command(subcommand)]
    Job(crate::job::JobCommand),
    /// Cluster profiles: `cairn cluster add lab --address http://HEAD:8265 --token-stdin`.
    #[command(subcommand)]
    Cluster(crate::cluster::ClusterCommand),
    /// Trust a folder's code to run as your commands (asked once per folder; `--revoke` takes it back).
    Trust {
        folder: PathBuf,
        #[arg(long)]
        revoke: bool,
    },
    /// Run one job (used by the studio to train in a child process).
    #[command(hide = true)]
    Worker { spec: PathBuf },
    /// Serve an endpoint's models (the studio starts it with the endpoint's config.json).
    #[command(hide = true)]
    EndpointServe { config: PathBuf },
    /// Print the API's OpenAPI description.
    #[command(hide = true)]
    Openapi,
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    pub project: PathBuf,
    /// Dataset name or id.
    #[arg(long = "data")]
    pub data: String,
    /// The column to predict.
    #[arg(long)]
    pub target: String,
    /// logistic, linear, elastic_net, decision_tree, random_forest, svm, gaussian_nb, knn, gbm.
    #[arg(long)]
    pub model: String,
    /// A hyperparameter, e.g. `--param learning_rate=0.1` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// classification or regression (default: from the target).
    #[arg(long)]
    pub task: Option<String>,
    /// `auto` (default: the data's split column when it has one — train on its train rows, test on its
    /// test rows — otherwise holdout:0.2), `holdout:0.2` or `kfold:5` (with a split column, these divide
    /// its train rows only).
    #[arg(long, default_value = "auto")]
    pub validation: String,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Feature columns, comma-separated (default: all but the target, the split column, identifiers and
    /// constant or empty columns, each left out with its reason).
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    #[arg(long)]
    pub experiment: Option<String>,
    /// Run name (default: a generated one).
    #[arg(long)]
    pub name: Option<String>,
    /// Start the job and return without following it.
    #[arg(long)]
    pub detach: bool,
    /// Train on a Ray cluster: its dashboard address, e.g. `ray://127.0.0.1:8265` or `http://head:8265`.
    #[arg(long, alias = "ray-address", value_name = "ADDRESS")]
    pub on: Option<String>,
    /// The Ray cluster's token (its RAY_AUTH_TOKEN), when it uses token authentication.
    #[arg(long, env = "CAIRN_RAY_TOKEN", hide_env_values = true, requires = "on")]
    pub token: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub project: PathBuf,
    pub file: PathBuf,
    /// Dataset name; defaults to the file's stem.
    #[arg(long)]
    pub name: Option<String>,
    /// Read the file as this format instead of guessing from its extension.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Field delimiter (one character; `tab` for tabs). Sniffed when not given.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Quote character; empty for none.
    #[arg(long)]
    pub quote: Option<String>,
    /// The first line is data, not column names.
    #[arg(long)]
    pub no_header: bool,
    /// A value read as missing (repeatable; replaces the defaults). Blank cells, empty or of only spaces,
    /// are always missing. Default: "", NA, N/A, NULL, null, NaN, ?
    #[arg(long = "null", value_name = "VALUE")]
    pub null: Vec<String>,
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// Force a column's type, e.g. `--type zip=string` (repeatable).
    #[arg(long = "type", value_name = "COLUMN=TYPE")]
    pub types: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Tsv,
    Parquet,
    Json,
    Ndjson,
}

impl From<Format> for cairn_types::FileFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Csv | Format::Tsv => cairn_types::FileFormat::Csv,
            Format::Parquet => cairn_types::FileFormat::Parquet,
            Format::Json => cairn_types::FileFormat::Json,
            Format::Ndjson => cairn_types::FileFormat::Ndjson,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Encoding {
    Utf8,
    Latin1,
    Utf16,
}

impl From<Encoding> for cairn_types::TextEncoding {
    fn from(e: Encoding) -> Self {
        match e {
            Encoding::Utf8 => cairn_types::TextEncoding::Utf8,
            Encoding::Latin1 => cairn_types::TextEncoding::Latin1,
            Encoding::Utf16 => cairn_types::TextEncoding::Utf16,
        }
    }
}
