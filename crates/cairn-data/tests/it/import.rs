use cairn_data::{read_file, preview_file};
use cairn_types::{DType, ImportOptions, TypeOverride};

use crate::{Quiet, shared, write};

#[test]
fn adult_reads_every_row_with_types() {
    let got = read_file(&shared("adult.csv"), &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.height(), 32_561);
    assert_eq!(got.frame.width(), 15);
    let age = got.columns.iter().find(|c| c.name == "age").unwrap();
    assert_eq!(age.dtype, DType::Int);
    let wc = got.columns.iter().find(|c| c.name == "workclass").unwrap();
    assert_eq!(wc.dtype, DType::String);
    // `?` is a default null marker: adult marks 1,836 unknown workclasses with it.
    assert_eq!(wc.missing, 1_836);
    assert_eq!(got.options.delimiter.as_deref(), Some(","));
    assert_eq!(got.options.has_header, Some(true));
    assert_eq!(got.digest.len(), 64);
}

#[test]
fn diabetic_weight_is_mostly_missing_with_question_mark_marker() {
    let opts = ImportOptions { null_values: Some(vec!["?".into()]), ..Default::default() };
    let got = read_file(&shared("diabetic_data.csv"), &opts, &Quiet).unwrap();
    assert_eq!(got.frame.height(), 101_766);
    let weight = got.columns.iter().find(|c| c.name == "weight").unwrap();
    let pct = weight.missing as f64 / 101_766.0;
    assert!((0.96..0.98).contains(&pct), "weight missing {pct}");
    // diag_1 holds codes like 250.83 and V57: text, not numbers.
    assert_eq!(got.columns.iter().find(|c| c.name == "diag_1").unwrap().dtype, DType::String);
    assert_eq!(got.columns.iter().find(|c| c.name == "num_lab_procedures").unwrap().dtype, DType::Int);
}

#[test]
fn a_float_first_seen_after_row_100_is_inferred() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,score\n");
    for i in 0..5000 {
        text.push_str(&format!("{i},{}\n", if i == 4321 { "2.5".to_string() } else { i.to_string() }));
    }
    let p = write(dir.path(), "late.csv", text.as_bytes());
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.columns[1].dtype, DType::Float);
    let v = got.frame.column("score").unwrap().get(4321).unwrap().to_string();
    assert_eq!(v, "2.5");
}

#[test]
fn sniffs_semicolons_quotes_tabs_and_headerless_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "semi.csv", b"name;note;n\n\"Smith; J\";\"said \"\"hi\"\"\";3\nLee;\"two\nlines\";4\n");
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.options.delimiter.as_deref(), Some(";"));
    assert_eq!(got.frame.height(), 2);
    assert_eq!(got.frame.column("name").unwrap().get(0).unwrap().to_string(), "\"Smith; J\"");
    assert_eq!(got.columns[2].dtype, DType::Int);

    let p = write(dir.path(), "t.tsv", b"a\tb\n1\tx\n2\ty\n");
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.options.delimiter.as_deref(), Some("\t"));

    let p = write(dir.path(), "nohead.csv", b"1,2.5,x\n3,4.5,y\n");
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.options.has_header, Some(false));
    assert_eq!(got.frame.height(), 2);
    assert_eq!(got.columns[0].name, "column_1");
}

#[test]
fn dates_datetimes_bools_and_padded_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "kinds.csv",
        b"d,t,b,n\n2024-01-02,2024-01-02 10:11:12,true, 7 \n2024-02-29,2024-03-01 00:00:00,False,8\n,,,\n",
    );
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    let kinds: Vec<DType> = got.columns.iter().map(|c| c.dtype).collect();
    assert_eq!(kinds, vec![DType::Date, DType::Datetime, DType::Bool, DType::Int]);
    assert_eq!(got.frame.column("n").unwrap().get(0).unwrap().to_string(), "7");
    assert_eq!(got.columns[0].missing, 1);
}

#[test]
fn user_overrides_a_column_type() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "zip.csv", b"zip,n\n02134,1\n10001,2\n");
    let opts = ImportOptions {
        overrides: vec![TypeOverride { column: "zip".into(), dtype: DType::String }],
        ..Default::default()
    };
    let got = read_file(&p, &opts, &Quiet).unwrap();
    assert_eq!(got.columns[0].dtype, DType::String);
    assert_eq!(got.frame.column("zip").unwrap().get(0).unwrap().to_string(), "\"02134\"");
}

#[test]
fn json_and_ndjson_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.json", br#"[{"a": 1, "b": "x"}, {"a": 2.5, "b": null}]"#);
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.height(), 2);
    assert_eq!(got.columns[0].dtype, DType::Float);

    let p = write(dir.path(), "a.ndjson", b"{\"a\": 1}\n{\"a\": 2}\n\n{\"a\": 3}\n");
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.height(), 3);
    assert_eq!(got.columns[0].dtype, DType::Int);

    let mut df = got.frame.clone();
    let pq = dir.path().join("a.parquet");
    cairn_data::write_parquet(&mut df, &pq).unwrap();
    let got = read_file(&pq, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.height(), 3);
    assert_eq!(got.format, cairn_types::FileFormat::Parquet);
}

#[test]
fn preview_reports_dialect_markers_and_a_sample() {
    let p = preview_file(&shared("diabetic_data.csv"), &ImportOptions::default()).unwrap();
    assert_eq!(p.delimiter.as_deref(), Some(","));
    assert!(p.has_header);
    assert!(p.null_values_seen.contains(&"?".to_string()));
    assert_eq!(p.suggested_name, "diabetic_data");
    assert_eq!(p.columns.len(), 50);
    assert_eq!(p.sample.rows.len(), 50);
}

#[test]
fn a_bom_is_not_part_of_the_first_column_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bom.csv", b"\xef\xbb\xbfid,name\n1,a\n");
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.columns[0].name, "id");
    assert_eq!(got.columns[0].dtype, DType::Int);
}

#[test]
fn utf16_and_latin1_files_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xff, 0xfe];
    for u in "city,n\nZürich,1\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let p = write(dir.path(), "u16.csv", &bytes);
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    assert_eq!(got.frame.column("city").unwrap().get(0).unwrap().to_string(), "\"Zürich\"");

    let p = write(dir.path(), "l1.csv", b"city,n\nZ\xfcrich,1\n");
    let opts = ImportOptions { encoding: Some(cairn_types::TextEncoding::Latin1), ..Default::default() };
    let got = read_file(&p, &opts, &Quiet).unwrap();
    assert_eq!(got.frame.column("city").unwrap().get(0).unwrap().to_string(), "\"Zürich\"");
}
