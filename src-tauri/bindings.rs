//! The TypeScript declarations of every type that crosses to the UI, generated from the Rust
//! types with ts-rs into `ui/src/lib/bindings.ts` (committed). A test fails when that file is
//! stale; `make bindings` (or `WAYMARK_BLESS=1 cargo test -p waymark-app bindings`) rewrites it.

use ts_rs::{Config, TS};
use waymark_core::evidence as ed;
use waymark_core::framework as fw;
use waymark_core::progress as pg;
use waymark_core::search as se;
use waymark_core::store as st;
use waymark_core::upgrade as up;
use waymark_core::workspace as ws;

use crate::commands as cm;
use crate::documents as dc;
use crate::error::CommandError;
use crate::evidence as ev;

/// Where the generated file lives, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

macro_rules! declarations {
    ($cfg:expr; $($t:ty),* $(,)?) => {
        vec![$(format!("export {}", <$t as TS>::decl($cfg))),*]
    };
}

/// The whole generated file.
pub fn typescript() -> String {
    let cfg = Config::default();
    let decls = declarations![&cfg;
        CommandError, cm::AppInfo, cm::RegisterInput, cm::SaveResponseInput, cm::BenchmarkDetail,
        cm::ReviewFramework, cm::ContributorInput,
        waymark_core::Status, se::SearchHit, se::HitField, up::UpgradeReport, up::Flagged,
        pg::Progress, pg::Ratio, pg::DimensionProgress, pg::AwardStatus, pg::Reason, pg::MissingEvidence,
        st::Institution, st::InstitutionInput, st::Phase, st::Review, st::Response, st::HistoryEntry,
        st::Change, st::ArchivedResponse, st::FutureAction, st::NewAction, st::ActionStatus, st::Contributor,
        fw::FrameworkSummary, fw::FrameworkDef, fw::Direction, fw::Scale, fw::ScaleLevel, fw::ProgressDef,
        fw::Dimension, fw::Group, fw::Benchmark, fw::LevelDescriptor, fw::EvidenceRequirement,
        fw::AwardKind, fw::Issuer, fw::Award, fw::Requirements, fw::Upgrade, fw::Merge, fw::Split,
        ev::LinkInput, ev::AddEvidenceInput, ev::DescribeEvidenceInput, ev::EvidenceLibrary,
        ed::EvidenceItem, ed::EvidenceLink, ed::EvidenceStatus,
        ws::AddReport, ws::RescanReport, ws::FreezeReport, ws::WorkProgress, ws::Skipped,
        dc::DocumentKind, dc::ExportInput, dc::Exported,
    ];
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/bindings.rs — do not edit by hand.\n\
         // Regenerate with `make bindings`.\n\n",
    );
    for d in decls {
        out.push_str(d.trim_end());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
