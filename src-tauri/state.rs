//! The shell's state: the open workspace, passed explicitly to every command (no globals), so
//! commands are plain functions that tests call without a window.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use waymark_core::{Workspace, paths};

use crate::documents::Saved;
use crate::error::CommandError;
use crate::jobs::Jobs;
use crate::submissions::Submissions;
use crate::watch::Watch;

/// Everything commands share.
pub struct AppState {
    workspace: Mutex<Result<Workspace, CommandError>>,
    data_dir: PathBuf,
    jobs: Jobs,
    watch: Watch,
    saved_documents: std::sync::Arc<Saved>,
    submissions: Submissions,
}

impl AppState {
    /// Opens the data folder. A failure is kept and shown by the UI, not a crash.
    pub fn open(data_dir: PathBuf) -> Self {
        Self::open_with(data_dir, crate::submissions::Options::default())
    }

    /// The same, with the submission engine's options (`--today`, `--upload-chunk`).
    pub fn open_with(data_dir: PathBuf, options: crate::submissions::Options) -> Self {
        let workspace = Workspace::open(&data_dir).map_err(CommandError::from);
        let jobs = Jobs::new(match &workspace {
            Ok(_) => Ok(data_dir.clone()),
            Err(e) => Err(e.clone()),
        });
        let submissions = Submissions::open(
            match &workspace {
                Ok(_) => Ok(data_dir.as_path()),
                Err(e) => Err(e.clone()),
            },
            options,
        );
        Self {
            workspace: Mutex::new(workspace),
            data_dir,
            jobs,
            watch: Watch::default(),
            saved_documents: std::sync::Arc::default(),
            submissions,
        }
    }

    /// State for when no data folder can be chosen at all (the OS reports no home folder):
    /// the UI explains how to choose one instead of Waymark writing somewhere temporary.
    pub fn without_data_dir() -> Self {
        let mut error = CommandError::from(waymark_core::Error::NoDataDir);
        // The app's own way to choose one: IT admins start it with a folder.
        error.message.push_str(
            " Ask your IT administrator to start Waymark with --data-dir DIR or to set WAYMARK_DATA_DIR.",
        );
        Self {
            workspace: Mutex::new(Err(error.clone())),
            data_dir: PathBuf::new(),
            jobs: Jobs::new(Err(error.clone())),
            watch: Watch::default(),
            saved_documents: std::sync::Arc::default(),
            submissions: Submissions::open(Err(error), crate::submissions::Options::default()),
        }
    }

    /// Documents saved this session (the only files "Open" accepts besides evidence).
    pub fn saved_documents(&self) -> std::sync::Arc<Saved> {
        std::sync::Arc::clone(&self.saved_documents)
    }

    /// The watch on evidence folders.
    pub fn watch(&self) -> &Watch {
        &self.watch
    }

    /// The submission engine (its own connection and runtime, and the background delivery).
    pub fn submissions(&self) -> Submissions {
        self.submissions.clone()
    }

    /// The runner for long evidence work, which uses its own connection.
    pub fn jobs(&self) -> Jobs {
        self.jobs.clone()
    }

    /// The data folder in use.
    pub fn data_dir(&self) -> &PathBuf {
        &self.data_dir
    }

    /// Runs `f` with the workspace locked.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Workspace) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        // A panic while holding the lock would poison it; the workspace itself is still
        // consistent (every write is one transaction), so carry on with it.
        let mut guard: MutexGuard<'_, _> = self.workspace.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Ok(ws) => f(ws),
            Err(e) => Err(e.clone()),
        }
    }

    /// The startup failure, if the data folder could not be opened.
    pub fn startup_error(&self) -> Option<CommandError> {
        let guard = self.workspace.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().err().cloned()
    }
}

/// The data folder: `--data-dir DIR` on the command line, else `WAYMARK_DATA_DIR`, else the
/// OS's per-user app-data folder (the same one the `waymark` CLI uses).
pub fn choose_data_dir(args: impl IntoIterator<Item = String>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(dir) = a.strip_prefix("--data-dir=") {
            return Some(PathBuf::from(dir));
        }
    }
    paths::default_data_dir()
}
