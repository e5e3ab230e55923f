//! The UI is embedded from ui/dist. rust-embed resolves that folder at compile time, so it must exist
//! before this crate compiles, and a rebuilt UI must trigger a rebuild (release builds embed the files).

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    if !dist.exists() {
        // An empty folder: the server then answers with a page saying how to build the UI.
        let _ = std::fs::create_dir_all(&dist);
    }
    println!("cargo:rerun-if-changed=../../ui/dist");
}
