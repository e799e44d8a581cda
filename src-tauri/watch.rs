//! Keeps evidence statuses live: a rescan when the app starts, then a watch on the evidence
//! folders that re-checks (as a background job) the files under whatever changed. The UI hears
//! of every change through the [`crate::EVIDENCE_CHANGED`] event; folders that cannot be
//! watched are listed for the evidence screen, which then suggests checking by hand.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tauri::{AppHandle, Emitter};
use waymark_core::evidence::{ChangeBatch, FolderWatcher};

use crate::error::CommandError;
use crate::jobs::Jobs;

/// How long folders must be quiet before their changes are checked: long enough that copying
/// a large video in is one check, short enough to feel live.
const DEBOUNCE: Duration = Duration::from_millis(700);

enum Msg {
    /// Evidence was added or removed: the set of folders to watch may differ.
    FoldersChanged,
    /// Files changed in the watched folders.
    Changes(ChangeBatch),
}

/// The shell's handle on the watch (cheap to clone): commands tell it when evidence folders
/// change, and it keeps the problems it met for the evidence screen.
#[derive(Clone)]
pub struct Watch {
    inner: Arc<Inner>,
}

struct Inner {
    tx: Sender<Msg>,
    rx: Mutex<Option<Receiver<Msg>>>,
    problems: Mutex<Vec<CommandError>>,
}

impl Default for Watch {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Self {
            inner: Arc::new(Inner {
                tx,
                rx: Mutex::new(Some(rx)),
                problems: Mutex::new(Vec::new()),
            }),
        }
    }
}

impl Watch {
    /// Says that evidence was added or removed, so the watched folders are worked out again.
    pub fn folders_changed(&self) {
        // Before start() or after the thread ended there is nobody to tell, and nothing to do.
        let _ = self.inner.tx.send(Msg::FoldersChanged);
    }

    /// Folders that could not be watched, each with its code (empty when all is well).
    pub fn problems(&self) -> Vec<CommandError> {
        self.inner
            .problems
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_problems(&self, problems: Vec<CommandError>) {
        *self
            .inner
            .problems
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = problems;
    }

    /// Runs the start-up rescan, then watches, on a thread of its own. Only the first call
    /// starts anything.
    pub fn start(&self, app: AppHandle, jobs: Jobs, data_dir: PathBuf) {
        let taken = self
            .inner
            .rx
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(rx) = taken else {
            return;
        };
        let tx = self.inner.tx.clone();
        let this = self.clone();
        std::thread::spawn(move || this.run(&app, &jobs, &data_dir, &rx, tx));
    }

    fn run(
        &self,
        app: &AppHandle,
        jobs: &Jobs,
        data_dir: &Path,
        rx: &Receiver<Msg>,
        tx: Sender<Msg>,
    ) {
        // Not registered yet, or the data folder failed: nothing to check (the UI explains);
        // registering and adding evidence later sends FoldersChanged.
        let folders = jobs
            .run(|ws, review, cancelled| {
                ws.rescan_with(review, &mut |_| !cancelled())?;
                Ok(ws.watched_folders(review)?)
            })
            .inspect(|_| announce(app))
            .unwrap_or_default();
        let mut watcher = match FolderWatcher::start(&folders, DEBOUNCE, move |batch| {
            let _ = tx.send(Msg::Changes(batch));
        }) {
            Ok(w) => w,
            Err(e) => {
                self.set_problems(vec![CommandError::new(
                    e.code(),
                    format!(
                        "Waymark cannot watch evidence folders on this computer ({e}). Statuses are checked when Waymark starts; choose “Check files now” after changing files."
                    ),
                )]);
                return;
            }
        };
        let mut problems = Vec::new();
        for msg in rx {
            match msg {
                Msg::FoldersChanged => {
                    if let Ok(folders) = jobs.run(|ws, review, _| Ok(ws.watched_folders(review)?)) {
                        problems.clear();
                        watcher.set_folders(&folders);
                    }
                }
                Msg::Changes(batch) => {
                    problems.extend(
                        batch
                            .warnings
                            .iter()
                            .map(|w| CommandError::new(w.code(), w.to_string())),
                    );
                    // The database lives in the data folder; if an evidence folder holds it,
                    // Waymark's own writes must not set off another check.
                    let paths: Vec<PathBuf> = batch
                        .paths
                        .into_iter()
                        .filter(|p| !p.starts_with(data_dir))
                        .collect();
                    if batch.rescan_all || !paths.is_empty() {
                        let checked = jobs.run(|ws, review, _| {
                            if batch.rescan_all {
                                ws.rescan(review)?;
                            } else {
                                ws.rescan_paths(review, &paths)?;
                            }
                            Ok(())
                        });
                        if checked.is_ok() {
                            announce(app);
                        }
                    }
                }
            }
            problems.dedup();
            self.set_problems(problems.clone());
        }
    }
}

fn announce(app: &AppHandle) {
    let _ = app.emit(crate::EVIDENCE_CHANGED, ());
}
