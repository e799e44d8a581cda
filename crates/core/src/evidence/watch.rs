//! Watching evidence folders for changes, so statuses stay current while the app is open
//! without anyone pressing "Check files".
//!
//! [`FolderWatcher`] turns the operating system's change notifications (inotify, FSEvents,
//! ReadDirectoryChangesW, through the `notify` crate) into a few [`ChangeBatch`]es: a burst of
//! events (saving a document, copying a 2 GB video, unzipping 500 photos) is coalesced until
//! the folders have been quiet for the debounce time, and a change that never goes quiet is
//! still reported every ten debounce times. It never touches the database: whoever receives a
//! batch (the desktop shell) runs [`crate::Workspace::rescan_paths`] or
//! [`crate::Workspace::rescan`] on it.
//!
//! Reading a file does not count as a change (a rescan hashing files must not trigger the next
//! rescan). A folder that cannot be watched is reported in a batch as a [`WatchError`], never
//! as a panic, and the other folders go on being watched.

use std::collections::{BTreeSet, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use crate::error::ErrorCode;

/// A change that keeps going (a long copy) is still reported after this many debounce times,
/// so statuses do not lag behind for the whole length of the copy.
pub const MAX_WAIT_FACTOR: u32 = 10;

/// More distinct changed paths than this in one batch are not listed: the batch asks for a
/// full rescan instead (checking them one by one would be slower, and memory stays bounded).
pub const MAX_PATHS: usize = 10_000;

/// Why a folder is not (or no longer) watched. Each message says what the user can do; the
/// codes are stable for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatchError {
    /// The folder is not there (deleted, renamed, or on a drive that is not plugged in).
    #[error(
        "{} is not there, so changes in it are not noticed. If it is on a removable or network drive, connect it; if it was renamed or deleted, remove it from the evidence folders.",
        folder.display()
    )]
    FolderGone {
        /// The folder.
        folder: PathBuf,
    },
    /// The system's limit on watches (inotify's `max_user_watches` or `max_user_instances`)
    /// was reached.
    #[error(
        "The system's limit on watched folders was reached{}, so some changes are not noticed until you check files. On Linux an administrator can raise it (sysctl fs.inotify.max_user_watches=524288).",
        folder.as_ref().map(|f| format!(" while watching {}", f.display())).unwrap_or_default()
    )]
    LimitReached {
        /// The folder being watched when it happened, if known.
        folder: Option<PathBuf>,
    },
    /// The folder cannot be read by this user.
    #[error(
        "{} cannot be watched: permission denied. Ask for access to the folder, or check its files by hand.",
        folder.display()
    )]
    PermissionDenied {
        /// The folder.
        folder: PathBuf,
    },
    /// Anything else the operating system reported.
    #[error(
        "Watching {} failed ({reason}); changes there are noticed only when you check files.",
        folder.as_ref().map(|f| f.display().to_string()).unwrap_or_else(|| "the evidence folders".into())
    )]
    Failed {
        /// The folder concerned, if known.
        folder: Option<PathBuf>,
        /// What the operating system said.
        reason: String,
    },
}

impl WatchError {
    /// A stable, machine-readable code for the UI (one of the core's [`ErrorCode`]s).
    pub fn code(&self) -> ErrorCode {
        match self {
            WatchError::FolderGone { .. } => ErrorCode::WatchFolderGone,
            WatchError::LimitReached { .. } => ErrorCode::WatchLimitReached,
            WatchError::PermissionDenied { .. } => ErrorCode::WatchPermissionDenied,
            WatchError::Failed { .. } => ErrorCode::WatchFailed,
        }
    }

    /// The folder concerned, if known.
    pub fn folder(&self) -> Option<&Path> {
        match self {
            WatchError::FolderGone { folder } | WatchError::PermissionDenied { folder } => {
                Some(folder)
            }
            WatchError::LimitReached { folder } | WatchError::Failed { folder, .. } => {
                folder.as_deref()
            }
        }
    }

    /// Classifies what `notify` reported about `folder`.
    fn from_notify(e: &notify::Error, folder: Option<&Path>) -> Self {
        let folder = folder
            .map(Path::to_owned)
            .or_else(|| e.paths.first().cloned());
        match &e.kind {
            notify::ErrorKind::MaxFilesWatch => WatchError::LimitReached { folder },
            notify::ErrorKind::PathNotFound => match folder {
                Some(folder) => WatchError::FolderGone { folder },
                None => WatchError::Failed {
                    folder: None,
                    reason: "a folder is not there".into(),
                },
            },
            notify::ErrorKind::Io(io) => Self::from_io(io, folder),
            notify::ErrorKind::Generic(reason) => WatchError::Failed {
                folder,
                reason: reason.clone(),
            },
            other => WatchError::Failed {
                folder,
                reason: format!("{other:?}"),
            },
        }
    }

    fn from_io(e: &io::Error, folder: Option<PathBuf>) -> Self {
        // EMFILE from inotify_init: too many inotify instances for this user.
        const EMFILE: i32 = 24;
        match (e.kind(), folder) {
            (io::ErrorKind::NotFound, Some(folder)) => WatchError::FolderGone { folder },
            (io::ErrorKind::PermissionDenied, Some(folder)) => {
                WatchError::PermissionDenied { folder }
            }
            (_, folder) if cfg!(target_os = "linux") && e.raw_os_error() == Some(EMFILE) => {
                WatchError::LimitReached { folder }
            }
            (_, folder) => WatchError::Failed {
                folder,
                reason: e.to_string(),
            },
        }
    }
}

/// What changed in the watched folders since the last batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeBatch {
    /// Paths created, modified, removed or renamed (both names of a rename), sorted, each
    /// once. A folder's path stands for everything in it.
    pub paths: Vec<PathBuf>,
    /// Changes may have been missed (the system's event queue overflowed, or too many paths
    /// changed to list): run a full [`crate::Workspace::rescan`] rather than checking `paths`.
    pub rescan_all: bool,
    /// Folders that could not be watched, or stopped being watched; the rest still are.
    pub warnings: Vec<WatchError>,
}

impl ChangeBatch {
    /// Whether the batch carries anything at all.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan_all && self.warnings.is_empty()
    }
}

/// What the coalescing thread receives.
enum Msg {
    Event(notify::Result<notify::Event>),
    Warnings(Vec<WatchError>),
    Folders(Vec<PathBuf>),
    Stop,
}

/// Watches folders recursively on a thread of its own and calls back with coalesced
/// [`ChangeBatch`]es. Dropping it stops watching and waits for the thread to finish (after the
/// callback returns, if it is running: do not drop the watcher while holding a lock the
/// callback needs).
pub struct FolderWatcher {
    watcher: Option<RecommendedWatcher>,
    /// Folders with a working watch.
    watched: BTreeSet<PathBuf>,
    /// Watched folders the thread saw disappear; watched again by the next `set_folders`.
    lost: Arc<Mutex<HashSet<PathBuf>>>,
    tx: mpsc::Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FolderWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWatcher")
            .field("watched", &self.watched)
            .finish_non_exhaustive()
    }
}

impl FolderWatcher {
    /// Starts watching `folders` (recursively; symlinked folders inside are not followed, as
    /// scans do not follow them). `on_change` runs on the watcher's thread once the folders
    /// have been quiet for `debounce` after a change (or every `MAX_WAIT_FACTOR` × `debounce`
    /// while changes keep coming). Folders that cannot be watched are reported in the first
    /// batch; only a watcher that cannot start at all is an error (the app then relies on
    /// rescans, and should say so).
    pub fn start(
        folders: &[PathBuf],
        debounce: Duration,
        on_change: impl FnMut(ChangeBatch) + Send + 'static,
    ) -> Result<Self, WatchError> {
        let (tx, rx) = mpsc::channel();
        let events = tx.clone();
        let config = notify::Config::default().with_follow_symlinks(false);
        let watcher = RecommendedWatcher::new(
            move |event| {
                // The receiver is gone only when the watcher is being dropped.
                let _ = events.send(Msg::Event(event));
            },
            config,
        )
        .map_err(|e| WatchError::from_notify(&e, None))?;
        let lost = Arc::new(Mutex::new(HashSet::new()));
        let thread_lost = Arc::clone(&lost);
        let thread = std::thread::Builder::new()
            .name("waymark-folder-watcher".into())
            .spawn(move || coalesce(&rx, debounce, &thread_lost, on_change))
            .map_err(|e| WatchError::Failed {
                folder: None,
                reason: e.to_string(),
            })?;
        let mut this = Self {
            watcher: Some(watcher),
            watched: BTreeSet::new(),
            lost,
            tx,
            thread: Some(thread),
        };
        this.set_folders(folders);
        Ok(this)
    }

    /// Watches exactly `folders` from now on: new ones are added, ones no longer listed are
    /// dropped, and ones that were lost (deleted, drive unplugged) are tried again. Call it
    /// whenever evidence is added or removed, with [`crate::Workspace::watched_folders`].
    /// Folders that cannot be watched are reported in the next batch.
    pub fn set_folders(&mut self, folders: &[PathBuf]) {
        let wanted: BTreeSet<PathBuf> = folders.iter().cloned().collect();
        let lost: HashSet<PathBuf> =
            std::mem::take(&mut *self.lost.lock().unwrap_or_else(PoisonError::into_inner));
        let mut warnings = Vec::new();
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        let stale: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|f| !wanted.contains(*f) || lost.contains(*f))
            .cloned()
            .collect();
        for folder in stale {
            // A lost folder's watch is already gone; nothing to report.
            let _ = watcher.unwatch(&folder);
            self.watched.remove(&folder);
        }
        for folder in wanted {
            if self.watched.contains(&folder) {
                continue;
            }
            match watcher.watch(&folder, RecursiveMode::Recursive) {
                Ok(()) => {
                    self.watched.insert(folder);
                }
                Err(e) => {
                    // A recursive watch that failed half-way leaves some subfolders watched:
                    // free them, so the folder is either watched whole or reported.
                    let _ = watcher.unwatch(&folder);
                    warnings.push(WatchError::from_notify(&e, Some(&folder)));
                }
            }
        }
        let _ = self
            .tx
            .send(Msg::Folders(self.watched.iter().cloned().collect()));
        if !warnings.is_empty() {
            let _ = self.tx.send(Msg::Warnings(warnings));
        }
    }

    /// The folders being watched now (those that could not be are not listed).
    pub fn folders(&self) -> Vec<PathBuf> {
        self.watched.iter().cloned().collect()
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        // Dropping notify's watcher stops its own thread and the flow of events.
        self.watcher.take();
        if let Some(thread) = self.thread.take() {
            // Dropped from inside the callback: the thread ends by itself after it returns.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

/// Whether an event means something may have changed on disk. Opening and reading files (as
/// a rescan does) does not.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Changes gathered for the next batch.
#[derive(Default)]
struct Pending {
    paths: HashSet<PathBuf>,
    rescan_all: bool,
    warnings: Vec<WatchError>,
}

impl Pending {
    /// Takes in one message; `true` when it carried news (so the quiet period starts again).
    fn add(&mut self, msg: Msg, folders: &mut Vec<PathBuf>) -> bool {
        match msg {
            Msg::Event(Ok(event)) => {
                if event.need_rescan() {
                    self.rescan_all = true;
                    return true;
                }
                if !is_change(&event.kind) || event.paths.is_empty() {
                    return false;
                }
                if !self.rescan_all {
                    self.paths.extend(event.paths);
                    if self.paths.len() > MAX_PATHS {
                        self.paths.clear();
                        self.rescan_all = true;
                    }
                }
                true
            }
            Msg::Event(Err(e)) => {
                let warning = WatchError::from_notify(&e, None);
                // Changes may have been missed wherever the watch failed.
                self.rescan_all = true;
                if !self.warnings.contains(&warning) {
                    self.warnings.push(warning);
                }
                true
            }
            Msg::Warnings(w) => {
                self.warnings.extend(w);
                true
            }
            Msg::Folders(f) => {
                *folders = f;
                false
            }
            Msg::Stop => false,
        }
    }

    fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan_all && self.warnings.is_empty()
    }

    /// The batch, noting watched folders that have disappeared (their watch is gone).
    fn take(&mut self, folders: &[PathBuf], lost: &Mutex<HashSet<PathBuf>>) -> ChangeBatch {
        let mut paths: Vec<PathBuf> = self.paths.drain().collect();
        paths.sort();
        let mut warnings = std::mem::take(&mut self.warnings);
        for folder in folders {
            if paths.binary_search(folder).is_ok() && !folder.is_dir() {
                lost.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(folder.clone());
                warnings.push(WatchError::FolderGone {
                    folder: folder.clone(),
                });
            }
        }
        ChangeBatch {
            paths,
            rescan_all: std::mem::take(&mut self.rescan_all),
            warnings,
        }
    }
}

/// The watcher's thread: waits for a change, gathers what follows until the folders are
/// quiet for `debounce` (or `MAX_WAIT_FACTOR` × `debounce` has passed), then calls back.
fn coalesce(
    rx: &mpsc::Receiver<Msg>,
    debounce: Duration,
    lost: &Mutex<HashSet<PathBuf>>,
    mut on_change: impl FnMut(ChangeBatch),
) {
    let max_wait = debounce * MAX_WAIT_FACTOR;
    let mut folders = Vec::new();
    let mut pending = Pending::default();
    loop {
        match rx.recv() {
            Ok(Msg::Stop) | Err(_) => return,
            Ok(msg) => {
                if !pending.add(msg, &mut folders) {
                    continue;
                }
            }
        }
        let first = Instant::now();
        let mut last = first;
        loop {
            let deadline = (last + debounce).min(first + max_wait);
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match rx.recv_timeout(left) {
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(msg) => {
                    if pending.add(msg, &mut folders) {
                        last = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        if !pending.is_empty() {
            on_change(pending.take(&folders, lost));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBOUNCE: Duration = Duration::from_millis(200);
    /// Generous: the test machine may be busy compiling.
    const PATIENCE: Duration = Duration::from_secs(10);

    fn watch(folders: &[PathBuf]) -> (FolderWatcher, mpsc::Receiver<ChangeBatch>) {
        watch_with(folders, DEBOUNCE)
    }

    fn watch_with(
        folders: &[PathBuf],
        debounce: Duration,
    ) -> (FolderWatcher, mpsc::Receiver<ChangeBatch>) {
        let (tx, rx) = mpsc::channel();
        let watcher = FolderWatcher::start(folders, debounce, move |b| {
            let _ = tx.send(b);
        })
        .expect("start");
        (watcher, rx)
    }

    /// Batches until one names a path ending in `name`.
    fn until_named(rx: &mpsc::Receiver<ChangeBatch>, name: &str) -> Vec<ChangeBatch> {
        let end = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(b) => {
                    let hit = b.paths.iter().any(|p| p.ends_with(name));
                    seen.push(b);
                    if hit {
                        return seen;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no batch named {name} within {PATIENCE:?}; got {seen:?}");
    }

    /// Everything that arrives until the folders have been quiet for `quiet`.
    fn drain(rx: &mpsc::Receiver<ChangeBatch>, quiet: Duration) -> Vec<ChangeBatch> {
        let mut seen = Vec::new();
        while let Ok(b) = rx.recv_timeout(quiet) {
            seen.push(b);
        }
        seen
    }

    #[test]
    fn creating_modifying_renaming_and_deleting_are_each_reported_with_the_path() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().join("evidence");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        let (_watcher, rx) = watch(std::slice::from_ref(&root));
        let file = root.join("sub/policy.txt");

        std::fs::write(&file, "v1").expect("create");
        until_named(&rx, "policy.txt");
        std::fs::write(&file, "v2, longer").expect("modify");
        until_named(&rx, "policy.txt");
        let renamed = root.join("renamed.txt");
        std::fs::rename(&file, &renamed).expect("rename");
        let batches = until_named(&rx, "renamed.txt");
        let all: Vec<&PathBuf> = batches.iter().flat_map(|b| &b.paths).collect();
        assert!(all.contains(&&file), "both names of a rename: {all:?}");
        std::fs::remove_file(&renamed).expect("delete");
        until_named(&rx, "renamed.txt");

        // A subfolder made after the watch started is watched too.
        std::fs::create_dir(root.join("new")).expect("mkdir");
        std::thread::sleep(DEBOUNCE);
        std::fs::write(root.join("new/late.txt"), "x").expect("write");
        until_named(&rx, "late.txt");
    }

    #[test]
    fn a_burst_of_writes_is_a_few_batches_and_reading_is_not_a_change() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().to_owned();
        // Half a second: the 200 writes take milliseconds, even on a busy machine.
        let debounce = Duration::from_millis(500);
        let (_watcher, rx) = watch_with(std::slice::from_ref(&root), debounce);
        for i in 0..200 {
            std::fs::write(root.join(format!("photo-{i:03}.jpg")), [i as u8; 4096]).expect("write");
        }
        let batches = drain(&rx, debounce * 4);
        let paths: HashSet<&PathBuf> = batches.iter().flat_map(|b| &b.paths).collect();
        assert_eq!(paths.len(), 200, "every file named once");
        assert!(
            (1..=3).contains(&batches.len()),
            "200 writes in {} batches",
            batches.len()
        );

        // A rescan reads (hashes) files: that must not trigger the next rescan.
        for i in 0..200 {
            std::fs::read(root.join(format!("photo-{i:03}.jpg"))).expect("read");
        }
        assert!(drain(&rx, debounce * 4).is_empty(), "reads are not changes");
    }

    #[test]
    fn a_change_that_never_goes_quiet_is_still_reported_before_it_ends() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().to_owned();
        let (_watcher, rx) = watch(std::slice::from_ref(&root));
        // Like a long copy: a write every 50 ms for 4 s, never quiet for the 200 ms debounce.
        let video = root.join("video.mp4");
        let mut out = std::fs::File::create(&video).expect("create");
        let start = Instant::now();
        let mut first_batch = None;
        while start.elapsed() < Duration::from_secs(4) {
            use std::io::Write as _;
            out.write_all(&[0u8; 64 * 1024]).expect("write");
            out.flush().expect("flush");
            if first_batch.is_none() && rx.try_recv().is_ok() {
                first_batch = Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(out);
        let rest = drain(&rx, DEBOUNCE * 5);
        let first = first_batch.expect("a batch arrived while the copy was still going");
        assert!(first < Duration::from_secs(4), "after {first:?}");
        // 80 writes: about a batch per 2 s (plus the last one), not one per write; a little
        // slack for a busy machine pausing the writer past the debounce time.
        assert!(rest.len() <= 5, "{} more batches", rest.len());
    }

    #[test]
    fn folders_that_cannot_be_watched_are_reported_and_the_rest_still_work() {
        let dir = tempfile::tempdir().expect("dir");
        let good = dir.path().join("good");
        let gone = dir.path().join("gone");
        std::fs::create_dir(&good).expect("mkdir");
        let (mut watcher, rx) = watch(&[gone.clone(), good.clone()]);
        let first = rx.recv_timeout(PATIENCE).expect("a batch");
        assert_eq!(
            first.warnings,
            [WatchError::FolderGone {
                folder: gone.clone()
            }]
        );
        assert_eq!(first.warnings[0].code(), ErrorCode::WatchFolderGone);
        assert!(first.warnings[0].to_string().contains("remove it from"));
        assert_eq!(watcher.folders(), std::slice::from_ref(&good));

        std::fs::write(good.join("a.txt"), "a").expect("write");
        until_named(&rx, "a.txt");

        // The folder appears (a drive plugged in): setting the folders again watches it.
        std::fs::create_dir(&gone).expect("mkdir");
        watcher.set_folders(&[gone.clone(), good.clone()]);
        assert_eq!(watcher.folders(), [gone.clone(), good.clone()]);
        std::fs::write(gone.join("b.txt"), "b").expect("write");
        until_named(&rx, "b.txt");

        // Removing a folder from the list stops its events.
        watcher.set_folders(std::slice::from_ref(&good));
        std::fs::write(gone.join("c.txt"), "c").expect("write");
        std::fs::write(good.join("d.txt"), "d").expect("write");
        let batches = until_named(&rx, "d.txt");
        assert!(
            batches
                .iter()
                .flat_map(|b| &b.paths)
                .all(|p| !p.ends_with("c.txt")),
            "{batches:?}"
        );

        // A watched folder deleted while watched is reported, and watched again once back.
        std::fs::remove_dir_all(&good).expect("rm");
        let batches = until_named(&rx, "good");
        assert!(
            batches.iter().flat_map(|b| &b.warnings).any(|w| *w
                == WatchError::FolderGone {
                    folder: good.clone()
                }),
            "{batches:?}"
        );
        std::fs::create_dir(&good).expect("mkdir");
        watcher.set_folders(std::slice::from_ref(&good));
        std::fs::write(good.join("e.txt"), "e").expect("write");
        until_named(&rx, "e.txt");
    }

    #[test]
    fn the_system_s_errors_become_warnings_that_say_what_to_do() {
        let folder = PathBuf::from("/school/evidence");
        let limit = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
        let w = WatchError::from_notify(&limit, Some(&folder));
        assert_eq!(w.code(), ErrorCode::WatchLimitReached);
        assert!(w.to_string().contains("max_user_watches"), "{w}");
        assert_eq!(w.folder(), Some(folder.as_path()));
        let denied = notify::Error::io(io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(
            WatchError::from_notify(&denied, Some(&folder)).code(),
            ErrorCode::WatchPermissionDenied
        );
        let other = notify::Error::generic("backend exploded");
        let w = WatchError::from_notify(&other, None);
        assert_eq!(w.code(), ErrorCode::WatchFailed);
        assert!(w.to_string().contains("backend exploded"), "{w}");

        // A lost event queue (inotify overflow) asks for a full rescan.
        let mut pending = Pending::default();
        let overflow = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert!(pending.add(Msg::Event(Ok(overflow)), &mut Vec::new()));
        let lost = Mutex::new(HashSet::new());
        assert!(pending.take(&[], &lost).rescan_all);
        // Too many paths to list: a full rescan instead.
        for i in 0..=MAX_PATHS {
            let e = notify::Event::new(EventKind::Create(notify::event::CreateKind::File))
                .add_path(PathBuf::from(format!("/f{i}")));
            pending.add(Msg::Event(Ok(e)), &mut Vec::new());
        }
        let batch = pending.take(&[], &lost);
        assert!(batch.rescan_all && batch.paths.is_empty());
    }

    #[test]
    fn the_watcher_can_live_in_shared_state() {
        fn shareable<T: Send + Sync>() {}
        shareable::<FolderWatcher>();
        shareable::<ChangeBatch>();
    }

    #[test]
    fn dropping_the_watcher_stops_its_thread_and_calls_back_no_more() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().to_owned();
        let calls = Arc::new(Mutex::new(0u32));
        let counted = Arc::clone(&calls);
        let watcher = FolderWatcher::start(std::slice::from_ref(&root), DEBOUNCE, move |_| {
            *counted.lock().expect("lock") += 1;
        })
        .expect("start");
        std::fs::write(root.join("a.txt"), "a").expect("write");
        // Dropped during the debounce: the pending batch is not delivered after the drop.
        drop(watcher);
        let after_drop = *calls.lock().expect("lock");
        std::fs::write(root.join("b.txt"), "b").expect("write");
        std::thread::sleep(DEBOUNCE * 3);
        assert_eq!(*calls.lock().expect("lock"), after_drop);
        assert_eq!(
            Arc::strong_count(&calls),
            1,
            "the thread and its callback are gone"
        );
    }
}
