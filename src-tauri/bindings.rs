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
use crate::privacy as sp;
use crate::submissions::views as sv;
use waymark_assess::desk as dk;
use waymark_core::privacy as pv;
use waymark_core::renewal as rn;
use waymark_protocol::review as rv;

/// Where the generated types live, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

/// Where the generated command wrappers live, relative to the repository root.
pub const COMMANDS_PATH: &str = "ui/src/lib/commands.ts";

/// One command as the UI calls it, from the declaration in command_list.rs.
#[derive(Debug, Clone)]
pub struct Signature {
    /// The command's name (snake_case, as invoked).
    pub name: &'static str,
    /// Its arguments: name (snake_case, as sent) and TypeScript type.
    pub args: Vec<(&'static str, String)>,
    /// The TypeScript type of what it returns on success.
    pub returns: String,
    /// The TypeScript type it streams on a channel while it runs, if it does.
    pub progress: Option<String>,
}

/// `add_evidence` -> `addEvidence`.
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The type names a TypeScript type mentions (`Array<EvidenceItem> | null` -> EvidenceItem).
fn named_types(ts: &str) -> impl Iterator<Item = &str> {
    ts.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()) && *w != "Array")
}

/// The UI's typed wrapper of every command (ui/src/lib/commands.ts), so no command name,
/// argument name or type is written by hand on the UI's side.
pub fn command_wrappers(signatures: &[Signature]) -> String {
    let mut types: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    let mut body = String::new();
    for s in signatures {
        let mut params: Vec<String> = s.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let mut sent: Vec<String> = s.args.iter().map(|(n, _)| (*n).to_owned()).collect();
        if let Some(p) = &s.progress {
            params.push(format!("onProgress: (p: {p}) => void"));
            sent.push("on_progress: channel(onProgress)".into());
            types.extend(named_types(p));
        }
        for (_, t) in &s.args {
            types.extend(named_types(t));
        }
        types.extend(named_types(&s.returns));
        let args = if sent.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", sent.join(", "))
        };
        body.push_str(&format!(
            "  {}: ({}) => call<{}>('{}'{args}),\n",
            camel(s.name),
            params.join(", "),
            s.returns,
            s.name,
        ));
    }
    let imports: Vec<&str> = types.into_iter().collect();
    format!(
        "// Generated from src-tauri/command_list.rs by src-tauri/bindings.rs — do not edit by hand.\n\
         // Regenerate with `make bindings`.\n\n\
         import type {{ {} }} from './bindings';\n\
         import {{ call, channel }} from './invoke';\n\n\
         /** Every command the desktop shell offers, typed as Rust declares it. */\n\
         export const commands = {{\n{body}}};\n",
        imports.join(", ")
    )
}

macro_rules! declarations {
    ($cfg:expr; $($t:ty),* $(,)?) => {
        vec![$(format!("export {}", <$t as TS>::decl($cfg))),*]
    };
}

/// The whole generated file.
pub fn typescript() -> String {
    // Byte counts and row counts are u64 in Rust and plain numbers in JSON (far below 2^53).
    let cfg = Config::default().with_large_int("number");
    let decls = declarations![&cfg;
        CommandError, waymark_core::ErrorCode, cm::AppInfo, cm::RegisterInput, cm::SaveResponseInput,
        ws::BenchmarkDetail, ws::ReviewFramework, ws::BenchmarkPlace, ws::EvidenceSummary, ws::ActionSummary, st::ContributorInput, waymark_core::input::FieldProblem,
        waymark_core::Status, se::SearchHit, se::HitField, up::UpgradeReport, up::Flagged,
        pg::Progress, pg::Ratio, pg::DimensionProgress, pg::AwardStatus, pg::Reason, pg::Gaps, pg::MissingEvidence,
        pg::BenchmarkProgress, pg::RequirementProgress, pg::RequirementState,
        st::Institution, st::InstitutionInput, st::Phase, st::Review, st::Response, st::HistoryEntry,
        st::Change, st::ArchivedResponse, st::FutureAction, st::NewAction, st::ActionStatus, st::Contributor,
        fw::FrameworkSummary, fw::FrameworkDef, fw::Direction, fw::Scale, fw::ScaleLevel, fw::ProgressDef,
        fw::Dimension, fw::Group, fw::Benchmark, fw::LevelDescriptor, fw::EvidenceRequirement,
        fw::AwardKind, fw::Issuer, fw::Award, fw::Requirements, fw::Upgrade, fw::Merge, fw::Split,
        ev::LinkInput, ev::AddEvidenceInput, ev::DescribeEvidenceInput, ev::EvidenceScreen, ws::EvidenceLibrary,
        ed::EvidenceItem, ed::EvidenceLink, ed::EvidenceStatus, ed::StatusDetail, ed::ReadProblem,
        ws::AddReport, ws::RescanReport, ws::FreezeReport, ws::WorkProgress, ws::Skipped, ws::SkipReason,
        dc::DocumentKind, dc::ExportInput, dc::Exported,
        sv::Connection, sv::CodeCheck, sv::Enrolled, sv::PreviewItem, sv::ApplyPreview, sv::ApplyStage,
        sv::ApplyProgress, sv::Applied, sv::DeliveryState, sv::Delivery, sv::Stage, sv::StepState,
        sv::TimelineStep, sv::RequestedBenchmark, sv::RequestView, sv::FeedbackView, sv::AwardView,
        sv::VersionView, sv::SubmissionView, sv::Offer, sv::Application, sv::RenewalView, sv::Overview,
        sv::ReceiptView, sv::SaveReceiptInput,
        rn::RenewalState, rn::RenewalReport, rn::LevelComparison, rn::LevelChange,
        pv::PrivacyOverview, pv::HeldKind, pv::HeldCount, pv::FilesSize, pv::SentRecord, pv::EnrolledWith,
        pv::KnownExport, pv::ErasureRecord, pv::ErasurePlan, pv::ErasureReport, pv::ExportReport,
        sp::Erased, sp::AwardingBodyErasure,
        rv::ReviewState, rv::Role, rv::Outcome,
        dk::AssignmentRow, dk::CopyInfo, dk::OpenProgress, dk::OpenStage, dk::Opened, dk::SubmissionView,
        dk::InstitutionView, dk::FrameworkView, dk::ScaleLevelView, dk::AwardView, dk::DimensionView,
        dk::BenchmarkView, dk::LevelView, dk::EvidenceView, dk::ActionView, dk::ContributorView,
        dk::HistoryView, dk::EditorCount, dk::HistoryItem, dk::Changes, dk::BenchmarkChange,
        dk::RequestView, dk::BenchmarkMessage, dk::RecommendationView, dk::JudgementView, dk::Allowed,
        dk::Draft, dk::Judgement, dk::Verdict, dk::DraftProblem, dk::ModerationChoice, dk::DeskSettings,
        dk::DeskInfo,
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
