//! Commands on the review itself: init, institution, status, set, confirm, history, upgrade.

use std::io::Read;
use std::path::Path;

use waymark_core::store::{InstitutionInput, Phase};
use waymark_core::{Error, ResponseUpdate};

use crate::Context;
use crate::args::{InitArgs, InstitutionCmd, InstitutionDetails, SetArgs};
use crate::output;

fn apply_details(input: &mut InstitutionInput, d: InstitutionDetails) {
    if d.identifier.is_some() {
        input.identifier = d.identifier;
    }
    if d.phase.is_some() {
        input.phase = d.phase;
    }
    if d.contact.is_some() {
        input.contact_name = d.contact;
    }
    if d.email.is_some() {
        input.email = d.email;
    }
    if d.role.is_some() {
        input.role = d.role;
    }
}

/// `waymark init`
pub fn init(ctx: &Context, a: InitArgs) -> Result<(), Error> {
    let framework = ctx.framework.as_deref().ok_or_else(|| {
        Error::invalid(
            "--framework",
            "Choose a framework: see `waymark frameworks list` for ids.",
        )
    })?;
    let mut ws = ctx.open()?;
    let by = ctx.author(&ws);
    let mut input = match ws.registered_institution()? {
        Some(i) => InstitutionInput {
            name: i.name,
            identifier: i.identifier,
            phase: i.phase,
            contact_name: i.contact_name,
            email: i.email,
            role: i.role,
        },
        None => InstitutionInput::default(),
    };
    input.name = a.institution;
    apply_details(&mut input, a.details);
    let review = ws.register(framework, a.version.as_deref(), &input, &by)?;
    let status = ws.status(&review)?;
    if ctx.json {
        return output::json(&status);
    }
    out!(
        "Registered {} for {} {} (data folder: {}).",
        status.institution.name,
        status.framework_title,
        review.framework_version,
        ws.data_dir().display()
    );
    for award in status.progress.awards.iter().filter(|a| a.eligible) {
        out!("Available now: {}.", award.title);
    }
    Ok(())
}

/// `waymark institution …`
pub fn institution(ctx: &Context, cmd: InstitutionCmd) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    let current = ws.institution()?;
    let inst = match cmd {
        InstitutionCmd::Show => current,
        InstitutionCmd::Update { name, details } => {
            let mut input = InstitutionInput {
                name: name.unwrap_or(current.name),
                identifier: current.identifier,
                phase: current.phase,
                contact_name: current.contact_name,
                email: current.email,
                role: current.role,
            };
            apply_details(&mut input, details);
            ws.update_institution(&input)?
        }
    };
    if ctx.json {
        return output::json(&inst);
    }
    let mut t = output::table(&["field", "value"]);
    t.add_row(vec!["name".to_owned(), inst.name]);
    t.add_row(vec![
        "identifier".to_owned(),
        inst.identifier.unwrap_or_default(),
    ]);
    t.add_row(vec![
        "phase".to_owned(),
        inst.phase.map(Phase::as_str).unwrap_or_default().to_owned(),
    ]);
    t.add_row(vec![
        "contact".to_owned(),
        inst.contact_name.unwrap_or_default(),
    ]);
    t.add_row(vec!["email".to_owned(), inst.email.unwrap_or_default()]);
    t.add_row(vec!["role".to_owned(), inst.role.unwrap_or_default()]);
    out!("{t}");
    Ok(())
}

/// `waymark status`
pub fn status(ctx: &Context) -> Result<(), Error> {
    let ws = ctx.open()?;
    let review = ws.current_review(ctx.framework.as_deref())?;
    let status = ws.status(&review)?;
    if ctx.json {
        return output::json(&status);
    }
    let p = &status.progress;
    out!(
        "{} — {} {}",
        status.institution.name,
        status.framework_title,
        review.framework_version
    );
    out!(
        "{}",
        output::ratio_line("Overall", p.overall, "benchmarks complete")
    );
    out!(
        "{}",
        output::ratio_line("Evidence", p.evidence, "required items")
    );
    let mut t = output::table(&["dimension", "progress", "complete"]);
    for d in &p.dimensions {
        t.add_row(vec![
            format!("{} {}", d.id, d.title),
            format!(
                "{} {:>3}%",
                output::bar(d.benchmarks.percent, 10),
                d.benchmarks.percent
            ),
            format!("{}/{}", d.benchmarks.done, d.benchmarks.total),
        ]);
    }
    out!("{t}");
    let mut t = output::table(&["award", "status"]);
    for a in &p.awards {
        let text = if a.eligible {
            "eligible".to_owned()
        } else {
            const SHOWN: usize = 8;
            let mut lines: Vec<String> = a
                .reasons
                .iter()
                .take(SHOWN)
                .map(|r| format!("• {r}"))
                .collect();
            if a.reasons.len() > SHOWN {
                lines.push(format!(
                    "… and {} more (see --json)",
                    a.reasons.len() - SHOWN
                ));
            }
            lines.join("\n")
        };
        t.add_row(vec![a.title.clone(), text]);
    }
    out!("{t}");
    if !status.awaiting_confirmation.is_empty() {
        out!(
            "Carried from an earlier version, awaiting your confirmation: {} (`waymark confirm ID`).",
            status.awaiting_confirmation.join(", ")
        );
    }
    Ok(())
}

/// Largest commentary file read: matches the core's limit with room for multi-byte text.
const MAX_COMMENTARY_FILE: u64 = 4 * 1024 * 1024;

fn read_commentary(path: &Path) -> Result<String, Error> {
    let mut bytes = Vec::new();
    let field = "--commentary-file";
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_COMMENTARY_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::invalid(field, format!("could not read standard input: {e}")))?;
    } else {
        let file = std::fs::File::open(path).map_err(|e| {
            Error::invalid(field, format!("could not open {}: {e}", path.display()))
        })?;
        file.take(MAX_COMMENTARY_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                Error::invalid(field, format!("could not read {}: {e}", path.display()))
            })?;
    }
    if bytes.len() as u64 > MAX_COMMENTARY_FILE {
        return Err(Error::invalid(
            field,
            format!(
                "{} is over 4 MB; commentary is text — link long documents as evidence instead.",
                path.display()
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::invalid(
            field,
            format!(
                "{} is not UTF-8 text (byte {} is not valid); save it as UTF-8 plain text.",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// `waymark set`
pub fn set(ctx: &Context, a: SetArgs) -> Result<(), Error> {
    let commentary = match (&a.commentary, &a.commentary_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(file)) => Some(read_commentary(file)?),
        (None, None) => None,
    };
    let level = if a.clear_level {
        Some(None)
    } else {
        a.level.map(Some)
    };
    if level.is_none() && commentary.is_none() {
        return Err(Error::invalid(
            "set",
            "Nothing to change: give --level N, --clear-level, --commentary TEXT or --commentary-file FILE.",
        ));
    }
    let mut ws = ctx.open()?;
    let by = ctx.author(&ws);
    let review = ws.current_review(ctx.framework.as_deref())?;
    let response = ws.set_response(
        &review,
        &a.benchmark,
        ResponseUpdate {
            level,
            commentary,
            base_revision: None,
        },
        &by,
    )?;
    if ctx.json {
        return output::json(&response);
    }
    let fw = ws.framework_of(&review)?;
    let level = match (response.level, fw.scale()) {
        (Some(l), Some(s)) => format!("level {l} ({})", s.name_of(l).unwrap_or("")),
        (None, Some(_)) => "no level".to_owned(),
        (_, None) => "no levels in this framework".to_owned(),
    };
    out!(
        "Saved {}: {level}, {} words of commentary.",
        response.benchmark_id,
        response.commentary.split_whitespace().count()
    );
    if let (Some(l), Some(entry)) = (response.level, fw.benchmark(&response.benchmark_id))
        && let Some(next) = entry
            .benchmark
            .levels
            .iter()
            .find(|d| d.value == l)
            .and_then(|d| d.next_steps.as_ref())
    {
        out!("Next steps: {next}");
    }
    Ok(())
}

/// `waymark confirm`
pub fn confirm(ctx: &Context, benchmark: &str) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    let by = ctx.author(&ws);
    let review = ws.current_review(ctx.framework.as_deref())?;
    let response = ws.confirm_response(&review, benchmark, &by)?;
    if ctx.json {
        return output::json(&response);
    }
    out!("Confirmed {}.", response.benchmark_id);
    Ok(())
}

/// `waymark history`
pub fn history(ctx: &Context, benchmark: &str) -> Result<(), Error> {
    let ws = ctx.open()?;
    let review = ws.current_review(ctx.framework.as_deref())?;
    let history = ws.history(&review, benchmark)?;
    if ctx.json {
        return output::json(&history);
    }
    if history.is_empty() {
        out!("{benchmark} has not been answered yet.");
        return Ok(());
    }
    let mut t = output::table(&["when", "who", "change", "level", "commentary"]);
    for h in &history {
        let change = match &h.note {
            Some(note) => format!("{:?} ({note})", h.change).to_lowercase(),
            None => format!("{:?}", h.change).to_lowercase(),
        };
        t.add_row(vec![
            h.changed_at.clone(),
            h.changed_by.clone(),
            change,
            h.level.map(|l| l.to_string()).unwrap_or_else(|| "—".into()),
            output::excerpt(&h.commentary, 60),
        ]);
    }
    out!("{t}");
    Ok(())
}

/// `waymark upgrade`
pub fn upgrade(ctx: &Context, to: Option<&str>) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    let by = ctx.author(&ws);
    let review = ws.current_review(ctx.framework.as_deref())?;
    let report = ws.upgrade(&review, to, &by)?;
    if ctx.json {
        return output::json(&report);
    }
    out!(
        "Moved from version {} to {}: {} responses carried, {} to confirm, {} archived.",
        report.from_version,
        report.to_version,
        report.carried.len(),
        report.flagged.len(),
        report.archived.len()
    );
    for f in &report.flagged {
        out!("  confirm {}: {}", f.benchmark, f.reason);
    }
    for a in &report.archived {
        out!("  archived {a} (kept; see `waymark history {a}`)");
    }
    Ok(())
}
