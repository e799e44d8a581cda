//! A school's data folder that can apply for a mark, made through the core's `Workspace` as
//! the app would: the bundled Technology Self-Review with every aspect at its most mature
//! level with commentary, every required evidence item met by its own file (one a photo
//! flagged as showing pupils' personal data), three future actions and a working group.
//!
//! Why the bundled framework: the endpoint knows it without configuration, so a test
//! exercises the same rules (thresholds, required evidence) a real school meets.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use std::sync::Arc;
use tempfile::TempDir;

use waymark_core::store::{ContributorInput, InstitutionInput, NewAction};
use waymark_core::workspace::ResponseUpdate;
use waymark_core::{EphemeralKeys, KeyStore, Workspace};

/// The framework the fixture registers for.
pub const FRAMEWORK: &str = "technology-self-review";
/// The mark it can apply for.
pub const AWARD: &str = "technology-mark";
/// The school's name.
pub const SCHOOL: &str = "Ysgol Gynradd Llanfair";
/// Who makes the changes.
pub const LEAD: &str = "Mrs Siân Jones";

/// An eligible school's data folder and the folder its evidence files live in.
pub struct SchoolFixture {
    /// The data folder (`--data-dir`).
    pub data: TempDir,
    /// Where the evidence files are (they stay there, as in real use).
    pub files: TempDir,
    /// The evidence item flagged as showing pupils' personal data.
    pub photo: String,
    /// Every evidence item's id, with its file.
    pub items: Vec<(String, PathBuf)>,
    /// Where the data folder's key is kept.
    pub keys: Arc<dyn KeyStore>,
}

/// Writes `len` deterministic, incompressible bytes (BLAKE3's output stream of `seed`).
pub fn write_noise(path: &Path, seed: &str, len: u64) {
    let mut xof = blake3::Hasher::new().update(seed.as_bytes()).finalize_xof();
    let mut file = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(path).expect("create a generated evidence file"),
    );
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        xof.fill(&mut buf[..n]);
        file.write_all(&buf[..n])
            .expect("write a generated evidence file");
        left -= n as u64;
    }
    file.flush().expect("flush a generated evidence file");
}

impl SchoolFixture {
    /// A school that meets every rule of the Technology Mark, its data key in this process's
    /// memory (for folders only this process opens).
    pub fn eligible() -> Self {
        Self::eligible_with(EphemeralKeys::new())
    }

    /// The same, its data key in the test keychain `keychain`, where the `waymark` binary run
    /// on that keychain finds it.
    pub fn eligible_in(keychain: &crate::keychain::Keychain) -> Self {
        Self::eligible_with(keychain.key_store())
    }

    /// The same, its data key kept in `keys`: a test keychain's
    /// [`key_store`](crate::keychain::Keychain::key_store) when the `waymark` binary opens the
    /// folder too, the OS keychain in a process that runs on the test keychain.
    pub fn eligible_with(keys: Arc<dyn KeyStore>) -> Self {
        let data = tempfile::tempdir().expect("a data folder");
        let files = tempfile::tempdir().expect("an evidence folder");
        let mut ws =
            Workspace::open_with_keys(data.path(), keys.clone()).expect("open the data folder");
        ws.set_author(LEAD).expect("set the author");
        let review = ws
            .register(
                FRAMEWORK,
                None,
                &InstitutionInput {
                    name: SCHOOL.into(),
                    identifier: Some("100001".into()),
                    contact_name: Some(LEAD.into()),
                    email: Some("head@llanfair.example".into()),
                    ..InstitutionInput::default()
                },
                LEAD,
            )
            .expect("register");
        let rf = ws.review_framework(&review).expect("the framework");
        let top = rf
            .levels_by_maturity
            .last()
            .map(|l| l.value)
            .expect("a scale");
        let mut items = Vec::new();
        let mut photo = String::new();
        for place in &rf.order {
            ws.set_response(
                &review,
                &place.id,
                ResponseUpdate {
                    level: Some(Some(top)),
                    commentary: Some(format!(
                        "{}: how we meet this aspect, with the evidence attached.",
                        place.id
                    )),
                    base_revision: None,
                },
                LEAD,
            )
            .expect("set a response");
        }
        let requirements: Vec<String> = rf
            .framework
            .dimensions
            .iter()
            .flat_map(|d| {
                d.benchmarks
                    .iter()
                    .chain(d.groups.iter().flat_map(|g| g.benchmarks.iter()))
            })
            .flat_map(|b| {
                b.evidence
                    .iter()
                    .filter(|e| e.required)
                    .map(|e| e.id.clone())
            })
            .collect();
        for (n, requirement) in requirements.iter().enumerate() {
            let is_photo = n == 0;
            let name = if is_photo {
                "Year 6 coding club.jpg".to_owned()
            } else {
                format!("{requirement}.pdf")
            };
            let path = files.path().join(&name);
            write_noise(&path, requirement, 20_000 + 997 * n as u64);
            let link = ws
                .requirement_link(&review, requirement)
                .expect("a requirement link");
            let report = ws
                .add_evidence(&review, std::slice::from_ref(&path), &[link], LEAD)
                .expect("add evidence");
            let item = report.added.into_iter().next().expect("one item added");
            if is_photo {
                ws.describe_evidence(&review, &item.id, "Coding club photo", None, true)
                    .expect("flag the photo");
                photo = item.id.clone();
            }
            items.push((item.id, path));
        }
        for (n, text) in [
            "Refresh the technology vision with governors",
            "Train staff on the new assessment platform",
            "Audit accessibility settings on every device",
        ]
        .iter()
        .enumerate()
        {
            ws.add_action(
                &review,
                &NewAction {
                    text: (*text).into(),
                    owner: Some(LEAD.into()),
                    due_date: Some(format!("2027-0{}-15", n + 3)),
                    benchmarks: vec![rf.order[n].id.clone()],
                },
                LEAD,
            )
            .expect("add an action");
        }
        for (name, role) in [(LEAD, "Headteacher"), ("Mr Dafydd Evans", "Computing lead")] {
            ws.add_contributor(&ContributorInput {
                name: name.into(),
                role: Some(role.into()),
                email: None,
            })
            .expect("add a contributor");
        }
        let status = ws.status(&review).expect("status");
        let mark = status
            .progress
            .awards
            .iter()
            .find(|a| a.id == AWARD)
            .expect("the mark");
        assert!(
            mark.eligible,
            "the fixture must be eligible: {:?}",
            mark.reasons
        );
        Self {
            data,
            files,
            photo,
            items,
            keys,
        }
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// Opens the data folder.
    pub fn open(&self) -> Workspace {
        Workspace::open_with_keys(self.data.path(), self.keys.clone())
            .expect("open the data folder")
    }

    /// Adds a generated file of `len` bytes as evidence for the first aspect; returns its id.
    pub fn add_file(&self, name: &str, len: u64) -> String {
        let path = self.files.path().join(name);
        write_noise(&path, name, len);
        let mut ws = self.open();
        let review = ws.current_review(None).expect("the review");
        let first = ws.review_framework(&review).expect("the framework").order[0]
            .id
            .clone();
        let link = waymark_core::evidence::EvidenceLink {
            benchmark_id: first,
            requirement_id: None,
        };
        let report = ws
            .add_evidence(&review, &[path], &[link], LEAD)
            .expect("add evidence");
        report.added.into_iter().next().expect("one item").id
    }

    /// Changes an evidence file's content (same size) and accepts the change, as a lead does
    /// after improving a document the assessor asked about.
    pub fn change_file(&self, id: &str) {
        let (_, path) = self
            .items
            .iter()
            .find(|(i, _)| i == id)
            .expect("a fixture item");
        let len = std::fs::metadata(path).expect("the file").len();
        write_noise(path, &format!("{id} improved"), len);
        let mut ws = self.open();
        let review = ws.current_review(None).expect("the review");
        ws.rescan(&review).expect("rescan");
        ws.accept_evidence(&review, id, LEAD)
            .expect("accept the change");
    }
}
