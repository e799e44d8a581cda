//! The OS keychain for tests: a private D-Bus session bus with GNOME Keyring's Secret Service on
//! it, its keyring file in a temporary home.
//!
//! Why the real one: the tools keep their tokens only in the OS keychain (the `keyring` crate's
//! Secret Service backend on Linux), and what matters — a token that survives a restart, never
//! lands in the settings folder, is gone after sign-out — is only true of a real keychain. A
//! private bus keeps the tests off the developer's own keyring and lets them run in parallel.
//!
//! Processes under test see it through [`Keychain::apply`] (or [`desktop_env`] and
//! [`Keychain::bus`]): `HOME`, the XDG folders and `DBUS_SESSION_BUS_ADDRESS`.

use std::ffi::OsString;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::collections::HashMap;
use std::sync::Arc;

use secret_service::EncryptionType;
use secret_service::blocking::SecretService;
use tempfile::TempDir;
use waymark_core::keys::{KEYCHAIN_SERVICE, KeychainError, keychain_user};
use waymark_core::{DataKey, KeyStore};

use crate::process::{OwnedChild, missing_tool};

/// How long `gnome-keyring-daemon` gets to register the Secret Service on the bus.
const SECRET_SERVICE_WAIT: Duration = Duration::from_secs(20);

/// A private D-Bus session bus with `gnome-keyring-daemon` serving the Secret Service on it,
/// its keyring file in a temporary home. Both are our own children, killed and reaped on drop
/// (the keyring first: it is a client of the bus).
pub struct Keychain {
    /// `DBUS_SESSION_BUS_ADDRESS` for the processes under test (`unix:path=…`).
    pub bus: String,
    /// HOME, XDG_DATA_HOME (the keyring file), XDG_CONFIG_HOME and XDG_RUNTIME_DIR live here.
    pub home: TempDir,
    // Dropped in this order by `Drop` below: the keyring, then the bus.
    keyring: Option<OwnedChild>,
    dbus: Option<OwnedChild>,
}

impl Keychain {
    /// Starts the bus and the keyring, and waits (at most 20 s) until the Secret Service
    /// answers. Panics naming the Debian package when `dbus-daemon`, `dbus-send` or
    /// `gnome-keyring-daemon` is missing.
    pub fn start() -> Self {
        let home = tempfile::tempdir().expect("a temporary home for the keychain");
        for sub in ["data", "config", "run"] {
            std::fs::create_dir_all(home.path().join(sub)).expect("the home's XDG folders");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // XDG_RUNTIME_DIR must be private to its user, or gnome-keyring refuses it.
            std::fs::set_permissions(
                home.path().join("run"),
                std::fs::Permissions::from_mode(0o700),
            )
            .expect("XDG_RUNTIME_DIR made private");
        }
        let env = desktop_env(home.path());
        let mut keychain = Self {
            bus: String::new(),
            home,
            keyring: None,
            dbus: None,
        };

        // Our own child (--nofork, not --fork), so that it is reaped when stopped. It prints
        // its address on stdout once it listens.
        let dbus = keychain.dbus.insert(OwnedChild::spawn(
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--print-address=1"])
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdin(Stdio::null())
                .stdout(Stdio::piped()),
            "dbus-daemon",
            "dbus-daemon",
        ));
        let stdout = dbus
            .child_mut()
            .stdout
            .take()
            .expect("dbus-daemon's stdout is piped");
        let mut address = String::new();
        // One line, or end of file when it exits: either way this returns.
        let _ = std::io::BufReader::new(stdout).read_line(&mut address);
        keychain.bus = address.trim().to_owned();
        assert!(
            keychain.bus.starts_with("unix:"),
            "dbus-daemon --session printed no address ({:?}, exit {:?})",
            keychain.bus,
            keychain.dbus.as_mut().and_then(OwnedChild::exited)
        );

        let log = std::fs::File::create(keychain.log_path()).expect("gnome-keyring's log file");
        // --unlock reads the login keyring's password from stdin: an empty line (no bytes at
        // all creates no login keyring, so there is no default collection), in the test's own
        // home.
        let keyring = keychain.keyring.insert(OwnedChild::spawn(
            Command::new("gnome-keyring-daemon")
                .args(["--unlock", "--components=secrets", "--foreground"])
                .envs(env.iter().map(|(k, v)| (k, v)))
                .env("DBUS_SESSION_BUS_ADDRESS", &keychain.bus)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(log),
            "gnome-keyring-daemon",
            "gnome-keyring",
        ));
        let mut stdin = keyring
            .child_mut()
            .stdin
            .take()
            .expect("gnome-keyring's stdin is piped");
        stdin
            .write_all(b"\n")
            .expect("the empty login password written to gnome-keyring");
        drop(stdin);
        keychain.wait_for_secret_service();
        keychain
    }

    /// Points `command` at this keychain: HOME and the XDG folders in the temporary home
    /// ([`desktop_env`]) and `DBUS_SESSION_BUS_ADDRESS` set to the private bus.
    pub fn apply<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command.envs(self.env())
    }

    /// The environment [`apply`](Self::apply) sets, for callers that build their own process.
    pub fn env(&self) -> Vec<(String, OsString)> {
        let mut env: Vec<(String, OsString)> = desktop_env(self.home.path())
            .into_iter()
            .map(|(k, v)| (k, v.into_os_string()))
            .collect();
        env.push(("DBUS_SESSION_BUS_ADDRESS".into(), self.bus.clone().into()));
        env
    }

    /// gnome-keyring-daemon's stderr, for a test's failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.home.path().join("gnome-keyring.log")
    }

    /// Waits (bounded) until `org.freedesktop.secrets` has an owner on the bus.
    fn wait_for_secret_service(&mut self) {
        let deadline = Instant::now() + SECRET_SERVICE_WAIT;
        loop {
            let out = Command::new("dbus-send")
                .args([
                    &format!("--bus={}", self.bus),
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .unwrap_or_else(|e| panic!("{}", missing_tool("dbus-send", "dbus-bin", &e)));
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return;
            }
            if let Some(status) = self.keyring.as_mut().and_then(OwnedChild::exited) {
                panic!(
                    "gnome-keyring-daemon exited ({status}) before serving secrets: {}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not register org.freedesktop.secrets within {} s: {}",
                SECRET_SERVICE_WAIT.as_secs(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Keychain {
    fn drop(&mut self) {
        // The keyring first (it is a client of the bus), each by its own handle, and reaped.
        drop(self.keyring.take());
        drop(self.dbus.take());
    }
}

impl Keychain {
    /// A key store over this keychain, for use in this process: data folders made here (the
    /// school fixture) keep their key where the `waymark` binary run with [`apply`](Self::apply)
    /// finds it, the OS keychain entry `data-key:<id>` of service `waymark`.
    pub fn key_store(&self) -> Arc<dyn KeyStore> {
        Arc::new(KeychainKeys {
            bus: self.bus.clone(),
        })
    }
}

/// The private keychain's Secret Service, reached from this process over its bus address (a
/// test cannot point the `keyring` crate's process-wide store at it). Entries are written as
/// keyring's Secret Service store writes them: attributes `service` and `username`, in the
/// default collection, the text of [`DataKey::to_entry_text`].
#[derive(Debug)]
pub struct KeychainKeys {
    bus: String,
}

fn failed(e: impl std::fmt::Display) -> KeychainError {
    KeychainError::Failed(e.to_string())
}

impl KeychainKeys {
    fn with_service<T>(
        &self,
        f: impl FnOnce(&SecretService<'_>) -> Result<T, KeychainError>,
    ) -> Result<T, KeychainError> {
        let conn = zbus::blocking::connection::Builder::address(self.bus.as_str())
            .and_then(zbus::blocking::connection::Builder::build)
            .map_err(failed)?;
        let service =
            SecretService::connect_with_existing(EncryptionType::Plain, conn).map_err(failed)?;
        f(&service)
    }
}

fn attributes(user: &str) -> HashMap<&str, &str> {
    HashMap::from([("service", KEYCHAIN_SERVICE), ("username", user)])
}

impl KeyStore for KeychainKeys {
    fn load(&self, key_id: &str) -> Result<Option<DataKey>, KeychainError> {
        let user = keychain_user(key_id);
        self.with_service(|ss| {
            let found = ss.search_items(attributes(&user)).map_err(failed)?;
            let Some(item) = found.unlocked.first().or(found.locked.first()) else {
                return Ok(None);
            };
            item.unlock().map_err(failed)?;
            let secret = item.get_secret().map_err(failed)?;
            let text = String::from_utf8(secret).map_err(failed)?;
            DataKey::from_entry_text(&text)
                .map(Some)
                .map_err(KeychainError::Failed)
        })
    }

    fn save(&self, key_id: &str, key: &DataKey) -> Result<(), KeychainError> {
        let user = keychain_user(key_id);
        self.with_service(|ss| {
            let collection = ss.get_default_collection().map_err(failed)?;
            collection.unlock().map_err(failed)?;
            collection
                .create_item(
                    &format!("{KEYCHAIN_SERVICE} {user}"),
                    attributes(&user),
                    key.to_entry_text().as_bytes(),
                    true,
                    "application/octet-stream",
                )
                .map(|_| ())
                .map_err(failed)
        })
    }

    fn delete(&self, key_id: &str) -> Result<bool, KeychainError> {
        let user = keychain_user(key_id);
        self.with_service(|ss| {
            let found = ss.search_items(attributes(&user)).map_err(failed)?;
            let items: Vec<_> = found.unlocked.iter().chain(&found.locked).collect();
            for item in &items {
                item.delete().map_err(failed)?;
            }
            Ok(!items.is_empty())
        })
    }
}

/// HOME and the XDG folders (`data`, `config`, `run`) inside `home`: what a process under test
/// needs so that it neither reads nor writes the developer's own settings.
pub fn desktop_env(home: &Path) -> Vec<(String, PathBuf)> {
    vec![
        ("HOME".into(), home.to_owned()),
        ("XDG_DATA_HOME".into(), home.join("data")),
        ("XDG_CONFIG_HOME".into(), home.join("config")),
        ("XDG_RUNTIME_DIR".into(), home.join("run")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data key saved in process is the entry the `keyring` crate reads (what the `waymark`
    /// binary run on this keychain uses), and is gone once deleted.
    #[test]
    fn a_key_saved_in_process_is_the_keychain_entry_keyring_reads() {
        let keychain = Keychain::start();
        let store = keychain.key_store();
        let key = DataKey::generate().expect("random");
        assert_eq!(store.load("k1").expect("load"), None);
        store.save("k1", &key).expect("save");
        store.save("k1", &key).expect("saved again (replaced)");
        assert_eq!(store.load("k1").expect("load"), Some(key));
        assert!(store.delete("k1").expect("delete"));
        assert_eq!(store.load("k1").expect("load"), None);
    }

    /// The Secret Service answers on the private bus, and both daemons are gone after drop.
    #[test]
    fn serves_secrets_and_stops() {
        let keychain = Keychain::start();
        let out = keychain
            .apply(Command::new("dbus-send").args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ]))
            .output()
            .expect("dbus-send runs");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("boolean true"),
            "{out:?}"
        );
        let pids: Vec<u32> = [&keychain.keyring, &keychain.dbus]
            .into_iter()
            .flatten()
            .map(OwnedChild::id)
            .collect();
        assert_eq!(pids.len(), 2);
        drop(keychain);
        for pid in pids {
            assert!(
                !Path::new(&format!("/proc/{pid}")).exists(),
                "process {pid} was reaped"
            );
        }
    }
}
