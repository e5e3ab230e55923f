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
    /// Create a demo project with a synthetic hospital-readmission dataset.
    Demo { path: PathBuf },
    /// Print the API's OpenAPI description.
    #[command(hide = true)]
    Openapi,
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
    /// A value read as missing (repeatable). Default: "", NA, N/A, NULL, null, NaN, ?
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
