//! Kill a process while it writes, many times: the database must stay intact and every edit the
//! process reported as saved must be there afterwards.
//!
//! The test re-runs its own binary as the writer (`WAYMARK_CRASH_CHILD` set): the child saves
//! edits in a loop and prints `saved BENCHMARK TEXT` after each save returns. The parent kills
//! it with SIGKILL at varying moments and checks the file.
//!
//! The database is encrypted: the writer and the parent share its key through a key store
//! of this test's own that keeps keys in files of a temporary folder outside the data folder
//! (test code only: Waymark itself keeps keys only in the OS keychain).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use waymark_core::store::{InstitutionInput, NewAction};
use waymark_core::{DataKey, KeyStore, ResponseUpdate, Workspace};

/// Keys in files of a folder of the test's own, shared by the parent and its children.
#[derive(Debug)]
struct FileKeys(std::path::PathBuf);

impl KeyStore for FileKeys {
    fn load(&self, id: &str) -> Result<Option<DataKey>, waymark_core::keys::KeychainError> {
        Ok(std::fs::read_to_string(self.0.join(id))
            .ok()
            .map(|text| DataKey::from_entry_text(&text).expect("a key file")))
    }
    fn save(&self, id: &str, key: &DataKey) -> Result<(), waymark_core::keys::KeychainError> {
        std::fs::write(self.0.join(id), key.to_entry_text().as_bytes()).expect("key file");
        Ok(())
    }
    fn delete(&self, id: &str) -> Result<bool, waymark_core::keys::KeychainError> {
        Ok(std::fs::remove_file(self.0.join(id)).is_ok())
    }
}

fn keys(dir: &std::path::Path) -> std::sync::Arc<dyn KeyStore> {
    std::sync::Arc::new(FileKeys(dir.to_owned()))
}

const TEST_NAME: &str = "killing_a_writer_never_corrupts_the_store_or_loses_a_saved_edit";
const ROUNDS: u64 = 30;

fn child(dir: &str, keys_dir: &str, round: u64) {
    let mut ws = Workspace::open_with_keys(
        std::path::Path::new(dir),
        keys(std::path::Path::new(keys_dir)),
    )
    .expect("child open");
    let review = ws.current_review(None).expect("registered");
    let ids: Vec<String> = ws
        .framework_of(&review)
        .expect("framework")
        .benchmarks()
        .map(|b| b.benchmark.id.clone())
        .collect();
    for i in 0u64.. {
        let id = &ids[(i as usize) % ids.len()];
        let text = format!(
            "round {round} edit {i}: {}",
            "commentary ".repeat((i % 40) as usize)
        );
        let update = ResponseUpdate {
            level: Some(Some((i % 4) as u8 + 1)),
            commentary: Some(text.clone()),
            base_revision: None,
        };
        ws.set_response(&review, id, update, "writer")
            .expect("save");
        println!("saved {id} {text}");
        if i % 7 == 0 {
            let action = NewAction {
                text: format!("round {round} action {i}"),
                ..NewAction::default()
            };
            ws.add_action(&review, &action, "writer").expect("action");
            println!("action round {round} action {i}");
        }
    }
}

#[test]
fn killing_a_writer_never_corrupts_the_store_or_loses_a_saved_edit() {
    if let Ok(dir) = std::env::var("WAYMARK_CRASH_CHILD") {
        let round = std::env::var("WAYMARK_CRASH_ROUND")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        let keys_dir = std::env::var("WAYMARK_CRASH_KEYS").expect("the keys' folder");
        child(&dir, &keys_dir, round);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let key_dir = tempfile::tempdir().expect("keys' folder");
    {
        let mut ws = Workspace::open_with_keys(dir.path(), keys(key_dir.path())).expect("open");
        let school = InstitutionInput {
            name: "Crash Test Academy".into(),
            ..InstitutionInput::default()
        };
        ws.register("computing-quality", None, &school, "setup")
            .expect("register");
    }
    let exe = std::env::current_exe().expect("test binary");
    let mut total_saved = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env("WAYMARK_CRASH_CHILD", dir.path())
            .env("WAYMARK_CRASH_ROUND", round.to_string())
            .env("WAYMARK_CRASH_KEYS", key_dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait for the writer to get going, then kill it a varying time later, so the kill
        // lands at different points of the write path (inside a transaction, during fsync, …).
        let started = Instant::now();
        let mut lines = Vec::new();
        // (The harness prints its own lines too: count only the writer's saves.)
        let saves = |lines: &[String]| lines.iter().filter(|l| l.starts_with("saved ")).count();
        while saves(&lines) < 3 && started.elapsed() < Duration::from_secs(60) {
            if let Ok(l) = rx.recv_timeout(Duration::from_millis(50)) {
                lines.push(l);
            }
        }
        std::thread::sleep(Duration::from_micros(500 + (round * 7919) % 40_000));
        child.kill().expect("kill");
        child.wait().expect("reap");
        reader.join().expect("reader");
        lines.extend(rx.try_iter());

        let saved: Vec<(String, String)> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("saved "))
            .filter_map(|l| l.split_once(' '))
            .map(|(id, text)| (id.to_owned(), text.to_owned()))
            .collect();
        let actions: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("action "))
            .collect();
        assert!(
            !saved.is_empty(),
            "round {round}: the writer saved nothing before being killed"
        );
        total_saved += saved.len();

        let ws =
            Workspace::open_with_keys(dir.path(), keys(key_dir.path())).expect("reopen after kill");
        assert_eq!(
            ws.integrity_check().expect("check"),
            ["ok"],
            "round {round}"
        );
        let review = ws.current_review(None).expect("review");
        for (id, text) in &saved {
            let history = ws.history(&review, id).expect("history");
            assert!(
                history
                    .iter()
                    .any(|h| h.commentary.trim_end() == text.trim_end()),
                "round {round}: edit reported saved is missing: {id} {text}"
            );
        }
        let stored: Vec<String> = ws
            .actions(&review)
            .expect("actions")
            .into_iter()
            .map(|a| a.text)
            .collect();
        for a in actions {
            assert!(
                stored.iter().any(|s| s == a),
                "round {round}: action reported saved is missing: {a}"
            );
        }
    }
    assert!(total_saved >= ROUNDS as usize * 3);
}
