//! The UI's TypeScript types must match the Rust types; `make types` (CAIRN_UPDATE_TYPES=1) rewrites them.

use std::path::PathBuf;

#[test]
fn generated_typescript_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/types.gen.ts");
    let fresh = cairn_types::typescript::render();
    if std::env::var_os("CAIRN_UPDATE_TYPES").is_some() {
        std::fs::write(&path, &fresh).expect("write types.gen.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fresh, "ui/src/lib/types.gen.ts is out of date with crates/cairn-types: run `make types`");
}
