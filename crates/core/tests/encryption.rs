//! Encryption at rest: no file in a data folder holds a review's words or an evidence file's
//! bytes in plain text while the app reads them normally, and an earlier version's plaintext
//! folder is encrypted without loss however the upgrade is interrupted (SIGKILL at random
//! moments, the test binary re-run as the upgrading child).
//!
//! The children and the parent share keys through a key store of the test's own that keeps
//! them in files of a temporary folder outside the data folder (test code only: Waymark keeps
//! keys only in the OS keychain).

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use waymark_core::evidence::EvidenceLink;
use waymark_core::keys::{ENCRYPTION_FILE, EncryptionRecord, KeychainError};
use waymark_core::store::InstitutionInput;
use waymark_core::{DataKey, EphemeralKeys, KeyStore, ResponseUpdate, Workspace};

/// Keys in files of a folder of the test's own, shared by the parent and its children.
#[derive(Debug)]
struct FileKeys(PathBuf);

impl KeyStore for FileKeys {
    fn load(&self, id: &str) -> Result<Option<DataKey>, KeychainError> {
        Ok(std::fs::read_to_string(self.0.join(id))
            .ok()
            .map(|text| DataKey::from_entry_text(&text).expect("a key file")))
    }
    fn save(&self, id: &str, key: &DataKey) -> Result<(), KeychainError> {
        let temp = self.0.join(format!("{id}.new"));
        std::fs::write(&temp, key.to_entry_text().as_bytes()).expect("key file");
        std::fs::rename(&temp, self.0.join(id)).expect("key file in place");
        Ok(())
    }
    fn delete(&self, id: &str) -> Result<bool, KeychainError> {
        Ok(std::fs::remove_file(self.0.join(id)).is_ok())
    }
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list").flatten() {
        if entry.file_type().expect("type").is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out.sort();
    out
}

/// Fails naming the file and the needle when any file under `dir` contains one of `needles`.
fn assert_nothing_plain(dir: &Path, needles: &[&[u8]], when: &str) {
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).expect("read");
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == *needle),
                "{when}: {} holds {:?} in plain text",
                file.display(),
                String::from_utf8_lossy(&needle[..needle.len().min(40)])
            );
        }
    }
}

/// Incompressible, recognisable bytes (a stand-in for a photo).
fn photo_bytes(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

const WORDS: &str =
    "Pupils in Dosbarth Derwen programmed the floor turtles with remarkable persistence";

fn register(ws: &mut Workspace) -> waymark_core::store::Review {
    let school = InstitutionInput {
        name: "Ysgol Cyfrinachol".into(),
        ..InstitutionInput::default()
    };
    ws.register("computing-quality", None, &school, "Siân")
        .expect("register")
}

#[test]
fn no_file_in_the_data_folder_holds_a_commentary_or_a_photo_in_plain_text() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let files = dir.path().join("files");
    std::fs::create_dir(&files).expect("mkdir");
    let photo = photo_bytes(7, 300_000);
    std::fs::write(files.join("trip.jpg"), &photo).expect("photo");
    let keys = EphemeralKeys::new();
    let mut ws = Workspace::open_with_keys(&data, keys.clone()).expect("open");
    let review = register(&mut ws);
    let benchmark = ws
        .framework_of(&review)
        .expect("framework")
        .benchmarks()
        .next()
        .expect("one")
        .benchmark
        .id
        .clone();
    ws.set_response(
        &review,
        &benchmark,
        ResponseUpdate {
            level: Some(Some(2)),
            commentary: Some(WORDS.into()),
            base_revision: None,
        },
        "Siân",
    )
    .expect("save");
    let link = EvidenceLink {
        benchmark_id: benchmark.clone(),
        requirement_id: None,
    };
    ws.add_evidence(&review, &[files.join("trip.jpg")], &[link], "Siân")
        .expect("add");
    let frozen = ws.freeze(&review).expect("freeze");
    assert_eq!(frozen.copied, 1);
    let hash = blake3::hash(&photo).to_hex().to_string();

    let needles: Vec<&[u8]> = vec![
        b"Dosbarth Derwen",
        b"remarkable persistence",
        b"Ysgol Cyfrinachol",
        b"trip.jpg",
        hash.as_bytes(),
        &photo[1000..1032],
        &photo[250_000..250_032],
        b"SQLite format 3",
    ];
    // While the workspace is open (its WAL holds the latest pages) and after it is closed.
    assert!(
        files_under(&data)
            .iter()
            .any(|f| f.to_string_lossy().ends_with("-wal")),
        "the WAL is there to be scanned"
    );
    assert_nothing_plain(&data, &needles, "open");
    // The app reads everything back as written.
    let response = ws
        .response(&review, &benchmark)
        .expect("read")
        .expect("saved");
    assert_eq!(response.commentary, WORDS);
    let mut back = Vec::new();
    ws.open_frozen(&hash)
        .expect("frozen")
        .read_to_end(&mut back)
        .expect("read");
    assert_eq!(back, photo);
    drop(ws);
    assert_nothing_plain(&data, &needles, "closed");
    let ws = Workspace::open_with_keys(&data, keys).expect("reopen");
    let response = ws
        .response(&review, &benchmark)
        .expect("read")
        .expect("saved");
    assert_eq!(response.commentary, WORDS);
    let record = std::fs::read_to_string(data.join(ENCRYPTION_FILE)).expect("record");
    assert!(record.contains("data-key:"), "{record}");
}

const CHILD_ENV: &str = "WAYMARK_MIGRATION_CHILD";
const KEYS_ENV: &str = "WAYMARK_MIGRATION_KEYS";
const TEST_NAME: &str = "a_kill_at_any_moment_of_the_upgrade_of_a_plaintext_folder_loses_nothing";
const ROUNDS: u64 = 20;
const RESPONSES: usize = 60;
const PHOTOS: u32 = 12;

/// An earlier version's plaintext folder: a review with commentary and a frozen vault.
fn plaintext_folder(data: &Path, files: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::create_dir_all(files).expect("mkdir");
    let mut ws = Workspace::open_unencrypted(data).expect("open plaintext");
    let review = register(&mut ws);
    let ids: Vec<String> = ws
        .framework_of(&review)
        .expect("framework")
        .benchmarks()
        .map(|b| b.benchmark.id.clone())
        .collect();
    for (i, id) in ids.iter().cycle().take(RESPONSES).enumerate() {
        ws.set_response(
            &review,
            id,
            ResponseUpdate {
                level: Some(Some((i % 4) as u8 + 1)),
                commentary: Some(format!("{WORDS} number {i}")),
                base_revision: None,
            },
            "Siân",
        )
        .expect("save");
    }
    let mut photos = Vec::new();
    let mut paths = Vec::new();
    for p in 0..PHOTOS {
        let bytes = photo_bytes(p + 100, 100_000 + 25_000 * p as usize);
        let path = files.join(format!("photo-{p}.jpg"));
        std::fs::write(&path, &bytes).expect("photo");
        photos.push((blake3::hash(&bytes).to_hex().to_string(), bytes));
        paths.push(path);
    }
    let link = EvidenceLink {
        benchmark_id: ids[0].clone(),
        requirement_id: None,
    };
    ws.add_evidence(&review, &paths, &[link], "Siân")
        .expect("add");
    assert_eq!(ws.freeze(&review).expect("freeze").copied, PHOTOS);
    photos
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("list").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Opens `data` (upgrading it) and checks everything the plaintext folder held is there.
fn check_whole(data: &Path, keys: Arc<dyn KeyStore>, photos: &[(String, Vec<u8>)], round: u64) {
    let ws = Workspace::open_with_keys(data, keys).expect("opens after the kill");
    assert_eq!(
        ws.integrity_check().expect("check"),
        ["ok"],
        "round {round}"
    );
    let review = ws.current_review(None).expect("review");
    let mut commentaries = 0;
    for benchmark in ws.framework_of(&review).expect("framework").benchmarks() {
        for h in ws
            .history(&review, &benchmark.benchmark.id)
            .expect("history")
        {
            assert!(h.commentary.starts_with(WORDS), "round {round}");
            commentaries += 1;
        }
    }
    assert_eq!(
        commentaries, RESPONSES,
        "round {round}: every edit is there"
    );
    for (hash, bytes) in photos {
        let mut back = Vec::new();
        ws.open_frozen(hash)
            .unwrap_or_else(|e| panic!("round {round}: frozen copy {hash}: {e}"))
            .read_to_end(&mut back)
            .expect("read");
        assert!(back == *bytes, "round {round}: frozen copy {hash} intact");
    }
    let record = EncryptionRecord::read(data)
        .expect("read")
        .expect("recorded");
    assert!(record.vault_encrypted, "round {round}");
    drop(ws);
    let needles: Vec<&[u8]> = photos
        .iter()
        .map(|(_, b)| &b[5000..5032])
        .chain([
            &b"Dosbarth Derwen"[..],
            b"Ysgol Cyfrinachol",
            b"SQLite format 3",
        ])
        .collect();
    assert_nothing_plain(data, &needles, &format!("round {round}"));
}

#[test]
fn a_kill_at_any_moment_of_the_upgrade_of_a_plaintext_folder_loses_nothing() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        let keys = PathBuf::from(std::env::var(KEYS_ENV).expect("keys' folder"));
        Workspace::open_with_keys(Path::new(&dir), Arc::new(FileKeys(keys))).expect("upgrade");
        println!("upgraded");
        return;
    }
    let scratch = tempfile::tempdir().expect("dir");
    let template = scratch.path().join("template");
    let photos = plaintext_folder(&template, &scratch.path().join("files"));
    let exe = std::env::current_exe().expect("test binary");
    let run_child = |data: &Path, keys: &Path| {
        Command::new(&exe)
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, data)
            .env(KEYS_ENV, keys)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the upgrading child")
    };
    // One whole upgrade first, timed: the kills land within that span.
    let whole = {
        let data = scratch.path().join("whole");
        let keys = scratch.path().join("whole-keys");
        copy_dir(&template, &data);
        std::fs::create_dir(&keys).expect("mkdir");
        let started = Instant::now();
        let mut child = run_child(&data, &keys);
        let stdout = child.stdout.take().expect("piped");
        let upgraded = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("upgraded"));
        let out = child.wait_with_output().expect("reap");
        assert!(
            upgraded,
            "the child upgraded the folder: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let took = started.elapsed();
        check_whole(&data, Arc::new(FileKeys(keys)), &photos, 0);
        took
    };
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut interrupted = 0;
    for round in 1..=ROUNDS {
        let data = scratch.path().join(format!("round-{round}"));
        let keys = scratch.path().join(format!("keys-{round}"));
        copy_dir(&template, &data);
        std::fs::create_dir(&keys).expect("mkdir");
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = Duration::from_micros(seed % (whole.as_micros() as u64).max(1));
        let mut child = run_child(&data, &keys);
        std::thread::sleep(at);
        child.kill().expect("kill");
        let status = child.wait().expect("reap");
        if !status.success() {
            interrupted += 1;
        }
        check_whole(&data, Arc::new(FileKeys(keys)), &photos, round);
        std::fs::remove_dir_all(&data).expect("clean up");
    }
    assert!(
        interrupted >= ROUNDS / 2,
        "most rounds were killed part-way ({interrupted} of {ROUNDS}; the whole upgrade took {whole:?})"
    );
}
