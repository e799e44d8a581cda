//! The shell's state: the open workspace, passed explicitly to every command (no globals), so
//! commands are plain functions that tests call without a window.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use waymark_core::{KeyStore, OsKeychain, Workspace, paths};

use crate::assessor::Assessor;
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
    /// The awarding body's signed confirmation of the last erasure it made at this app's
    /// request (JSON), kept in memory only, to be saved where the lead chooses.
    erasure_proof: Mutex<Option<String>>,
    /// Where the folder's data key is kept (to open it again after an erasure).
    keys: std::sync::Arc<dyn KeyStore>,
    /// The assessor's workspace: a profile of its own, never the school's data folder.
    assessor: Assessor,
}

/// Until [`AppState::with_assessor`] gives one, no assessor profile is used (the shell's tests
/// and the UI's recordings never touch the user's real one).
fn no_assessor() -> Assessor {
    Assessor::new(
        Err(CommandError::new(
            waymark_core::ErrorCode::Assessment,
            "This window has no assessor workspace.",
        )),
        None,
    )
}

impl AppState {
    /// Opens the data folder. A failure is kept and shown by the UI, not a crash.
    pub fn open(data_dir: PathBuf) -> Self {
        Self::open_with(data_dir, crate::submissions::Options::default())
    }

    /// The same, with the submission engine's options (`--today`, `--upload-chunk`).
    pub fn open_with(data_dir: PathBuf, options: crate::submissions::Options) -> Self {
        Self::open_with_keys(data_dir, options, std::sync::Arc::new(OsKeychain))
    }

    /// For the shell's tests and the UI's recordings: the folder's key in memory, shared by
    /// every state of the test process (a folder opened again finds its key).
    #[cfg(test)]
    pub fn open_for_tests(data_dir: PathBuf) -> Self {
        static KEYS: std::sync::OnceLock<std::sync::Arc<waymark_core::EphemeralKeys>> =
            std::sync::OnceLock::new();
        let keys = KEYS.get_or_init(waymark_core::EphemeralKeys::new).clone();
        Self::open_with_keys(data_dir, crate::submissions::Options::default(), keys)
    }

    /// The same, with the folder's data key kept in `keys` instead of the OS keychain (the
    /// shell's tests and the UI's recordings use [`waymark_core::EphemeralKeys`]).
    pub fn open_with_keys(
        data_dir: PathBuf,
        options: crate::submissions::Options,
        keys: std::sync::Arc<dyn KeyStore>,
    ) -> Self {
        let workspace =
            Workspace::open_with_keys(&data_dir, keys.clone()).map_err(CommandError::from);
        let jobs = Jobs::new(
            match &workspace {
                Ok(_) => Ok(data_dir.clone()),
                Err(e) => Err(e.clone()),
            },
            keys.clone(),
        );
        let submissions = Submissions::open(
            match &workspace {
                Ok(_) => Ok(data_dir.as_path()),
                Err(e) => Err(e.clone()),
            },
            options,
            keys.clone(),
        );
        Self {
            workspace: Mutex::new(workspace),
            data_dir,
            jobs,
            watch: Watch::default(),
            saved_documents: std::sync::Arc::default(),
            submissions,
            erasure_proof: Mutex::new(None),
            keys,
            assessor: no_assessor(),
        }
    }

    /// The same state with the assessor's workspace on its own profile folder.
    pub fn with_assessor(mut self, assessor: Assessor) -> Self {
        self.assessor = assessor;
        self
    }

    /// The assessor's workspace.
    pub fn assessor(&self) -> &Assessor {
        &self.assessor
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
            jobs: Jobs::new(Err(error.clone()), std::sync::Arc::new(OsKeychain)),
            watch: Watch::default(),
            saved_documents: std::sync::Arc::default(),
            submissions: Submissions::open(
                Err(error),
                crate::submissions::Options::default(),
                std::sync::Arc::new(OsKeychain),
            ),
            erasure_proof: Mutex::new(None),
            keys: std::sync::Arc::new(OsKeychain),
            assessor: no_assessor(),
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

    /// Takes the UI's workspace out (erasure consumes it); commands find the folder closed
    /// until [`AppState::reopen`].
    pub fn take_workspace(&self) -> Result<Workspace, CommandError> {
        let mut guard = self.workspace.lock().unwrap_or_else(|p| p.into_inner());
        let closed = CommandError::new(
            waymark_core::ErrorCode::Internal,
            "The data folder is being erased. Wait a moment.",
        );
        std::mem::replace(&mut *guard, Err(closed))
    }

    /// Puts a workspace back (an erasure that failed before removing anything).
    pub fn put_back(&self, ws: Workspace) {
        *self.workspace.lock().unwrap_or_else(|p| p.into_inner()) = Ok(ws);
    }

    /// Opens the data folder again (after an erasure: a new, empty one, for the first-run
    /// screen).
    pub fn reopen(&self) {
        let ws = Workspace::open_with_keys(&self.data_dir, self.keys.clone())
            .map_err(CommandError::from);
        *self.workspace.lock().unwrap_or_else(|p| p.into_inner()) = ws;
    }

    /// The awarding body's signed confirmation of an erasure, kept until saved or replaced.
    pub fn erasure_proof(&self) -> &Mutex<Option<String>> {
        &self.erasure_proof
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
