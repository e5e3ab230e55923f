//! A numeric column that a few placeholders kept as text is flagged, through the real import: the
//! placeholders are named with their counts, and text that is text (codes, words) is left alone.

use cairn_types::{ColumnFlag, ImportOptions};

use crate::{Quiet, flags, reason, req, run};

#[test]
fn numbers_stored_as_text_are_flagged_with_their_placeholders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("dose,code,city,score,outcome\n");
    for i in 0..2000 {
        let dose = match i % 50 {
            7 => "-".to_string(),
            21 => "n/a".to_string(),
            _ => format!("{}.5", i % 40),
        };
        // ICD-like codes: mostly numbers, but the letters are many distinct codes, not placeholders.
        let code = if i % 9 == 0 { format!("V{}", i % 60) } else { format!("{}", 250 + i % 30) };
        let city = ["Oslo", "Lima", "Pune"][i % 3];
        // A blank cell of spaces is missing, so it does not keep `score` from being numeric.
        let score = if i % 100 == 3 { "  ".to_string() } else { (i % 17).to_string() };
        text.push_str(&format!("{dose},{code},{city},{score},{}\n", if i % 4 == 0 { "yes" } else { "no" }));
    }
    let path = dir.path().join("doses.csv");
    std::fs::write(&path, text).expect("write");
    let df = cairn_data::read_file(&path, &ImportOptions::default(), &Quiet).expect("import").frame;
    let r = run(&df, &req("outcome", Some("yes"))).expect("report");

    assert!(flags(&r, "dose").contains(&ColumnFlag::NumericAsText), "{:?}", flags(&r, "dose"));
    let why = reason(&r, "dose", ColumnFlag::NumericAsText);
    assert!(why.contains("96.0% of its values are numbers") && why.contains("'-' (40), 'n/a' (40)"), "{why}");
    assert!(why.contains("Read as missing") && !why.contains("--"), "{why}");
    for other in ["code", "city", "score", "outcome"] {
        assert!(!flags(&r, other).contains(&ColumnFlag::NumericAsText), "{other}: {:?}", flags(&r, other));
    }
    assert!(r.summary.iter().any(|s| s.starts_with("Numbers stored as text: dose")), "{:?}", r.summary);
}
