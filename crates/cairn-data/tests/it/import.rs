use cairn_data::{preview_file, read_file};
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
    let p =
        write(dir.path(), "kinds.csv", b"d,t,b,n\n2024-01-02,2024-01-02 10:11:12,true, 7 \n2024-02-29,2024-03-01 00:00:00,False,8\n,,,\n");
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
    let opts = ImportOptions { overrides: vec![TypeOverride { column: "zip".into(), dtype: DType::String }], ..Default::default() };
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

/// A table as people export it: blank cells written as nothing, one space or several, in every kind of column.
const BLANKS: &[u8] = b"\xef\xbb\xbfid,score,ratio,flag,day,city\n\
1,10,0.5,true,2024-01-02,Oslo\n\
2, ,1.5,false,2024-01-03, \n\
3,  ,  ,  ,  ,Lima\n\
4,,2.5,true,,\n\
5,13,\t,false,2024-01-05,Pune\n";

#[test]
fn cells_of_only_spaces_are_missing_and_keep_a_numeric_column_numeric() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "blanks.csv", BLANKS);
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    let kinds: Vec<(&str, DType, u64)> = got.columns.iter().map(|c| (c.name.as_str(), c.dtype, c.missing)).collect();
    assert_eq!(
        kinds,
        vec![
            ("id", DType::Int, 0),
            ("score", DType::Int, 3),
            ("ratio", DType::Float, 2),
            ("flag", DType::Bool, 1),
            ("day", DType::Date, 2),
            ("city", DType::String, 2),
        ]
    );
    // Blank counts cover empty cells and cells of spaces or tabs alike.
    assert_eq!(got.notes.blanks, vec![0, 3, 2, 1, 2, 2]);
    assert_eq!(got.frame.column("score").unwrap().get(4).unwrap().to_string(), "13");
}

#[test]
fn without_the_blank_marker_spaces_are_values_and_a_single_space_can_be_a_marker() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "spaces.csv", b"n,s\n1,a\n ,b\n  ,c\n,d\n");
    let markers = |m: &[&str]| ImportOptions { null_values: Some(m.iter().map(|s| s.to_string()).collect()), ..Default::default() };
    // The empty marker stands for blank cells, spaces included.
    let got = read_file(&p, &markers(&["", "?"]), &Quiet).unwrap();
    assert_eq!((got.columns[0].dtype, got.columns[0].missing), (DType::Int, 3));
    // Without it, a cell of spaces is a value, so the column is text (an empty cell is still missing).
    let got = read_file(&p, &markers(&["?"]), &Quiet).unwrap();
    assert_eq!((got.columns[0].dtype, got.columns[0].missing), (DType::String, 1));
    assert_eq!(got.frame.column("n").unwrap().get(1).unwrap().to_string(), "\" \"");
    // A single space as a marker matches exactly one space.
    let got = read_file(&p, &markers(&[" "]), &Quiet).unwrap();
    assert_eq!((got.columns[0].dtype, got.columns[0].missing), (DType::String, 2));
    let p = write(dir.path(), "one_space.csv", b"n\n1\n \n2\n");
    let got = read_file(&p, &markers(&[" "]), &Quiet).unwrap();
    assert_eq!((got.columns[0].dtype, got.columns[0].missing), (DType::Int, 1));
}

#[test]
fn blanks_late_in_a_large_file_are_missing_on_the_two_pass_reader_too() {
    // A code that turns out to be text after the head's sample sends the file to the two-pass reader;
    // its parser must blank cells of spaces in every kind of column as the one-pass builder does.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,score,label,day,code\n");
    for i in 0..60_000 {
        let score = match i {
            50_000 => "2.5".to_string(),
            i if i % 1000 == 999 => "   ".to_string(),
            i => (i % 90).to_string(),
        };
        let label = if i % 2000 == 1 { " ".to_string() } else { format!("l{}", i % 5) };
        let day = if i % 3000 == 2 { "\t".to_string() } else { format!("2024-01-{:02}", 1 + i % 28) };
        let code = if i == 55_000 { "A17".to_string() } else { format!("{:03}", i % 50) };
        text.push_str(&format!("{i},{score},{label},{day},{code}\n"));
    }
    let p = write(dir.path(), "late.csv", text.as_bytes());
    let got = read_file(&p, &ImportOptions::default(), &Quiet).unwrap();
    let kinds: Vec<(DType, u64)> = got.columns.iter().map(|c| (c.dtype, c.missing)).collect();
    assert_eq!(kinds, vec![(DType::Int, 0), (DType::Float, 60), (DType::String, 30), (DType::Date, 20), (DType::String, 0)]);
    assert_eq!(got.frame.column("label").unwrap().get(0).unwrap().to_string(), "\"l0\"");
}

#[test]
fn the_preview_detects_types_with_the_markers_chosen_and_counts_blank_cells() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "dash.csv", b"id,score,note\n1,10,a\n2,-,b\n3, ,c\n4,12,\n");
    let pv = preview_file(&p, &ImportOptions::default()).unwrap();
    assert_eq!(pv.detected, vec![DType::Int, DType::String, DType::String]);
    assert_eq!(pv.blank_cells, vec![0, 1, 1]);
    assert!(pv.null_values_seen.contains(&String::new()), "blank cells occur: {:?}", pv.null_values_seen);

    let mut markers = cairn_data::null_values(&ImportOptions::default());
    markers.push("-".into());
    let opts = ImportOptions { null_values: Some(markers.clone()), ..Default::default() };
    let pv = preview_file(&p, &opts).unwrap();
    assert_eq!(pv.detected, vec![DType::Int, DType::Int, DType::String]);
    assert_eq!(pv.columns[1].missing, 2);
    assert!(pv.null_values_seen.contains(&"-".to_string()));

    // A type the user chose shows in the columns; what was detected stays beside it.
    let opts = ImportOptions {
        null_values: Some(markers),
        overrides: vec![TypeOverride { column: "score".into(), dtype: DType::Float }],
        ..Default::default()
    };
    let pv = preview_file(&p, &opts).unwrap();
    assert_eq!((pv.columns[1].dtype, pv.detected[1]), (DType::Float, DType::Int));
}

#[test]
fn a_type_error_offers_the_value_as_a_missing_marker_in_the_dialog_words() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "dash.csv", b"id,score\n1,10\n2,-\n3,11\n4,-\n");
    let opts = ImportOptions { overrides: vec![TypeOverride { column: "score".into(), dtype: DType::Int }], ..Default::default() };
    let api: cairn_types::ApiError = read_file(&p, &opts, &Quiet).unwrap_err().into();
    assert_eq!(api.code, cairn_types::ErrorCode::TypeMismatch);
    let hint = api.hint.unwrap();
    assert!(hint.contains("\"-\" stands for a missing value, add it to Read as missing"), "{hint}");
    assert!(!hint.contains("--"), "a flag in a hint the import dialog shows: {hint}");
}
