//! Saving a document so that a crash, a full disk or a power cut never leaves a half-written
//! file under the name asked for: the bytes go to a temporary file in the same folder, are
//! flushed to disk, and only then renamed over the target.

use std::io::Write as _;
use std::path::Path;

use waymark_core::Error;
use waymark_core::error::IoAction;

/// Writes `bytes` to `path` atomically, replacing any file already there. Refused, with a
/// clear message, when the folder does not exist or `path` is a folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(Error::invalid(
            "path",
            format!(
                "The folder {} does not exist. Create it first or choose another place to save the document.",
                folder.display()
            ),
        ));
    }
    let fail = |source: std::io::Error| Error::Io {
        path: path.to_owned(),
        action: IoAction::Write,
        source,
    };
    if path.is_dir() {
        return Err(fail(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "that is a folder; give a file name ending in .pdf",
        )));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".waymark-").suffix(".pdf.part");
    // An ordinary document, readable as the user's umask allows (tempfile's default is
    // owner-only, which would surprise anyone sharing the folder).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(folder).map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    // On failure the temporary file is removed when `temp` is dropped.
    temp.persist(path).map_err(|e| fail(e.error))?;
    // Make the rename itself durable (Unix; Windows cannot open folders this way).
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("Certificate ŵŷ.pdf");
        write_atomically(&target, b"first").expect("write");
        write_atomically(&target, b"second").expect("replace");
        assert_eq!(std::fs::read(&target).expect("read"), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_missing_folder_or_a_folder_as_target_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = write_atomically(&dir.path().join("nope/x.pdf"), b"x").expect_err("refused");
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert_eq!(err.code().as_str(), "invalid_input");
        let err = write_atomically(dir.path(), b"x").expect_err("refused");
        assert!(err.to_string().contains("folder"), "{err}");
    }
}
