//! `waymark frameworks …`: list, show, validate, schema.

use waymark_core::framework::{self, Framework};
use waymark_core::workspace::FRAMEWORKS_DIR;
use waymark_core::{Catalog, Error};

use crate::Context;
use crate::args::FrameworksCmd;
use crate::output;

/// Runs a `frameworks` subcommand. Listing and showing work without a data folder's database
/// (only the folder's `frameworks/` is read), so they work before registration too.
pub fn run(ctx: &Context, cmd: FrameworksCmd) -> Result<(), Error> {
    match cmd {
        FrameworksCmd::List => list(ctx),
        FrameworksCmd::Show { id, version } => show(ctx, &id, version.as_deref()),
        FrameworksCmd::Validate { files } => validate(ctx, &files),
        FrameworksCmd::Schema => {
            out_raw!("{}", framework::json_schema());
            Ok(())
        }
    }
}

fn catalog(ctx: &Context) -> Result<Catalog, Error> {
    let (catalog, refused) = Catalog::with_folder(&ctx.data_dir()?.join(FRAMEWORKS_DIR))?;
    for problem in refused {
        err_out!("warning: a framework file was not loaded: {problem}");
    }
    Ok(catalog)
}

fn list(ctx: &Context) -> Result<(), Error> {
    let list = catalog(ctx)?.list();
    if ctx.json {
        return output::json(&list);
    }
    let mut t = output::table(&["id", "version", "title", "benchmarks", "levels", "for"]);
    for f in &list {
        t.add_row(vec![
            f.id.clone(),
            f.versions.join(", "),
            f.title.clone(),
            f.benchmarks.to_string(),
            if f.has_levels { "yes" } else { "no" }.to_owned(),
            f.audience.clone().unwrap_or_default(),
        ]);
    }
    out!("{t}");
    Ok(())
}

fn show(ctx: &Context, id: &str, version: Option<&str>) -> Result<(), Error> {
    let catalog = catalog(ctx)?;
    let fw = catalog.find(id, version)?;
    if ctx.json {
        return output::json(fw.def());
    }
    print_framework(fw);
    Ok(())
}

fn print_framework(fw: &Framework) {
    let def = fw.def();
    out!("{} {} — {}", def.title, def.version, def.awarding_body);
    out!("{}", def.summary);
    match fw.scale() {
        Some(scale) => {
            let levels: Vec<String> = scale
                .ordered()
                .into_iter()
                .map(|v| format!("{v} {}", scale.name_of(v).unwrap_or("")))
                .collect();
            out!("Levels (least to most mature): {}", levels.join(", "));
        }
        None => out!("No levels: each benchmark is answered with commentary."),
    }
    out!();
    let mut last_dim = None;
    let mut last_group = None;
    for entry in fw.benchmarks() {
        if last_dim != Some(entry.dimension_index) {
            out!("{}  {}", entry.dimension.id, entry.dimension.title);
            last_dim = Some(entry.dimension_index);
            last_group = None;
        }
        let indent = if let Some(g) = entry.group {
            if last_group != Some(g.id.as_str()) {
                out!("  {}  {}", g.id, g.title);
                last_group = Some(g.id.as_str());
            }
            "    "
        } else {
            "  "
        };
        let evidence = entry
            .benchmark
            .evidence
            .iter()
            .filter(|e| e.required)
            .count();
        let note = if evidence > 0 {
            format!("  ({evidence} required evidence)")
        } else {
            String::new()
        };
        out!(
            "{indent}{}  {}{note}",
            entry.benchmark.id,
            entry.benchmark.title
        );
    }
    if !def.awards.is_empty() {
        out!("\nAwards:");
        for a in &def.awards {
            out!("  {}  {}", a.id, a.title);
        }
    }
}

fn validate(ctx: &Context, files: &[std::path::PathBuf]) -> Result<(), Error> {
    let mut failed = 0;
    let mut report = Vec::new();
    for file in files {
        match Framework::load_file(file) {
            Ok(fw) => {
                if !ctx.json {
                    out!(
                        "{}: ok — {} {} ({} dimensions, {} benchmarks, {} awards)",
                        file.display(),
                        fw.id(),
                        fw.version(),
                        fw.def().dimensions.len(),
                        fw.benchmark_count(),
                        fw.def().awards.len()
                    );
                }
                report.push(serde_json::json!({ "file": file, "ok": true, "id": fw.id(), "version": fw.version() }));
            }
            Err(e) => {
                failed += 1;
                if !ctx.json {
                    err_out!("{e}");
                }
                report
                    .push(serde_json::json!({ "file": file, "ok": false, "error": e.to_string() }));
            }
        }
    }
    if ctx.json {
        output::json(&report)?;
    }
    if failed > 0 {
        return Err(Error::invalid(
            "frameworks validate",
            format!(
                "{failed} of {} files refused; see the problems above.",
                files.len()
            ),
        ));
    }
    Ok(())
}
