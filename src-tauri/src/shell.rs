//! Native file dialogs for the API's `pick` operation. GTK dialogs must run on the main (event loop)
//! thread, so the request hops there and the answer comes back over a channel.

use std::path::PathBuf;
use std::sync::OnceLock;

use cairn_api::Shell;
use cairn_types::PickKind;

#[derive(Default)]
pub struct NativeDialogs {
    app: OnceLock<tauri::AppHandle>,
}

impl NativeDialogs {
    pub fn attach(&self, app: tauri::AppHandle) {
        let _ = self.app.set(app);
    }
}

impl Shell for NativeDialogs {
    fn pick(&self, kind: PickKind) -> Option<PathBuf> {
        let app = self.app.get()?;
        let (tx, rx) = std::sync::mpsc::channel();
        let shown = app.run_on_main_thread(move || {
            let picked = match kind {
                PickKind::DataFile => rfd::FileDialog::new()
                    .set_title("Import data")
                    .add_filter("Data files", &["csv", "tsv", "txt", "parquet", "pq", "json", "ndjson", "jsonl"])
                    .add_filter("All files", &["*"])
                    .pick_file(),
                PickKind::Folder => rfd::FileDialog::new().set_title("Choose a project folder").pick_folder(),
            };
            let _ = tx.send(picked);
        });
        if shown.is_err() {
            return None;
        }
        rx.recv().ok().flatten()
    }
}
