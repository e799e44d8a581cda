//! `waymark evidence …`: add, list, rescan, link, unlink, accept and remove evidence files, and
//! list the watched folders.

use waymark_core::evidence::EvidenceLink;
use waymark_core::store::Review;
use waymark_core::workspace::WorkProgress;
use waymark_core::{Error, Workspace};

use crate::Context;
use crate::args::{EvidenceCmd, LinkArgs};
use crate::output;

/// The links named on the command line; a requirement brings its own benchmark.
fn links(ws: &Workspace, review: &Review, a: LinkArgs) -> Result<Vec<EvidenceLink>, Error> {
    let mut out: Vec<EvidenceLink> = a
        .benchmarks
        .into_iter()
        .map(|b| EvidenceLink {
            benchmark_id: b,
            requirement_id: None,
        })
        .collect();
    for r in a.requirements {
        out.push(ws.requirement_link(review, &r)?);
    }
    Ok(out)
}

/// A progress bar on stderr (drawn only on a terminal, never with --json). Interrupting with
/// Ctrl+C is safe: nothing is written until all files are read, in one transaction.
fn bar(ctx: &Context, verb: &'static str) -> indicatif::ProgressBar {
    let bar = if ctx.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    let style = indicatif::ProgressStyle::with_template(
        "{msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}, {eta} left",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar.set_message(verb);
    bar
}

/// Keeps a bar in step with the core's progress reports (bytes on the bar, files in words).
fn follow<'a>(
    bar: &'a indicatif::ProgressBar,
    verb: &'a str,
) -> impl FnMut(&WorkProgress) -> bool + 'a {
    move |p| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
        bar.set_message(format!("{verb} {}/{} files", p.files_done, p.files_total));
        true
    }
}

/// Runs an `evidence` subcommand.
pub fn run(ctx: &Context, cmd: EvidenceCmd) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    let by = ctx.author(&ws);
    let review = ws.current_review(ctx.framework.as_deref())?;
    match cmd {
        EvidenceCmd::Add { paths, links: l } => {
            let links = links(&ws, &review, l)?;
            let bar = bar(ctx, "Hashing");
            let report =
                ws.add_evidence_with(&review, &paths, &links, &by, &mut follow(&bar, "Hashing"));
            bar.finish_and_clear();
            let report = report?;
            if ctx.json {
                output::json(&report)?;
            } else {
                out!("Added {} item(s).", report.added.len());
                for s in &report.skipped {
                    err_out!("skipped {}: {}", s.path, s.reason);
                }
            }
            if report.added.is_empty() && !report.skipped.is_empty() {
                return Err(Error::invalid(
                    "evidence add",
                    "Nothing was added: every path was skipped (see the reasons).",
                ));
            }
        }
        EvidenceCmd::List => {
            let items = ws.evidence(&review)?;
            if ctx.json {
                return output::json(&items);
            }
            if items.is_empty() {
                out!(
                    "No evidence yet. Add files or folders with `waymark evidence add PATH --requirement ID`."
                );
                return Ok(());
            }
            let mut t = output::table(&["id", "title", "status", "size", "linked to", "path"]);
            for i in &items {
                let linked: Vec<String> = i
                    .links
                    .iter()
                    .map(|l| {
                        l.requirement_id
                            .clone()
                            .unwrap_or_else(|| l.benchmark_id.clone())
                    })
                    .collect();
                t.add_row(vec![
                    output::short_id(&i.id).to_owned(),
                    i.title.clone(),
                    i.status.as_str().to_owned(),
                    i.size.to_string(),
                    linked.join(", "),
                    i.path.clone(),
                ]);
            }
            out!("{t}");
        }
        EvidenceCmd::Rescan => {
            let bar = bar(ctx, "Checking");
            let r = ws.rescan_with(&review, &mut follow(&bar, "Checking"));
            bar.finish_and_clear();
            let r = r?;
            if ctx.json {
                return output::json(&r);
            }
            out!(
                "Checked {} item(s), hashed {}: {} ok, {} modified, {} missing, {} moved, {} unreadable.",
                r.checked,
                r.hashed,
                r.ok,
                r.modified,
                r.missing,
                r.moved,
                r.unreadable
            );
        }
        EvidenceCmd::Describe {
            id,
            title,
            note,
            personal_data,
            no_personal_data,
        } => {
            let id = ws.resolve_evidence_id(&review, &id)?;
            let item = ws.evidence_item(&review, &id)?;
            let personal = if personal_data {
                true
            } else if no_personal_data {
                false
            } else {
                item.personal_data
            };
            let title = title.unwrap_or(item.title);
            let note = note.or(item.note);
            ws.describe_evidence(&review, &id, &title, note.as_deref(), personal)?;
            if ctx.json {
                return output::json(
                    &serde_json::json!({ "id": id, "title": title, "note": note, "personal_data": personal }),
                );
            }
            out!(
                "Saved {title}{}.",
                if personal {
                    " (shows personal data)"
                } else {
                    ""
                }
            );
        }
        EvidenceCmd::Freeze => {
            let r = ws.freeze(&review)?;
            if ctx.json {
                return output::json(&r);
            }
            out!(
                "Froze {} item(s) into the vault ({} new copies, {} bytes).",
                r.frozen,
                r.copied,
                r.bytes_copied
            );
            for s in &r.skipped {
                err_out!(
                    "not frozen: {}: {}",
                    s.title.as_deref().unwrap_or(&s.path),
                    s.reason
                );
            }
        }
        EvidenceCmd::Link { id, links: l } => {
            let id = ws.resolve_evidence_id(&review, &id)?;
            let links = links(&ws, &review, l)?;
            if links.is_empty() {
                return Err(Error::invalid(
                    "link",
                    "Name a --benchmark or --requirement to link to.",
                ));
            }
            ws.link_evidence(&review, &id, &links)?;
            if ctx.json {
                return output::json(&serde_json::json!({ "linked": id }));
            }
            out!("Linked {}.", output::short_id(&id));
        }
        EvidenceCmd::Accept { id } => {
            let id = ws.resolve_evidence_id(&review, &id)?;
            let item = ws.accept_evidence(&review, &id, &by)?;
            if ctx.json {
                return output::json(&item);
            }
            out!(
                "Accepted the current content of {} as the version of record.",
                item.title
            );
        }
        EvidenceCmd::Remove { id } => {
            let id = ws.resolve_evidence_id(&review, &id)?;
            let title = ws.evidence_item(&review, &id)?.title;
            ws.remove_evidence(&review, &id)?;
            if ctx.json {
                return output::json(&serde_json::json!({ "removed": id }));
            }
            out!("Stopped tracking {title}; the file itself was not touched.");
        }
        EvidenceCmd::Unlink {
            id,
            benchmark,
            requirement,
        } => {
            let id = ws.resolve_evidence_id(&review, &id)?;
            ws.unlink_evidence(&review, &id, &benchmark, requirement.as_deref())?;
            if ctx.json {
                return output::json(
                    &serde_json::json!({ "unlinked": id, "benchmark_id": benchmark, "requirement_id": requirement }),
                );
            }
            out!(
                "Unlinked {} from {}.",
                output::short_id(&id),
                requirement.unwrap_or(benchmark)
            );
        }
        EvidenceCmd::Folders => folders(ctx, &ws, &review)?,
    }
    Ok(())
}

/// One row of `evidence folders`.
#[derive(serde::Serialize)]
struct FolderRow {
    path: String,
    /// Who added the folder as evidence; `None` when it is watched because tracked files are in it.
    added_by: Option<String>,
    added_at: Option<String>,
    present: bool,
}

/// The watched folders and the folders added as evidence (one inside another is listed too,
/// though only the outer one is watched).
fn folders(ctx: &Context, ws: &Workspace, review: &Review) -> Result<(), Error> {
    let recorded = ws.evidence_folders(review)?;
    let mut paths = ws.watched_folders(review)?;
    paths.extend(recorded.iter().map(|f| f.path.clone()));
    paths.sort();
    paths.dedup();
    let rows: Vec<FolderRow> = paths
        .iter()
        .map(|p| {
            let added = recorded.iter().find(|f| &f.path == p);
            FolderRow {
                path: p.to_string_lossy().into_owned(),
                added_by: added.map(|f| f.added_by.clone()),
                added_at: added.map(|f| f.added_at.clone()),
                present: p.is_dir(),
            }
        })
        .collect();
    if ctx.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        out!("No folders yet. Add a folder with `waymark evidence add FOLDER --requirement ID`.");
        return Ok(());
    }
    let mut t = output::table(&["folder", "why", "on disk"]);
    for r in &rows {
        let why = match (&r.added_by, &r.added_at) {
            (Some(by), Some(at)) => format!("added by {by} on {}", at.get(..10).unwrap_or(at)),
            _ => "holds tracked files".to_owned(),
        };
        t.add_row(vec![
            r.path.clone(),
            why,
            if r.present { "yes" } else { "missing" }.to_owned(),
        ]);
    }
    out!("{t}");
    Ok(())
}
