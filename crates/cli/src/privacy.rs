//! `waymark privacy`, `export`, `import`, `erase` and `network`: the data-protection rights, a
//! command each. The rules are the core's (`Workspace::privacy_overview`, `export`, `import`,
//! `erase`, `set_network_restricted`); this only asks and prints.

use std::io::BufRead as _;
use std::path::Path;

use waymark_core::privacy::ERASE_CONFIRMATION;
use waymark_core::{Error, Workspace};
use waymark_sync::SyncError;

use crate::Context;
use crate::args::NetworkCmd;
use crate::output;

/// Bytes in words (KB, MB, GB).
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `waymark privacy`.
pub fn overview(ctx: &Context) -> Result<(), Error> {
    let ws = ctx.open()?;
    let o = ws.privacy_overview()?;
    if ctx.json {
        return output::json(&o);
    }
    out!("Data folder: {}", o.data_dir);
    out!("Held on this computer:");
    for held in &o.held {
        out!("  {:>6}  {}", held.count, held.kind);
    }
    out!(
        "  vault: {} file(s), {}; outbox: {} file(s), {}",
        o.vault.files,
        size(o.vault.bytes),
        o.outbox.files,
        size(o.outbox.bytes)
    );
    if o.tracked_folders.is_empty() {
        out!("Tracked folders: none");
    } else {
        out!("Tracked folders:");
        for f in &o.tracked_folders {
            out!("  {f}");
        }
    }
    match &o.enrolled_with {
        Some(e) => out!(
            "Enrolled with {} ({}) since {}",
            e.awarding_body,
            e.endpoint,
            e.enrolled_at
        ),
        None => out!("Not enrolled with an awarding body: nothing has been sent anywhere."),
    }
    for s in &o.sent {
        let when = s.sent_at.as_deref().unwrap_or("not sent yet");
        out!(
            "  {} {} to {}: {} ({}; confirmed {}), {} evidence file(s)",
            output::short_id(&s.submission_id),
            s.award,
            s.to,
            s.state,
            when,
            s.queued_at,
            s.files
        );
    }
    if o.network_restricted {
        out!("Network activity is PAUSED: nothing is sent or checked (`waymark network resume`).");
    }
    if o.correction_due {
        out!("A correction of the profile or working group waits to be sent (`waymark sync`).");
    }
    for e in &o.exports {
        out!("Export made {}: {}", e.made_at, e.path);
    }
    for e in &o.erasures {
        out!(
            "Erased {} on {}{}",
            e.kind.replace('_', " "),
            e.erased_at,
            e.erased_by
                .as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default()
        );
    }
    out!("Waymark sends nothing except what you submit: no telemetry, no update checks.");
    Ok(())
}

/// `waymark export --out FILE [--with-evidence]`.
pub fn export(ctx: &Context, out: &Path, with_evidence: bool) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    let report = ws.export(out, with_evidence)?;
    if ctx.json {
        return output::json(&report);
    }
    out!(
        "Exported {} rows of {} tables{} to {} ({}).",
        report.rows,
        report.tables,
        if with_evidence {
            format!(" and {} file(s)", report.files)
        } else {
            String::new()
        },
        report.path,
        size(report.bytes)
    );
    if report.waiting_not_carried > 0 {
        out!(
            "{} submission(s) still waiting to be sent are not carried without --with-evidence: after an import they must be submitted again.",
            report.waiting_not_carried
        );
    }
    out!("The export is not encrypted: keep it safe, and delete it when it is no longer needed.");
    Ok(())
}

/// `waymark import FILE` (into `--data-dir`).
pub fn import(ctx: &Context, file: &Path) -> Result<(), Error> {
    let data_dir = ctx.data_dir()?;
    let (_ws, report) = Workspace::import(&data_dir, file)?;
    if ctx.json {
        return output::json(&report);
    }
    out!(
        "Imported {} rows of {} tables and {} file(s) into {}.",
        report.rows,
        report.tables,
        report.files,
        report.data_dir
    );
    Ok(())
}

/// `waymark network pause|resume|status`.
pub fn network(ctx: &Context, cmd: NetworkCmd) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    match cmd {
        NetworkCmd::Pause => ws.set_network_restricted(true)?,
        NetworkCmd::Resume => ws.set_network_restricted(false)?,
        NetworkCmd::Status => {}
    }
    let paused = ws.network_restricted()?;
    if ctx.json {
        return output::json(&serde_json::json!({ "paused": paused }));
    }
    if paused {
        out!(
            "Network activity is paused: nothing is sent, checked or downloaded; the outbox waits. Resume with `waymark network resume`."
        );
    } else {
        out!("Network activity is on: queued submissions are sent with `waymark sync`.");
    }
    Ok(())
}

/// `waymark erase [--yes] [--local-only]`.
pub fn erase(ctx: &Context, yes: bool, local_only: bool) -> Result<(), SyncError> {
    let ws = match ctx.open() {
        Ok(ws) => ws,
        // The folder's key is gone (or an erasure was stopped after removing it first): what
        // is left cannot be read by anyone, and is erased without opening it.
        Err(e @ (Error::DataKeyMissing { .. } | Error::DataKeyWrong { .. })) => {
            return erase_unreadable(ctx, yes, &e);
        }
        Err(e) => return Err(e.into()),
    };
    let plan = ws.erasure_plan()?;
    if !ctx.json || !yes {
        err_out!("This erases everything Waymark holds in {}:", plan.data_dir);
        for p in plan.paths.iter().chain(&plan.exports) {
            err_out!("  {p}");
        }
        for k in &plan.keychain_entries {
            err_out!("  keychain entry {k}");
        }
        if let Some(e) = &plan.enrolled_with {
            if local_only {
                err_out!(
                    "{} keeps its copy ({}): ask it to erase that separately.",
                    e.awarding_body,
                    e.endpoint
                );
            } else {
                err_out!(
                    "and asks {} ({}) to erase this institution's data first.",
                    e.awarding_body,
                    e.endpoint
                );
            }
        }
        err_out!("It cannot be undone: make an export first (`waymark export`) to keep a copy.");
    }
    let confirmation = confirmation(yes)?;
    let (ws, at_endpoint) = match (&plan.enrolled_with, local_only) {
        (Some(_), false) => {
            let (ws, words) = crate::submit::request_erasure(ws)?;
            (ws, Some(words))
        }
        _ => (ws, None),
    };
    let report = ws.erase(&confirmation)?;
    if ctx.json {
        return output::json(&serde_json::json!({ "local": report, "endpoint": at_endpoint }))
            .map_err(SyncError::from);
    }
    if let Some(confirmation) = &at_endpoint {
        out!("{confirmation}");
    }
    out!(
        "Erased {} file(s) ({}) and {} keychain entr{}.",
        report.files,
        size(report.bytes),
        report.keychain_entries.len(),
        if report.keychain_entries.len() == 1 {
            "y"
        } else {
            "ies"
        }
    );
    if !report.left.is_empty() {
        out!("Left in place (not Waymark's):");
        for l in &report.left {
            out!("  {l}");
        }
    }
    Ok(())
}

/// The typed confirmation (the phrase itself with `--yes`), checked.
fn confirmation(yes: bool) -> Result<String, SyncError> {
    let typed = if yes {
        ERASE_CONFIRMATION.to_owned()
    } else {
        err_out!("Type \"{ERASE_CONFIRMATION}\" to go on:");
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| SyncError::io("reading the confirmation", "stdin", e))?;
        line
    };
    waymark_core::privacy::check_erase_confirmation(&typed)?;
    Ok(typed)
}

/// `waymark erase` on a folder that cannot be opened: its files and any keychain entry left.
fn erase_unreadable(ctx: &Context, yes: bool, why: &Error) -> Result<(), SyncError> {
    let data_dir = ctx.data_dir()?;
    err_out!("{why}");
    err_out!(
        "Its files cannot be read by anyone; erasing them. Exports made from it and the awarding body's copy are not known from here: delete those separately."
    );
    let typed = confirmation(yes)?;
    let report = Workspace::erase_unreadable(&data_dir, &waymark_core::OsKeychain, &typed)?;
    if ctx.json {
        return output::json(&serde_json::json!({ "local": report, "endpoint": null }))
            .map_err(SyncError::from);
    }
    out!("Erased {} file(s) ({}).", report.files, size(report.bytes));
    Ok(())
}
