//! A dataset's stored copy is a cache of its source: when it is missing it is rebuilt, and when the
//! source has changed too, the error says so.

use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{ErrorCode, ImportRequest};

use crate::shared;

#[test]
fn a_missing_stored_copy_is_rebuilt_from_the_source_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("adult.csv");
    std::fs::copy(shared("adult.csv"), &source).unwrap();
    let project = dir.path().join("p");
    let config = dir.path().join("cfg");
    let obs = ImportObserver { task: None, on_progress: None };

    let studio = Studio::new(&config, system_clock());
    let info = studio.create_project(&project.to_string_lossy(), None).unwrap();
    let req = ImportRequest { path: source.to_string_lossy().into_owned(), options: Default::default() };
    let ds = studio.import_now(&info.id, &req, &obs).unwrap();
    studio.flush();
    let stored = project.join(format!(".cairn/artifacts/datasets/{}.parquet", ds.version));
    assert!(stored.exists(), "the stored copy is written once the import's writes are flushed");

    std::fs::remove_file(&stored).unwrap();
    let fresh = Studio::new(&config, system_clock());
    let page = fresh.rows(&info.id, &ds.id, None, 0, 5, None).unwrap();
    assert_eq!(page.total_rows, 32_561);
    assert_eq!(page.rows[0][0], 39);
    fresh.flush();
    assert!(stored.exists(), "the stored copy is written again");

    std::fs::remove_file(&stored).unwrap();
    std::fs::write(&source, "age,class\n1,x\n").unwrap();
    let fresh = Studio::new(&config, system_clock());
    let err = fresh.rows(&info.id, &ds.id, None, 0, 5, None).unwrap_err();
    assert_eq!(err.code, ErrorCode::SourceChanged);
    assert!(err.message.contains("adult"), "{}", err.message);
    assert!(err.hint.is_some());
}
