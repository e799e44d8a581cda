//! `waymark-server init`: a new data folder with its configuration, the server's signing key,
//! the first key set and an administrator token.
//!
//! The awarding body's first age identity is written to `identity_out`, a file *outside* the
//! data folder that the awarding body moves to the machine(s) where submissions are read; the
//! server keeps only its recipient. An awarding body that already has identities passes their
//! recipients instead and no identity is made here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use waymark_protocol::crypt::{Identity, Recipient};

use crate::auth::new_token;
use crate::clock::Clock;
use crate::config::{CONFIG_FILE, Config};
use crate::keys::{self, KeyError};
use crate::meta::{AccountKind, AccountStore, MetaError};

/// What `init` is told.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// The awarding body's name.
    pub awarding_body: String,
    /// The address schools will reach the endpoint at.
    pub public_url: String,
    /// Where to listen.
    pub listen: std::net::SocketAddr,
    /// Recipients the awarding body already holds identities for.
    pub recipients: Vec<Recipient>,
    /// Where to write a new identity when `recipients` is empty.
    pub identity_out: Option<PathBuf>,
}

/// What `init` made.
#[derive(Debug)]
pub struct Initialised {
    /// The administrator token (shown once).
    pub admin_token: String,
    /// The first key set's fingerprint (what enrollment codes carry).
    pub fingerprint: waymark_protocol::keys::Fingerprint,
    /// Where the new identity was written, if one was made.
    pub identity_file: Option<PathBuf>,
}

/// Why `init` failed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The folder already holds a server.
    #[error(
        "{0} already holds a Waymark server (its signing key exists); use a new folder, or `serve` this one"
    )]
    Exists(PathBuf),
    /// The shared metadata store already holds an endpoint (another instance's).
    #[error(
        "the metadata store named in {0} already holds an endpoint's key sets: a second instance is not initialised, it is a copy of the first one's data folder (server.toml and signing.key; README, \"Several instances\")"
    )]
    SharedStoreInUse(PathBuf),
    /// The existing configuration is not valid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The configured stores could not be opened.
    #[error(transparent)]
    Start(#[from] Box<crate::state::StartError>),
    /// No recipient and nowhere to write an identity.
    #[error(
        "give the awarding body's age recipient(s) with --recipient, or --identity-out FILE to make a new identity"
    )]
    NoRecipient,
    /// The identity would land inside the data folder.
    #[error(
        "--identity-out must be outside the data folder: the server must never hold the key that reads submissions"
    )]
    IdentityInsideData,
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Keys.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// Metadata.
    #[error(transparent)]
    Meta(#[from] MetaError),
}

/// Creates a server in `data_dir` (made if missing).
pub async fn init(
    data_dir: &Path,
    options: InitOptions,
    clock: Arc<dyn Clock>,
) -> Result<Initialised, InitError> {
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| InitError::Write { path, source }
    };
    std::fs::create_dir_all(data_dir).map_err(write_err(data_dir))?;
    if data_dir.join(keys::SIGNING_KEY_FILE).exists() {
        return Err(InitError::Exists(data_dir.to_owned()));
    }
    let mut recipients: Vec<(String, Recipient)> = options
        .recipients
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("{} ({})", options.awarding_body, i + 1), r.clone()))
        .collect();
    let mut identity_file = None;
    if recipients.is_empty() {
        let out = options.identity_out.clone().ok_or(InitError::NoRecipient)?;
        let absolute_data = std::fs::canonicalize(data_dir).map_err(write_err(data_dir))?;
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(write_err(parent))?;
        if std::fs::canonicalize(parent)
            .map_err(write_err(parent))?
            .starts_with(&absolute_data)
        {
            return Err(InitError::IdentityInsideData);
        }
        let identity = Identity::generate();
        let text = format!(
            "# Waymark: the awarding body's identity for reading submissions ({}).\n# Keep it offline and backed up; the server holds only its public key.\n# public key: {}\n{}\n",
            options.awarding_body,
            identity.recipient(),
            identity.to_secret_text()
        );
        keys::write_private(&out, text.as_bytes())?;
        recipients.push((options.awarding_body.clone(), identity.recipient()));
        identity_file = Some(out);
    }

    // A server.toml written beforehand keeps what it says (the stores, limits); the options
    // fill in who and where. The file is written back whole, every setting shown.
    let config_path = data_dir.join(CONFIG_FILE);
    let config = Config {
        listen: options.listen,
        public_url: options.public_url.trim_end_matches('/').to_owned(),
        awarding_body: options.awarding_body.clone(),
        ..Config::read_file(data_dir)?
    };
    let text = format!(
        "# waymark-server configuration. Every setting and its default: README.md, \"Running the endpoint\".\n{}",
        toml::to_string_pretty(&config).unwrap_or_default()
    );
    std::fs::write(&config_path, text).map_err(write_err(&config_path))?;
    // The stores as the server will open them: the file, then the environment (a database
    // password given only there stays out of the file).
    let meta = crate::state::open_meta(data_dir, &Config::load(data_dir)?)
        .await
        .map_err(Box::new)?;
    if !meta.key_sets().await?.is_empty() {
        return Err(InitError::SharedStoreInUse(config_path));
    }

    let key = keys::create_signing_key(data_dir)?;
    let signed = keys::publish_key_set(
        meta.as_ref(),
        &key,
        &config.awarding_body,
        &config.public_url,
        keys::KeySetChange::Add(
            recipients
                .into_iter()
                .map(|(label, r)| keys::recipient(&label, r))
                .collect(),
        ),
        clock.now(),
    )
    .await?;
    let admin_token = issue_admin_token(meta.as_ref(), clock.as_ref()).await?;
    Ok(Initialised {
        admin_token,
        fingerprint: signed.fingerprint(),
        identity_file,
    })
}

/// A new administrator token (`waymark-server admin-token`); earlier ones stay valid until
/// revoked.
pub async fn issue_admin_token(
    meta: &dyn AccountStore,
    clock: &dyn Clock,
) -> Result<String, MetaError> {
    let (text, record) = new_token(AccountKind::Admin, None, clock.now());
    meta.add_token(&record).await?;
    Ok(text)
}
