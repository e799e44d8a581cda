//! Long evidence work (adding a folder of videos, rescans, freezing) runs beside the UI's
//! workspace, not inside it: each job opens its own connection to the same database (SQLite in
//! WAL mode lets the UI read and autosave meanwhile), jobs run one at a time, and the one
//! running can be cancelled (the core then records nothing).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use waymark_core::Workspace;
use waymark_core::store::Review;

use crate::error::CommandError;

/// Shared handle to the job runner; cheap to clone into a background thread.
#[derive(Clone)]
pub struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    /// The data folder, or why there is none (the startup error the UI already shows).
    data_dir: Result<PathBuf, CommandError>,
    /// Where the folder's data key is kept (the OS keychain in the app).
    keys: Arc<dyn waymark_core::KeyStore>,
    /// Held while a job runs: two rescans at once would only race to record the same facts.
    running: Mutex<()>,
    /// Set by "Cancel"; checked between files.
    cancel: AtomicBool,
}

impl Jobs {
    /// A runner for jobs on `data_dir`.
    pub fn new(
        data_dir: Result<PathBuf, CommandError>,
        keys: Arc<dyn waymark_core::KeyStore>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                data_dir,
                keys,
                running: Mutex::new(()),
                cancel: AtomicBool::new(false),
            }),
        }
    }

    /// Runs `f` on a workspace of its own for the current review, after any job already
    /// running. `f` gets a check that turns true once the user has asked to cancel.
    pub fn run<T>(
        &self,
        f: impl FnOnce(&mut Workspace, &Review, &dyn Fn() -> bool) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let dir = self.inner.data_dir.clone()?;
        // A job that panicked leaves nothing half-done (each write is one transaction).
        let _one_at_a_time = self.inner.running.lock().unwrap_or_else(|p| p.into_inner());
        self.inner.cancel.store(false, Ordering::SeqCst);
        let mut ws = Workspace::open_with_keys(&dir, self.inner.keys.clone())?;
        let review = ws.current_review(None)?;
        let cancelled = || self.inner.cancel.load(Ordering::SeqCst);
        f(&mut ws, &review, &cancelled)
    }

    /// Runs `f` on a workspace of its own, after any job already running, whether or not a
    /// review is registered (exporting the whole folder).
    pub fn run_on_folder<T>(
        &self,
        f: impl FnOnce(&mut Workspace) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let dir = self.inner.data_dir.clone()?;
        let _one_at_a_time = self.inner.running.lock().unwrap_or_else(|p| p.into_inner());
        let mut ws = Workspace::open_with_keys(&dir, self.inner.keys.clone())?;
        f(&mut ws)
    }

    /// Keeps every job out (after the one running, if any) while the guard lives: erasure
    /// closes every connection to the folder first.
    pub fn exclusive(&self) -> MutexGuard<'_, ()> {
        self.inner.cancel.store(true, Ordering::SeqCst);
        self.inner.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks the running job to stop at its next file.
    pub fn cancel(&self) {
        self.inner.cancel.store(true, Ordering::SeqCst);
    }
}
