//! A data folder whose database is not Waymark's own never panics and is never overwritten:
//! each case is refused with a message that says what was found and what to do, and the file
//! is byte for byte as it was.

use std::path::{Path, PathBuf};

use waymark_core::store::{DATABASE_FILE, InstitutionInput, LATEST_SCHEMA};
use waymark_core::{ErrorCode, Workspace};

/// The in-memory key store every test of this file shares (a reopened folder finds its key).
fn keys() -> std::sync::Arc<dyn waymark_core::KeyStore> {
    static KEYS: std::sync::OnceLock<std::sync::Arc<waymark_core::EphemeralKeys>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(waymark_core::EphemeralKeys::new).clone()
}

/// A data folder holding `bytes` as its database; returns (folder guard, data dir, db path).
fn folder_with(bytes: &[u8]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    let db = data.join(DATABASE_FILE);
    std::fs::write(&db, bytes).expect("write");
    (dir, data, db)
}

/// Opens the folder, expects a refusal with `code`, and checks nothing was written: the file
/// is unchanged and no WAL or temporary files appeared beside it.
fn refused(data: &Path, db: &Path, code: ErrorCode) -> String {
    let before = std::fs::read(db).expect("read");
    let listing = |p: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(p)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let files_before = listing(data);
    let err = Workspace::open_with_keys(data, keys()).expect_err("refused");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(
        std::fs::read(db).expect("read"),
        before,
        "the file was changed"
    );
    assert_eq!(listing(data), files_before, "files appeared beside it");
    let message = err.to_string();
    assert!(
        message.contains(&db.display().to_string()),
        "names the file: {message}"
    );
    assert!(
        message.contains("Nothing was changed"),
        "says nothing changed: {message}"
    );
    message
}

/// A real SQLite file built with rusqlite by `build`.
fn sqlite_file(build: impl FnOnce(&rusqlite::Connection)) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("x.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        build(&conn);
    }
    std::fs::read(&path).expect("read")
}

#[test]
fn a_zero_byte_database_is_refused() {
    let (_g, data, db) = folder_with(b"");
    let m = refused(&data, &db, ErrorCode::NotADatabase);
    assert!(m.contains("empty (0 bytes)"), "{m}");
    assert!(m.contains("backup"), "{m}");
}

#[test]
fn random_bytes_are_refused() {
    // Deterministic "random" bytes: a simple LCG, 64 KiB.
    let mut x: u32 = 0x1234_5678;
    let bytes: Vec<u8> = (0..65_536)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    let (_g, data, db) = folder_with(&bytes);
    let m = refused(&data, &db, ErrorCode::NotADatabase);
    assert!(m.contains("not an SQLite database"), "{m}");
}

#[test]
fn a_text_file_under_the_database_name_is_refused() {
    let (_g, data, db) = folder_with(b"these are my notes, not a database\n");
    refused(&data, &db, ErrorCode::NotADatabase);
}

#[test]
fn another_programs_sqlite_database_is_refused() {
    let bytes = sqlite_file(|c| {
        c.execute_batch("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO moz_places VALUES (1, 'x');")
            .expect("build");
    });
    let (_g, data, db) = folder_with(&bytes);
    let m = refused(&data, &db, ErrorCode::ForeignDatabase);
    assert!(m.contains("another program"), "{m}");
    assert!(m.contains("moz_places"), "{m}");
}

#[test]
fn another_programs_database_with_a_user_version_is_refused() {
    // Looks like an old Waymark by its version, but holds none of Waymark's tables.
    let bytes = sqlite_file(|c| {
        c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY); PRAGMA user_version = 3;")
            .expect("build");
    });
    let (_g, data, db) = folder_with(&bytes);
    refused(&data, &db, ErrorCode::ForeignDatabase);
}

#[test]
fn another_programs_application_id_is_refused() {
    let bytes = sqlite_file(|c| {
        c.execute_batch("CREATE TABLE institution (x); PRAGMA application_id = 12345;")
            .expect("build");
    });
    let (_g, data, db) = folder_with(&bytes);
    refused(&data, &db, ErrorCode::ForeignDatabase);
}

#[test]
fn a_negative_user_version_is_refused_without_a_panic() {
    let bytes = sqlite_file(|c| {
        c.execute_batch("CREATE TABLE institution (x); PRAGMA user_version = -3;")
            .expect("build");
    });
    let (_g, data, db) = folder_with(&bytes);
    let m = refused(&data, &db, ErrorCode::ForeignDatabase);
    assert!(m.contains("data version -3"), "{m}");
}

#[test]
fn a_database_from_a_newer_waymark_is_refused() {
    let bytes = sqlite_file(|c| {
        c.execute_batch(&format!(
            "CREATE TABLE institution (x); PRAGMA user_version = {};",
            LATEST_SCHEMA + 1
        ))
        .expect("build");
    });
    let (_g, data, db) = folder_with(&bytes);
    let m = refused(&data, &db, ErrorCode::SchemaTooNew);
    assert!(m.contains("newer Waymark"), "{m}");
}

/// Makes a path read-only for this process, even for root (which ignores permission bits): the
/// immutable attribute where `chattr` works, else the permission bits. Undone on drop so the
/// temporary folder can be removed.
struct ReadOnly(PathBuf);

impl ReadOnly {
    fn new(path: &Path) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        let probe = if path.is_dir() {
            std::fs::write(path.join(".probe"), b"x").is_ok()
        } else {
            std::fs::OpenOptions::new().append(true).open(path).is_ok()
        };
        if probe {
            // Root: the bits do not stop us, so make it immutable.
            let _ = std::fs::remove_file(path.join(".probe"));
            let ok = std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "cannot make {} read-only for this user (chattr +i failed): run the test as a normal user or on a file system with chattr",
                path.display()
            );
        }
        Self(path.to_owned())
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
        let mode = if self.0.is_dir() { 0o755 } else { 0o644 };
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(mode));
    }
}

/// A real Waymark data folder with a registered review, closed again.
fn waymark_folder() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    {
        let mut ws = Workspace::open_with_keys(&data, keys()).expect("open");
        let school = InstitutionInput {
            name: "Read-only Primary".into(),
            ..InstitutionInput::default()
        };
        ws.register("computing-quality", None, &school, "Sam")
            .expect("register");
    }
    let db = data.join(DATABASE_FILE);
    (dir, data, db)
}

#[cfg(unix)]
#[test]
fn a_read_only_database_file_is_refused_with_what_to_do() {
    let (_g, data, db) = waymark_folder();
    let before = std::fs::read(&db).expect("read");
    let _ro = ReadOnly::new(&db);
    let err = Workspace::open_with_keys(&data, keys()).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::ReadOnly, "{err}");
    assert!(err.to_string().contains("writable"), "{err}");
    assert_eq!(std::fs::read(&db).expect("read"), before);
}

#[cfg(unix)]
#[test]
fn a_read_only_data_folder_is_refused_with_what_to_do() {
    let (_g, data, db) = waymark_folder();
    let before = std::fs::read(&db).expect("read");
    let _ro = ReadOnly::new(&data);
    let err = Workspace::open_with_keys(&data, keys()).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::ReadOnly, "{err}");
    assert_eq!(std::fs::read(&db).expect("read"), before);
}

/// A data folder as an earlier, unencrypted Waymark left it (hand-editable with SQLite).
fn plaintext_waymark_folder() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    {
        let mut ws = Workspace::open_unencrypted(&data).expect("open");
        let school = InstitutionInput {
            name: "Hand-edited Primary".into(),
            ..InstitutionInput::default()
        };
        ws.register("computing-quality", None, &school, "Sam")
            .expect("register");
    }
    let db = data.join(DATABASE_FILE);
    (dir, data, db)
}

#[test]
fn an_unknown_value_in_a_row_is_an_error_naming_the_row() {
    let (_g, data, db) = plaintext_waymark_folder();
    {
        let conn = rusqlite::Connection::open(&db).expect("open raw");
        // As a hand edit or a newer Waymark might: past the CHECK this build declares.
        conn.pragma_update(None, "ignore_check_constraints", "ON")
            .expect("pragma");
        conn.execute(
            "INSERT INTO response_history (id, review_id, benchmark_id, change, level, commentary, framework_version, note, changed_by, changed_at)
             SELECT '01900000-0000-7000-8000-0000000000ff', id, '1.1', 'teleported', NULL, '', framework_version, NULL, 'x', '2026-01-01T00:00:00.000Z' FROM reviews",
            [],
        )
        .expect("insert");
    }
    let ws = Workspace::open_with_keys(&data, keys()).expect("open");
    let review = ws.current_review(None).expect("review");
    let err = ws.history(&review, "1.1").expect_err("refused");
    assert_eq!(err.code(), ErrorCode::StoredValueInvalid, "{err}");
    let m = err.to_string();
    assert!(m.contains("response_history.change"), "{m}");
    assert!(m.contains("teleported"), "{m}");
    assert!(m.contains("01900000-0000-7000-8000-0000000000ff"), "{m}");
}

#[test]
fn a_new_data_folder_never_leaves_an_empty_database_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    drop(Workspace::open_with_keys(&data, keys()).expect("open"));
    let db = data.join(DATABASE_FILE);
    assert!(std::fs::metadata(&db).expect("made").len() > 0);
    let stray: Vec<_> = std::fs::read_dir(&data)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".new") || n.contains(".new-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    // And it opens again as Waymark's.
    Workspace::open_with_keys(&data, keys()).expect("reopen");
}

/// Every file under `dir` with its bytes, for "nothing was changed" checks.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list").flatten() {
        if entry.file_type().expect("type").is_dir() {
            out.extend(snapshot(&entry.path()));
        } else {
            out.push((entry.path(), std::fs::read(entry.path()).expect("read")));
        }
    }
    out.sort();
    out
}

/// A folder whose key is not in the keychain (a new computer, a wiped keyring) is refused with
/// what happened and how to restore it, and never overwritten or made anew.
#[test]
fn a_folder_whose_key_is_gone_is_refused_with_how_to_restore_and_left_alone() {
    let (_g, data, _db) = waymark_folder();
    let before = snapshot(&data);
    let elsewhere = waymark_core::EphemeralKeys::new();
    for _ in 0..2 {
        let err = Workspace::open_with_keys(&data, elsewhere.clone()).expect_err("refused");
        assert_eq!(err.code(), ErrorCode::DataKeyMissing, "{err}");
        let m = err.to_string();
        assert!(m.contains("keychain"), "{m}");
        assert!(m.contains("backup of the keychain"), "{m}");
        assert!(m.contains("import an export"), "{m}");
        assert!(m.contains("data-key:"), "names the entry: {m}");
        assert!(m.contains("Nothing in the folder was changed"), "{m}");
        assert_eq!(snapshot(&data), before, "the folder is exactly as it was");
    }
    // The key restored (here: the right store again), the folder opens with its data.
    let ws = Workspace::open_with_keys(&data, keys()).expect("opens with its key");
    assert_eq!(ws.institution().expect("kept").name, "Read-only Primary");
}

/// Another key under the folder's entry is told apart from a damaged file.
#[test]
fn a_wrong_key_is_refused_clearly_and_a_missing_record_is_not_a_database() {
    let (_g, data, db) = waymark_folder();
    let key_id = waymark_core::keys::EncryptionRecord::read(&data)
        .expect("read")
        .expect("recorded")
        .key_id;
    let other = waymark_core::EphemeralKeys::new();
    waymark_core::KeyStore::save(
        other.as_ref(),
        &key_id,
        &waymark_core::DataKey::generate().expect("random"),
    )
    .expect("save");
    let before = snapshot(&data);
    let err = Workspace::open_with_keys(&data, other).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::DataKeyWrong, "{err}");
    assert!(!err.to_string().contains("not a database"), "{err}");
    assert_eq!(snapshot(&data), before);
    // Without its record, an encrypted database is refused like any unreadable file.
    std::fs::remove_file(data.join(waymark_core::keys::ENCRYPTION_FILE)).expect("remove");
    refused(&data, &db, ErrorCode::NotADatabase);
}
