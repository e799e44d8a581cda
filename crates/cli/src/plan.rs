//! Commands on the action plan and the working group.

use waymark_core::Error;
use waymark_core::store::{ActionStatus, ContributorInput, FutureAction, NewAction};

use crate::Context;
use crate::args::{ActionsCmd, GroupCmd};
use crate::output;

fn print_action(ctx: &Context, verb: &str, a: &FutureAction) -> Result<(), Error> {
    if ctx.json {
        return output::json(a);
    }
    out!("{verb} action {}: {}", output::short_id(&a.id), a.text);
    Ok(())
}

/// `waymark actions …`
pub fn actions(ctx: &Context, cmd: ActionsCmd) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    let by = ctx.author(&ws);
    let review = ws.current_review(ctx.framework.as_deref())?;
    match cmd {
        ActionsCmd::Add {
            text,
            owner,
            due,
            benchmarks,
        } => {
            let a = ws.add_action(
                &review,
                &NewAction {
                    text,
                    owner,
                    due_date: due,
                    benchmarks,
                },
                &by,
            )?;
            print_action(ctx, "Added", &a)
        }
        ActionsCmd::Done { id } => print_action(
            ctx,
            "Done:",
            &ws.set_action_status(&review, &id, ActionStatus::Done)?,
        ),
        ActionsCmd::Start { id } => print_action(
            ctx,
            "Started",
            &ws.set_action_status(&review, &id, ActionStatus::InProgress)?,
        ),
        ActionsCmd::Reopen { id } => print_action(
            ctx,
            "Reopened",
            &ws.set_action_status(&review, &id, ActionStatus::Open)?,
        ),
        ActionsCmd::List { status, owner } => {
            let wanted = status;
            let actions: Vec<FutureAction> = ws
                .actions(&review)?
                .into_iter()
                .filter(|a| wanted.is_none_or(|s| a.status == s))
                .filter(|a| {
                    owner.as_deref().is_none_or(|o| {
                        a.owner
                            .as_deref()
                            .is_some_and(|x| x.to_lowercase().contains(&o.to_lowercase()))
                    })
                })
                .collect();
            if ctx.json {
                return output::json(&actions);
            }
            if actions.is_empty() {
                out!(
                    "No future actions yet. Add one with `waymark actions add \"TEXT\" --owner NAME --due YYYY-MM-DD`."
                );
                return Ok(());
            }
            let mut t = output::table(&["id", "action", "owner", "due", "status", "benchmarks"]);
            for a in &actions {
                t.add_row(vec![
                    output::short_id(&a.id).to_owned(),
                    a.text.clone(),
                    a.owner.clone().unwrap_or_default(),
                    a.due_date.clone().unwrap_or_default(),
                    a.status.as_str().replace('_', " "),
                    a.benchmarks.join(", "),
                ]);
            }
            out!("{t}");
            Ok(())
        }
    }
}

/// `waymark group …`
pub fn group(ctx: &Context, cmd: GroupCmd) -> Result<(), Error> {
    let mut ws = ctx.open()?;
    match cmd {
        GroupCmd::Add { name, role, email } => {
            let c = ws.add_contributor(&ContributorInput { name, role, email })?;
            if ctx.json {
                return output::json(&c);
            }
            out!("Added {} to the working group.", c.name);
        }
        GroupCmd::Update {
            id,
            name,
            role,
            email,
        } => {
            let c = ws.update_contributor(&id, &ContributorInput { name, role, email })?;
            if ctx.json {
                return output::json(&c);
            }
            out!("Corrected {}'s details.", c.name);
            if ws.profile_correction_due()?.is_some() {
                out!("The correction goes to the awarding body with the next `waymark sync`.");
            }
        }
        GroupCmd::Remove { id } => {
            ws.remove_contributor(&id)?;
            if ctx.json {
                return output::json(&serde_json::json!({ "removed": id }));
            }
            out!("Removed.");
        }
        GroupCmd::List => {
            let list = ws.contributors()?;
            if ctx.json {
                return output::json(&list);
            }
            if list.is_empty() {
                out!(
                    "No one in the working group yet. Add people with `waymark group add NAME --role ROLE`."
                );
                return Ok(());
            }
            let mut t = output::table(&["id", "name", "role", "email"]);
            for c in list {
                t.add_row(vec![
                    c.id,
                    c.name,
                    c.role.unwrap_or_default(),
                    c.email.unwrap_or_default(),
                ]);
            }
            out!("{t}");
        }
    }
    Ok(())
}
