//! The endpoint's stores as the harness runs them: a real PostgreSQL cluster with a database
//! per test, a real S3 server (s3s-fs) with a bucket per test through object_store's S3
//! client, and both gone once the test process is, even when it is killed.

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _, PutMode, PutPayload};
use waymark_harness::postgres::cluster;
use waymark_harness::s3::s3;

const MIB: usize = 1024 * 1024;

/// Bytes that differ at every offset of a part (so a part written twice or out of order shows).
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u64).wrapping_mul(2_654_435_761).to_le_bytes()[1])
        .collect()
}

async fn read(store: &impl ObjectStore, key: &str) -> object_store::Result<Vec<u8>> {
    Ok(store
        .get(&ObjectPath::from(key))
        .await?
        .bytes()
        .await?
        .to_vec())
}

async fn keys(store: &impl ObjectStore, prefix: Option<&str>) -> Vec<String> {
    let prefix = prefix.map(ObjectPath::from);
    let mut keys: Vec<String> = store
        .list(prefix.as_ref())
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .unwrap();
    keys.sort();
    keys
}

#[tokio::test]
async fn the_cluster_answers_on_loopback() {
    let started = Instant::now();
    let pg = cluster();
    eprintln!("cluster ready after {:?}", started.elapsed());
    assert!(pg.addr().ip().is_loopback());
    assert_eq!(pg.psql("postgres", "SELECT 1 + 1"), "2");
    assert_eq!(pg.psql("postgres", "SHOW max_connections"), "300");
    assert_eq!(pg.psql("postgres", "SHOW fsync"), "off");

    let created = Instant::now();
    let db = pg.database();
    eprintln!("database created in {:?}", created.elapsed());
    assert_eq!(
        db.url(),
        format!("postgres://postgres@127.0.0.1:{}/{}", pg.port(), db.name())
    );
    // The endpoint's own driver, from the URL alone.
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let row = client
        .query_one("SELECT current_database(), current_user", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), db.name());
    assert_eq!(row.get::<_, String>(1), "postgres");
    drop(client);
    connection.await.unwrap().unwrap();
}

#[test]
fn two_databases_are_separate() {
    let (a, b) = (cluster().database(), cluster().database());
    assert_ne!(a.name(), b.name());
    a.psql("CREATE TABLE items (n int); INSERT INTO items VALUES (1), (2)");
    assert_eq!(b.psql("SELECT to_regclass('items') IS NULL"), "t");
    b.psql("CREATE TABLE items (n int); INSERT INTO items VALUES (3)");
    assert_eq!(
        a.psql("SELECT string_agg(n::text, ',' ORDER BY n) FROM items"),
        "1,2"
    );
    assert_eq!(
        b.psql("SELECT string_agg(n::text, ',' ORDER BY n) FROM items"),
        "3"
    );
}

#[tokio::test]
async fn a_dropped_database_is_gone_with_its_connections() {
    let pg = cluster();
    let db = pg.database();
    let name = db.name().to_owned();
    // A connection still open (as a pool's would be) does not stop the drop.
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    client.simple_query("SELECT 1").await.unwrap();
    let dropped = Instant::now();
    drop(db);
    eprintln!("database dropped in {:?}", dropped.elapsed());
    let exists = format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'");
    assert_eq!(pg.psql("postgres", &exists), "0");
    assert!(client.simple_query("SELECT 1").await.is_err());
    let _ = connection.await;
}

#[tokio::test]
async fn s3_put_get_list_copy_delete() {
    let started = Instant::now();
    let server = s3();
    eprintln!("s3s-fs ready after {:?}", started.elapsed());
    assert!(server.addr().ip().is_loopback());
    assert_eq!(server.endpoint(), format!("http://{}", server.addr()));
    let store = server.store(&server.bucket());
    assert!(keys(&store, None).await.is_empty());

    store
        .put(
            &ObjectPath::from("a/one"),
            PutPayload::from_static(b"first"),
        )
        .await
        .unwrap();
    store
        .put(&ObjectPath::from("a/two"), PutPayload::from(pattern(1000)))
        .await
        .unwrap();
    store
        .put(
            &ObjectPath::from("b/three"),
            PutPayload::from_static(b"third"),
        )
        .await
        .unwrap();
    assert_eq!(read(&store, "a/one").await.unwrap(), b"first");
    assert_eq!(read(&store, "a/two").await.unwrap(), pattern(1000));
    assert_eq!(keys(&store, Some("a")).await, ["a/one", "a/two"]);
    assert_eq!(keys(&store, None).await, ["a/one", "a/two", "b/three"]);
    let head = store.head(&ObjectPath::from("a/two")).await.unwrap();
    assert_eq!(head.size, 1000);

    store
        .copy(&ObjectPath::from("a/one"), &ObjectPath::from("c/copy"))
        .await
        .unwrap();
    assert_eq!(read(&store, "c/copy").await.unwrap(), b"first");

    store.delete(&ObjectPath::from("a/one")).await.unwrap();
    assert!(matches!(
        read(&store, "a/one").await,
        Err(object_store::Error::NotFound { .. })
    ));
    assert_eq!(keys(&store, None).await, ["a/two", "b/three", "c/copy"]);
}

#[tokio::test]
async fn s3_multipart_upload_of_12_mib_reads_back_identical() {
    let server = s3();
    let store = server.store(&server.bucket());
    let data = pattern(12 * MIB);
    let path = ObjectPath::from("big/upload");
    let mut upload = store.put_multipart(&path).await.unwrap();
    for part in data.chunks(5 * MIB) {
        upload
            .put_part(PutPayload::from(part.to_vec()))
            .await
            .unwrap();
    }
    upload.complete().await.unwrap();
    let back = read(&store, "big/upload").await.unwrap();
    assert_eq!(back.len(), data.len());
    assert!(
        back == data,
        "the object read back differs from what was uploaded"
    );
    // s3s-fs removed the parts it kept while the upload was open.
    let leftovers: Vec<String> = std::fs::read_dir(server.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".upload"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn s3_two_buckets_are_separate() {
    let server = s3();
    let (a, b) = (server.bucket(), server.bucket());
    assert_ne!(a, b);
    let (store_a, store_b) = (server.store(&a), server.store(&b));
    store_a
        .put(
            &ObjectPath::from("same/key"),
            PutPayload::from_static(b"in a"),
        )
        .await
        .unwrap();
    assert!(matches!(
        read(&store_b, "same/key").await,
        Err(object_store::Error::NotFound { .. })
    ));
    assert!(keys(&store_b, None).await.is_empty());
    store_b
        .put(
            &ObjectPath::from("same/key"),
            PutPayload::from_static(b"in b"),
        )
        .await
        .unwrap();
    assert_eq!(read(&store_a, "same/key").await.unwrap(), b"in a");
    assert_eq!(read(&store_b, "same/key").await.unwrap(), b"in b");
}

#[tokio::test]
async fn s3_create_only_put_refuses_an_existing_key() {
    let server = s3();
    let store = server.store(&server.bucket());
    let path = ObjectPath::from("once");
    let create = || object_store::PutOptions::from(PutMode::Create);
    store
        .put_opts(&path, PutPayload::from_static(b"first"), create())
        .await
        .unwrap();
    let again = store
        .put_opts(&path, PutPayload::from_static(b"second"), create())
        .await;
    assert!(
        matches!(again, Err(object_store::Error::AlreadyExists { .. })),
        "{again:?}"
    );
    assert_eq!(read(&store, "once").await.unwrap(), b"first");
}

#[tokio::test]
async fn s3_refuses_a_wrong_secret_key() {
    let server = s3();
    let bucket = server.bucket();
    let store = server
        .builder(&bucket)
        .with_secret_access_key("not-the-secret")
        .build()
        .unwrap();
    let put = store
        .put(&ObjectPath::from("x"), PutPayload::from_static(b"x"))
        .await;
    assert!(
        put.is_err(),
        "a request signed with the wrong key was accepted"
    );
    assert!(keys(&server.store(&bucket), None).await.is_empty());
}

/// Set in the child process of [`servers_stop_when_their_test_process_is_killed`].
const HOLD: &str = "WAYMARK_HARNESS_HOLD_SERVERS";

/// In a child process: starts both servers, prints their process ids and folders, and waits
/// (at most 60 s) to be killed. Does nothing unless [`HOLD`] is set, so `--ignored` runs stay
/// quick.
#[test]
#[ignore = "run in a child process by servers_stop_when_their_test_process_is_killed"]
fn hold_servers_until_killed() {
    if std::env::var_os(HOLD).is_none() {
        return;
    }
    let (pg, s3) = (cluster(), s3());
    println!(
        "HELD {} {} {} {} {} {}",
        pg.server_pid().unwrap(),
        pg.supervisor_pid(),
        pg.dir().display(),
        s3.server_pid().unwrap(),
        s3.supervisor_pid(),
        s3.root().parent().unwrap().display(),
    );
    std::io::stdout().flush().unwrap();
    std::thread::sleep(Duration::from_secs(60));
}

/// True while `pid` exists and is not a zombie.
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
        !matches!(state.and_then(|s| s.chars().next()), Some('Z' | 'X') | None)
    })
}

/// The shared servers are never dropped; their supervisors must stop them (and remove their
/// folders) when the test process dies without running any code: SIGKILL.
#[test]
fn servers_stop_when_their_test_process_is_killed() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "hold_servers_until_killed"])
        .args(["--nocapture", "--test-threads=1"])
        .env(HOLD, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let held = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            // libtest prints "test hold_servers_until_killed ... " first, on the same line.
            Ok(line) if line.contains("HELD ") => break line,
            Ok(_) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the child printed no HELD line: {e}");
            }
        }
    };
    let fields: Vec<&str> = held.split("HELD ").nth(1).unwrap().split(' ').collect();
    assert_eq!(fields.len(), 6, "{held}");
    let pids: Vec<u32> = [0, 1, 3, 4].map(|i| fields[i].parse().unwrap()).to_vec();
    let dirs = [PathBuf::from(fields[2]), PathBuf::from(fields[5])];
    assert!(pids.iter().all(|&pid| running(pid)), "{held}");
    assert!(dirs.iter().all(|dir| dir.is_dir()), "{held}");

    let killed = Instant::now();
    child.kill().unwrap(); // SIGKILL: no destructor, no atexit, nothing of ours runs.
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while pids.iter().any(|&pid| running(pid)) || dirs.iter().any(|dir| dir.exists()) {
        assert!(
            Instant::now() < deadline,
            "20 s after SIGKILL: running {:?}, folders left {:?}",
            pids.iter().filter(|&&pid| running(pid)).collect::<Vec<_>>(),
            dirs.iter().filter(|dir| dir.exists()).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!(
        "servers stopped and folders removed {:?} after SIGKILL",
        killed.elapsed()
    );
}
