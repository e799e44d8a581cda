//! Where Waymark keeps its data: one folder per user, the same for the app and the CLI.

use std::path::PathBuf;

/// The app's identifier; the data folder is named after it, as Tauri names its app-data folder.
pub const APP_IDENTIFIER: &str = "org.waymark.desktop";

/// Environment variable that overrides the data folder (for tests and IT admins).
pub const DATA_DIR_ENV: &str = "WAYMARK_DATA_DIR";

/// The data folder: `WAYMARK_DATA_DIR` if set, else the OS's per-user data folder
/// (`~/.local/share/org.waymark.desktop` on Linux, `%APPDATA%\org.waymark.desktop` on Windows,
/// `~/Library/Application Support/org.waymark.desktop` on macOS). `None` only when the OS
/// reports no home folder.
pub fn default_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::BaseDirs::new().map(|b| b.data_dir().join(APP_IDENTIFIER))
}
