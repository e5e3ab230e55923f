//! Renders every wire type as TypeScript for the UI (ui/src/lib/types.gen.ts).

use ts_rs::TS;

use crate::*;

/// The whole generated file. A test compares it with the committed file; `make types` rewrites it.
pub fn render() -> String {
    let decls = [
        ErrorCode::decl(),
        ApiError::decl(),
        ProjectInfo::decl(),
        RecentProject::decl(),
        OpenProjectRequest::decl(),
        CreateProjectRequest::decl(),
        ServerInfo::decl(),
        PickKind::decl(),
        PickRequest::decl(),
        PickResponse::decl(),
        TaskState::decl(),
        Progress::decl(),
        TaskInfo::decl(),
        TaskEvent::decl(),
        TaskStarted::decl(),
        DType::decl(),
        ColumnInfo::decl(),
        FileFormat::decl(),
        TextEncoding::decl(),
        TypeOverride::decl(),
        ImportOptions::decl(),
        ImportPreview::decl(),
        ImportRequest::decl(),
        Uploaded::decl(),
        DatasetSource::decl(),
        Dataset::decl(),
        Page::decl(),
        SortOrder::decl(),
        NumericStats::decl(),
        Histogram::decl(),
        ValueCount::decl(),
        TextStats::decl(),
        ColumnProfile::decl(),
        Profile::decl(),
        RunStatus::decl(),
        LifecycleStage::decl(),
        ViewType::decl(),
        Tag::decl(),
        Param::decl(),
        Metric::decl(),
        Experiment::decl(),
        RunInfo::decl(),
        RunData::decl(),
        DatasetRef::decl(),
        DatasetInput::decl(),
        RunInputs::decl(),
        Run::decl(),
        SearchRuns::decl(),
        RunsPage::decl(),
        SearchExperiments::decl(),
        ExperimentsPage::decl(),
        MetricSeries::decl(),
        Task::decl(),
        ModelKind::decl(),
        Validation::decl(),
        TrainSpec::decl(),
        ParamType::decl(),
        ParamSpec::decl(),
        ModelInfo::decl(),
        Curve::decl(),
        ConfusionMatrix::decl(),
        Importance::decl(),
        Evaluation::decl(),
        JobState::decl(),
        JobInfo::decl(),
        TrainStarted::decl(),
        ArtifactFile::decl(),
        JobLog::decl(),
        RunUpdate::decl(),
        CreateExperiment::decl(),
        RunKeys::decl(),
    ];
    let mut out = String::from(
        "// Generated from crates/cairn-types by `make types`. Do not edit: change the Rust types instead.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "export const DEFAULT_NULL_VALUES: string[] = {};\n",
        serde_json::to_string(DEFAULT_NULL_VALUES).unwrap_or_default()
    ));
    out
}
