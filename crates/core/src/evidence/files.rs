//! Reading the disk: file facts, streaming BLAKE3 hashes, and walking folders safely.

use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Size and modified time, as recorded and compared by a rescan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFacts {
    /// Bytes.
    pub size: u64,
    /// Modified time in nanoseconds since 1970 (0 when the OS gives none).
    pub mtime_ns: i64,
}

impl FileFacts {
    /// Facts of a file, following symlinks (the evidence is what the link points to).
    pub fn of(path: &Path) -> io::Result<Self> {
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(not_a_file());
        }
        Ok(Self::from_meta(&meta))
    }

    fn from_meta(meta: &std::fs::Metadata) -> Self {
        Self {
            size: meta.len(),
            mtime_ns: mtime_ns(meta),
        }
    }
}

/// Modified time in nanoseconds since 1970 (0 when the OS gives none or it is before 1970).
pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// One entry of a folder, as the search for moved files sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A regular file, or a symlink to one (its target's facts).
    File(PathBuf, FileFacts),
    /// A folder (not a symlink to one: those are not followed, as by [`walk`]).
    Dir(PathBuf),
}

/// The files and folders directly in `dir`, in no particular order. Entries that vanish while
/// being read, and anything else (pipes, links to folders), are left out.
pub(crate) fn list_dir(dir: &Path) -> io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            out.push(Entry::Dir(path));
        } else if kind.is_file() {
            // Relative to the open folder where the platform allows (one name per look-up).
            if let Ok(meta) = entry.metadata() {
                out.push(Entry::File(path, FileFacts::from_meta(&meta)));
            }
        } else if kind.is_symlink()
            && let Ok(facts) = FileFacts::of(&path)
        {
            out.push(Entry::File(path, facts));
        }
    }
    Ok(out)
}

/// Reads the facts of many files in a row, keeping the last folder open so each look-up walks
/// one name instead of the whole path (walking paths was half the cost of a quiet rescan of
/// 10,000 files). Gives exactly what [`FileFacts::of`] gives.
#[derive(Debug, Default)]
pub(crate) struct FactsReader {
    #[cfg(unix)]
    dir: Option<(PathBuf, rustix::fd::OwnedFd)>,
}

impl FactsReader {
    /// Facts of a file, following symlinks, as [`FileFacts::of`].
    pub(crate) fn facts(&mut self, path: &Path) -> io::Result<FileFacts> {
        #[cfg(unix)]
        if let Some((parent, name)) = split_last(path)
            && let Some(facts) = self.facts_in(parent, name)
        {
            return facts;
        }
        FileFacts::of(path)
    }

    /// `None` when the folder cannot be opened (then the full path tells why).
    #[cfg(unix)]
    fn facts_in(&mut self, parent: &Path, name: &std::ffi::OsStr) -> Option<io::Result<FileFacts>> {
        use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawMode};
        // Byte comparison: cheaper than Path's component-wise one, and exact.
        if self
            .dir
            .as_ref()
            .is_none_or(|(open, _)| open.as_os_str() != parent.as_os_str())
        {
            self.dir = None;
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let fd = rustix::fs::open(parent, flags, Mode::empty()).ok()?;
            self.dir = Some((parent.to_owned(), fd));
        }
        let (_, fd) = self.dir.as_ref()?;
        // Follows symlinks, like std::fs::metadata.
        let st = match rustix::fs::statat(fd, name, AtFlags::empty()) {
            Ok(st) => st,
            Err(e) => return Some(Err(e.into())),
        };
        // The field types differ between platforms; these casts widen or keep them.
        #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
        let (mode, size, secs, nanos) = (
            st.st_mode as RawMode,
            st.st_size as i64,
            st.st_mtime as i64,
            st.st_mtime_nsec as i64,
        );
        if FileType::from_raw_mode(mode) != FileType::RegularFile {
            return Some(Err(not_a_file()));
        }
        // As FileFacts::of: 0 before 1970, saturating far in the future.
        let mtime_ns = if secs < 0 {
            0
        } else {
            secs.checked_mul(1_000_000_000)
                .and_then(|n| n.checked_add(nanos))
                .unwrap_or(i64::MAX)
        };
        Some(Ok(FileFacts {
            size: u64::try_from(size).unwrap_or(0),
            mtime_ns,
        }))
    }
}

/// The folder and name of an absolute path as stored (no `.`, `..` or trailing separator), split
/// at its last separator: what `Path::parent` and `Path::file_name` give, without parsing every
/// component (that was a tenth of a quiet rescan). `None` for anything else.
#[cfg(unix)]
fn split_last(path: &Path) -> Option<(&Path, &std::ffi::OsStr)> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let cut = bytes.iter().rposition(|&b| b == b'/')?;
    let name = &bytes[cut + 1..];
    if name.is_empty() || name == b"." || name == b".." {
        return None;
    }
    // "/a" is in "/"; a doubled separator ("/a//b") is left to the full path.
    let parent = if cut == 0 { &bytes[..1] } else { &bytes[..cut] };
    if parent.len() > 1 && parent.ends_with(b"/") {
        return None;
    }
    Some((
        Path::new(std::ffi::OsStr::from_bytes(parent)),
        std::ffi::OsStr::from_bytes(name),
    ))
}

/// The folder a stored path is in: [`Path::parent`], quicker for an absolute normal path.
pub(crate) fn parent_of(path: &Path) -> Option<&Path> {
    #[cfg(unix)]
    if let Some((parent, _)) = split_last(path) {
        return Some(parent);
    }
    path.parent()
}

fn not_a_file() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a regular file")
}

/// The exact bytes of a path, so names that are not UTF-8 (possible on Linux) are kept as
/// they are and compared exactly.
pub fn path_key(path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt;
        path.as_os_str()
            .encode_wide()
            .flat_map(u16::to_le_bytes)
            .collect()
    }
    #[cfg(not(any(unix, windows)))]
    {
        path.to_string_lossy().as_bytes().to_vec()
    }
}

/// The path back from its stored bytes.
pub(crate) fn path_from_key(key: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(key))
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStringExt;
        let wide: Vec<u16> = key
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        PathBuf::from(std::ffi::OsString::from_wide(&wide))
    }
    #[cfg(not(any(unix, windows)))]
    {
        PathBuf::from(String::from_utf8_lossy(key).into_owned())
    }
}

/// Every regular file under `root` (or `root` itself if it is a file), in name order. Symlinked
/// folders below `root` are not followed, so a symlink loop cannot trap the walk (`root` itself
/// may be a link to a folder: the user chose it); folders that cannot be read are reported
/// beside the files found and the walk goes on.
pub fn walk(root: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, io::Error)>) {
    let (files, problems) = walk_sized(root);
    (files.into_iter().map(|(p, _)| p).collect(), problems)
}

/// [`walk`], with each file's size as seen by the walk (so adding a folder need not stat each
/// file a second time for its progress total).
#[allow(clippy::type_complexity)]
pub(crate) fn walk_sized(root: &Path) -> (Vec<(PathBuf, u64)>, Vec<(PathBuf, io::Error)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(path) = stack.pop() {
        let meta = if path == root {
            std::fs::metadata(&path)
        } else {
            std::fs::symlink_metadata(&path)
        };
        let meta = match meta {
            Ok(m) => m,
            Err(e) => {
                problems.push((path, e));
                continue;
            }
        };
        if meta.is_dir() {
            match std::fs::read_dir(&path) {
                Ok(entries) => {
                    let mut children: Vec<PathBuf> =
                        entries.filter_map(Result::ok).map(|e| e.path()).collect();
                    children.sort();
                    // Reverse so the stack pops them in name order.
                    stack.extend(children.into_iter().rev());
                }
                Err(e) => problems.push((path, e)),
            }
        } else if meta.is_file() {
            files.push((path, meta.len()));
        } else if meta.file_type().is_symlink() {
            // A link to a file is evidence; a link to a folder is not followed.
            if let Some(target) = std::fs::metadata(&path).ok().filter(|m| m.is_file()) {
                files.push((path, target.len()));
            }
        } else if path == root {
            // Chosen by the user, so say why nothing came of it (a pipe or a device).
            problems.push((
                path,
                io::Error::new(io::ErrorKind::InvalidInput, "not a file or folder"),
            ));
        }
    }
    (files, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::hash_file;
    use std::fs::File;

    #[test]
    fn hashes_match_the_blake3_of_the_content() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"hello").expect("write");
        let (hash, n) = hash_file(&p).expect("hash");
        assert_eq!(hash, blake3::hash(b"hello").to_hex().to_string());
        assert_eq!(n, 5);
    }

    #[test]
    fn reading_facts_folder_by_folder_gives_what_a_full_path_stat_gives() {
        let dir = tempfile::tempdir().expect("dir");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        let a = dir.path().join("a.txt");
        let b = sub.join("b.txt");
        std::fs::write(&a, "a").expect("write");
        std::fs::write(&b, "bbbb").expect("write");
        let mut paths = vec![
            a.clone(),
            b.clone(),
            a,
            sub.clone(),
            sub.join("missing.txt"),
            dir.path().join("gone/x.txt"),
        ];
        #[cfg(unix)]
        {
            let link = sub.join("link.txt");
            std::os::unix::fs::symlink(&b, &link).expect("symlink");
            paths.push(link);
            // Before 1970: recorded as 0 by both.
            let old = dir.path().join("old.txt");
            let file = File::create(&old).expect("create");
            file.set_modified(UNIX_EPOCH - std::time::Duration::from_secs(86_400))
                .expect("mtime");
            paths.push(old);
        }
        let mut reader = FactsReader::default();
        for p in &paths {
            let full = FileFacts::of(p).map_err(|e| e.kind());
            assert_eq!(
                reader.facts(p).map_err(|e| e.kind()),
                full,
                "{}",
                p.display()
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn splitting_at_the_last_separator_gives_what_parent_and_file_name_give() {
        for p in [
            "/a/b.txt",
            "/b.txt",
            "/a/b/c",
            "/a/.hidden",
            "/a/b c/d\u{e9}.pdf",
        ] {
            let p = Path::new(p);
            assert_eq!(
                split_last(p),
                Some((p.parent().expect("parent"), p.file_name().expect("name"))),
                "{}",
                p.display()
            );
        }
        for p in ["/", "/a/", "/a/..", "/a/.", "relative", "/a//b"] {
            assert_eq!(split_last(Path::new(p)), None, "{p}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn walking_survives_symlink_loops_and_keeps_non_utf8_names() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().expect("dir");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        std::os::unix::fs::symlink(dir.path(), sub.join("loop")).expect("symlink");
        let odd = sub.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
        std::fs::write(&odd, b"x").expect("write");
        let (files, problems) = walk(dir.path());
        assert_eq!(files, vec![odd.clone()]);
        assert!(problems.is_empty());
        assert_eq!(path_from_key(&path_key(&odd)), odd);
    }
}
