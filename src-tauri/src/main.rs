//! Cairn's desktop shell. It starts the same server `cairn serve` runs, in-process on a random loopback
//! port with a random token, and opens a window on it: the window shows exactly the browser UI. The shell
//! adds only what a browser cannot do: native file dialogs, the menu, and dropped files' real paths.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod shell;

use std::path::PathBuf;
use std::sync::Arc;

use cairn_api::{Studio, default_config_dir, system_clock};
use tauri::menu::{MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{DragDropEvent, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};

// polars allocates and frees at a high rate from many threads; mimalloc keeps flows and imports as fast
// as the Python wheels (which bring their own allocator) — measured in examples/flow_bench.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    project: Option<PathBuf>,
    port: u16,
}

fn args() -> Args {
    let mut out = Args { project: None, port: 0 };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => out.port = it.next().and_then(|p| p.parse().ok()).unwrap_or(0),
            "--help" | "-h" => {
                println!("usage: cairn-desktop [PROJECT] [--port N]");
                std::process::exit(0);
            }
            other if !other.starts_with('-') => out.project = Some(PathBuf::from(other)),
            _ => {}
        }
    }
    out
}

/// Sends a menu action or dropped paths to the page as a DOM event; the UI's backend module listens.
fn dispatch(window: &tauri::WebviewWindow, event: &str, detail: serde_json::Value) {
    let js = format!("window.dispatchEvent(new CustomEvent({}, {{detail: {}}}))", serde_json::json!(event), detail);
    if let Err(e) = window.eval(js) {
        tracing::warn!("cannot reach the page: {e}");
    }
}

fn main() {
    // First, while this is the only thread: GTK and WebKit read these when the window opens.
    lean_graphics_env();
    cairn_server::mark_process_start();
    // The app is also its own worker: a local training runs as `cairn-desktop worker SPEC`.
    let mut raw = std::env::args().skip(1);
    if raw.next().as_deref() == Some("worker") {
        let spec = raw.next().map(PathBuf::from).unwrap_or_default();
        std::process::exit(cairn_api::run_worker(&spec));
    }
    tracing_init();
    let args = args();
    let shell = Arc::new(shell::NativeDialogs::default());
    let studio = Arc::new(Studio::new(&default_config_dir(), system_clock()).with_shell(shell.clone()));
    if let Some(p) = &args.project {
        let path = std::path::absolute(p).unwrap_or(p.clone());
        match studio.open_project(&path.to_string_lossy()) {
            Ok(info) => studio.set_initial_project(&info.id),
            // The welcome page offers to open or create a project; the reason goes to the log.
            Err(e) => tracing::warn!("cannot open {}: {}", path.display(), e),
        }
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => fail(&format!("cannot start the async runtime: {e}")),
    };
    let token = cairn_server::random_token();
    let bound = match runtime.block_on(cairn_server::bind(args.port)) {
        Ok(b) => b,
        Err(e) => fail(&format!("cannot listen on 127.0.0.1:{}: {e}", args.port)),
    };
    let url = bound.url(&token);
    tracing::info!("serving the UI on {}", bound.addr);
    {
        let studio = studio.clone();
        let token = token.clone();
        runtime.spawn(async move {
            if let Err(e) = bound.serve(studio, &token, std::future::pending()).await {
                tracing::error!("the server stopped: {e}");
            }
        });
    }

    let result = tauri::Builder::default()
        .setup(move |app| {
            shell.attach(app.handle().clone());
            let open = MenuItemBuilder::with_id("open-project", "Open Project…").accelerator("CmdOrCtrl+O").build(app)?;
            let new = MenuItemBuilder::with_id("new-project", "New Project…").accelerator("CmdOrCtrl+Shift+N").build(app)?;
            let import = MenuItemBuilder::with_id("import-data", "Import Data…").accelerator("CmdOrCtrl+I").build(app)?;
            let file = SubmenuBuilder::new(app, "File").items(&[&open, &new, &import]).separator().quit().build()?;
            let edit = SubmenuBuilder::new(app, "Edit").undo().redo().separator().cut().copy().paste().select_all().build()?;
            let menu = MenuBuilder::new(app).items(&[&file, &edit]).build()?;
            app.set_menu(menu)?;
            let parsed = url.parse().map_err(|e| format!("bad server URL {url}: {e}"))?;
            let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::External(parsed))
                .title("Cairn")
                .inner_size(1360.0, 860.0)
                .min_inner_size(900.0, 600.0)
                .build()?;
            lean_webview(&window);
            let w = window.clone();
            window.on_window_event(move |event| {
                if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                    let paths: Vec<String> = paths.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                    dispatch(&w, "cairn:drop", serde_json::json!({ "paths": paths }));
                }
            });
            Ok(())
        })
        .on_menu_event(|app, event| {
            if let Some(window) = app.get_webview_window("main") {
                dispatch(&window, "cairn:menu", serde_json::json!({ "action": event.id().0 }));
            }
        })
        .run(tauri::generate_context!());
    studio.flush();
    if let Err(e) = result {
        fail(&format!("the window could not start: {e}"));
    }
    drop(runtime);
}

/// The window needs no OpenGL: the WebView draws without compositing (see `lean_webview`). Yet GTK opens
/// GLX when it opens the display, and WebKit's UI process opens an EGL display to find a render node for
/// the page process; each loads Mesa, whose driver brings LLVM (on this 2-core reference machine ~20 MB of
/// PSS in the app process alone). The page process still opens EGL (WebKit aborts without it), but with
/// no render node named and the DMA-BUF renderer off it has nothing to share buffers with and stays on
/// shared memory, as it does without compositing anyway. A variable the user has set is left as it is,
/// so a machine that needs another setting can still have it.
#[cfg(target_os = "linux")]
const LEAN_GRAPHICS_ENV: &[(&str, &str)] = &[
    // GTK 3: no GL for this process (GTK draws the window with cairo either way).
    ("GDK_GL", "disable"),
    // WebKit: frames reach the window through shared memory, not DMA-BUF (no GPU buffers to pass).
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // WebKit: the page process's render device; /dev/null, no GPU, so the app process does not open EGL to look for one.
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
];

#[allow(unsafe_code)]
fn lean_graphics_env() {
    #[cfg(target_os = "linux")]
    for (key, value) in LEAN_GRAPHICS_ENV {
        if std::env::var_os(key).is_none() {
            // SAFETY: called first thing in main, before any other thread exists (nothing before it spawns
            // one: the allocator starts none, and GTK, WebKit, tokio and the server start later), so no
            // thread can be reading the environment while it changes.
            unsafe { std::env::set_var(key, value) };
        }
    }
}

/// WebKitGTK's compositing mode keeps a GPU-style layer tree that nearly doubles the page process's
/// memory (measured: 203 MB → 115 MB PSS without it), and Cairn's pages gain nothing from it: they
/// scroll a virtualized grid. The document-viewer cache model keeps no back-forward or page caches a
/// single-page app never uses.
fn lean_webview(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            settings.set_enable_webgl(false);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

fn tracing_init() {
    use tracing_subscriber::EnvFilter;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("CAIRN_LOG").unwrap_or_else(|_| "cairn=info,warn".into()))
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
