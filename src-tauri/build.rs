//! Generates the Tauri context and restricts the app's own commands: each gets an
//! `allow-<command>` permission, and only the capabilities in tauri.conf.json grant them.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(waymark_app_commands::COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build step failed: check tauri.conf.json");
}

/// The command list, shared with the shell's source so the two cannot drift apart.
#[path = "commands_list.rs"]
mod waymark_app_commands;
