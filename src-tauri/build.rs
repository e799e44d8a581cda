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
        own { $($oname:ident ( $($oarg:ident : $oty:ty),* ) -> $oret:ty;)* }
    ) => {
        const COMMANDS: &[&str] = &[
            $(stringify!($iname),)* $(stringify!($qname),)* $(stringify!($jname),)*
            $(stringify!($pname),)* $(stringify!($oname),)*
        ];
    };
}

include!("command_list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/command_list.rs");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build step failed: check tauri.conf.json");
}
