//! Generates the Tauri context and restricts the app's own commands: each gets an
//! `allow-<command>` permission, and only the capabilities in tauri.conf.json grant them.

/// Keeps only the names from the one declaration of the commands (command_list.rs); the
/// types there are parsed, never resolved, so this build script needs none of them.
macro_rules! app_commands {
    (
        infallible { $($im:ident :: $iname:ident ( $($iarg:ident : $ity:ty),* ) -> $iret:ty;)* }
        quick { $($qm:ident :: $qname:ident ( $($qarg:ident : $qty:ty),* ) -> $qret:ty;)* }
        job { $($jname:ident ( $($jarg:ident : $jty:ty),* ) -> $jret:ty;)* }
        job_with_progress { $($pname:ident ( $($parg:ident : $pty:ty),* ) -> $pret:ty;)* }
        network { $($nm:ident :: $nname:ident ( $($narg:ident : $nty:ty),* ) -> $nret:ty;)* }
        network_with_progress { $($wm:ident :: $wname:ident ( $($warg:ident : $wty:ty),* ) -> $wret:ty, $wprog:ty;)* }
        own { $($oname:ident ( $($oarg:ident : $oty:ty),* ) -> $oret:ty;)* }
    ) => {
        const COMMANDS: &[&str] = &[
            $(stringify!($iname),)* $(stringify!($qname),)* $(stringify!($jname),)*
            $(stringify!($pname),)* $(stringify!($nname),)* $(stringify!($wname),)*
            $(stringify!($oname),)*
        ];
    };
}

include!("command_list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/command_list.rs");
    leave_the_cli_to_the_bundler();
    // The capabilities are declared in tauri.conf.json, not in files. Left to its default,
    // tauri-build watches a `capabilities` folder that does not exist, which cargo takes as
    // always changed: the app was rebuilt on every build. This pattern matches no file.
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/*.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build step failed: check tauri.conf.json");
}

/// Installers carry the `waymark` CLI as an external binary (tauri.conf.json,
/// `bundle.externalBin`), which scripts/stage-cli.mjs builds and puts in binaries/ just before
/// bundling (Tauri's beforeBundleCommand), that is after this build. The bundler takes it from
/// binaries/ itself; tauri_build would only copy it next to the app, which is wrong twice over:
/// it fails on a clean clone (nothing staged yet), and once something is staged it overwrites
/// the freshly built `target/<profile>/waymark` with that older staged copy (same name). So this
/// build always leaves it out: the app never runs the CLI.
#[allow(unsafe_code)] // std::env::set_var, sound here: see SAFETY below.
fn leave_the_cli_to_the_bundler() {
    // The same merge patch a `--config` of the Tauri CLI would be, over any it already set.
    let mut patch: serde_json::Value = std::env::var("TAURI_CONFIG")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    if !patch.is_object() {
        patch = serde_json::json!({});
    }
    let bundle = patch
        .as_object_mut()
        .map(|p| p.entry("bundle").or_insert_with(|| serde_json::json!({})));
    if let Some(serde_json::Value::Object(bundle)) = bundle {
        // null removes the key (JSON merge patch, as tauri_build applies TAURI_CONFIG).
        bundle.insert("externalBin".into(), serde_json::Value::Null);
    }
    // SAFETY: this build script has started no threads (tauri_build runs after this, on this
    // thread), so nothing reads the environment while it is changed.
    unsafe { std::env::set_var("TAURI_CONFIG", patch.to_string()) };
}
