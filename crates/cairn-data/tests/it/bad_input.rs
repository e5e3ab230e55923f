//! Each bad input gets an error with a stable code that names the file, line and column where they
//! apply, and a hint; none panics.

use cairn_data::{DataError, read_file};
use cairn_types::{ApiError, DType, ErrorCode, ImportOptions, TypeOverride};

use crate::{Quiet, write};

fn fails(name: &str, bytes: &[u8], opts: ImportOptions) -> ApiError {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, bytes);
    match read_file(&p, &opts, &Quiet) {
        Ok(_) => panic!("{name} was accepted"),
        Err(e) => {
            let api: ApiError = e.into();
            assert!(api.message.contains(name), "message does not name the file: {}", api.message);
            assert!(api.hint.is_some(), "no hint for {}", api.message);
            api
        }
    }
}

#[test]
fn empty_file() {
    let e = fails("empty.csv", b"", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::EmptyFile);
    let e = fails("blank.csv", b"\n\n  \n", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::EmptyFile);
}

#[test]
fn ragged_rows_name_the_line() {
    let e = fails("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::RaggedRows);
    assert!(e.message.contains("line 3"), "{}", e.message);
    assert!(e.message.contains("found 2 fields but the header has 3"), "{}", e.message);
}

#[test]
fn ragged_row_after_a_multiline_field_counts_physical_lines() {
    let e = fails("ml.csv", b"a,b\n\"x\ny\",1\n2,3,4\n", ImportOptions::default());
    assert!(e.message.contains("line 4"), "{}", e.message);
}

#[test]
fn invalid_utf8_names_line_and_column() {
    let e = fails("latin.csv", b"city,n\nParis,1\nZ\xfcrich,2\n", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::BadEncoding);
    assert!(e.message.contains("line 3, column 2"), "{}", e.message);
    assert!(e.hint.unwrap().contains("Latin-1"));
}

#[test]
fn ten_thousand_columns() {
    let dir = tempfile::tempdir().unwrap();
    let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    let row: Vec<String> = (0..10_000).map(|i| (i % 7).to_string()).collect();
    let text = format!("{}\n{}\n{}\n", header.join(","), row.join(","), row.join(","));
    let p = write(dir.path(), "wide.csv", text.as_bytes());
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.width(), 10_000);
    assert_eq!(got.frame.height(), 2);
    assert_eq!(got.columns[9_999].dtype, DType::Int);
}

#[test]
fn a_one_megabyte_field() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(1 << 20);
    let text = format!("id,blob\n1,\"{big}\"\n2,small\n");
    let p = write(dir.path(), "big.csv", text.as_bytes());
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.height(), 2);
    let page = cairn_data::page(&got.frame, 0, 10, 2);
    let cell = page.rows[0][1].as_str().unwrap();
    assert!(cell.len() < 2_000 && cell.ends_with("(1048576 characters)"), "cell not truncated for the grid");
}

#[test]
fn a_file_that_is_not_what_its_extension_says() {
    let e = fails("picture.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::WrongFormat);
    assert!(e.message.contains("PNG"), "{}", e.message);
    let e = fails("table.parquet", b"a,b\n1,2\n", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::WrongFormat);
    assert!(e.message.contains("CSV"), "{}", e.message);
    let e = fails("data.json", b"a,b\n1,2\n", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::WrongFormat);
    let e = fails("book.csv", b"PK\x03\x04\x14\0\x06\0", ImportOptions::default());
    assert!(e.message.contains("xlsx"), "{}", e.message);
}

#[test]
fn a_path_that_does_not_exist() {
    let err = read_file(std::path::Path::new("/nowhere/at/all.csv"), &ImportOptions::default(), &Quiet).unwrap_err();
    assert!(matches!(err, DataError::NotFound(_)));
    let api: ApiError = err.into();
    assert_eq!(api.code, ErrorCode::FileNotFound);
    assert!(api.message.contains("/nowhere/at/all.csv"));
}

#[test]
fn a_folder_is_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let api: ApiError = read_file(dir.path(), &ImportOptions::default(), &Quiet).unwrap_err().into();
    assert_eq!(api.code, ErrorCode::InvalidInput);
    assert!(api.message.contains("is a folder, not a file"), "{}", api.message);
}

#[test]
fn an_unclosed_quote_names_its_line() {
    let e = fails("q.csv", b"a,b\n1,2\n3,\"oops\n4,5\n", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::ParseError);
    assert!(e.message.contains("line 3"), "{}", e.message);
}

#[test]
fn json_syntax_error_names_line_and_column() {
    let e = fails("bad.json", b"[\n {\"a\": 1},\n {\"a\": 2,,}\n]", ImportOptions::default());
    assert_eq!(e.code, ErrorCode::ParseError);
    assert!(e.message.contains("line 3, column"), "{}", e.message);
    let e = fails("bad.ndjson", b"{\"a\": 1}\n{\"a\": }\n", ImportOptions::default());
    assert!(e.message.contains("line 2"), "{}", e.message);
}

#[test]
fn an_override_that_does_not_fit_says_how_many_and_where() {
    let opts = ImportOptions { overrides: vec![TypeOverride { column: "n".into(), dtype: DType::Int }], ..Default::default() };
    let e = fails("mixed.csv", b"n\n1\n2\nthree\n4\nfive\n", opts);
    assert_eq!(e.code, ErrorCode::TypeMismatch);
    assert!(e.message.contains("2 value(s) fail"), "{}", e.message);
    assert!(e.message.contains("line 4: \"three\""), "{}", e.message);
}

#[test]
fn an_override_of_an_unknown_column() {
    let opts = ImportOptions { overrides: vec![TypeOverride { column: "Age".into(), dtype: DType::Int }], ..Default::default() };
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "o.csv", b"age,x\n1,2\n");
    let api: ApiError = read_file(&p, &opts, &Quiet).unwrap_err().into();
    assert_eq!(api.code, ErrorCode::ColumnNotFound);
    assert!(api.message.contains("did you mean `age`"), "{}", api.message);
}

#[test]
fn a_bad_delimiter_option() {
    let opts = ImportOptions { delimiter: Some(";;".into()), ..Default::default() };
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "d.csv", b"a\n1\n");
    let api: ApiError = read_file(&p, &opts, &Quiet).unwrap_err().into();
    assert_eq!(api.code, ErrorCode::InvalidInput);
}

#[test]
fn header_only_is_an_empty_table_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "h.csv", b"a,b,c\n");
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.height(), 0);
    assert_eq!(got.frame.width(), 3);
}

#[test]
fn hints_name_the_dialog_controls_never_a_command_line_flag() {
    let cases: [(&str, &[u8], ImportOptions); 5] = [
        ("latin.csv", b"city\nZ\xfcrich\n", ImportOptions::default()),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", ImportOptions::default()),
        ("ragged.csv", b"a,b\n1,2\n3\n", ImportOptions::default()),
        ("q.csv", b"a,b\n1,\"x\"y\n", ImportOptions::default()),
        (
            "t.csv",
            b"n\n1\nx\n",
            ImportOptions { overrides: vec![TypeOverride { column: "n".into(), dtype: DType::Int }], ..Default::default() },
        ),
    ];
    for (name, bytes, opts) in cases {
        let e = fails(name, bytes, opts);
        let hint = e.hint.unwrap_or_default();
        assert!(!hint.contains("--"), "{name}: {hint}");
    }
    let e = fails("latin2.csv", b"city\nZ\xfcrich\n", ImportOptions::default());
    assert!(e.hint.unwrap().contains("choose Latin-1 as its Encoding"));
}
