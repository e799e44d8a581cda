//! The action plan on its own: a landscape table for governors' meetings (action, benchmarks,
//! owner, due date, status), soonest due first, overdue actions marked.

use chrono::NaiveDate;
use waymark_core::Workspace;
use waymark_core::framework::Framework;
use waymark_core::store::{ActionStatus, FutureAction, Review};

use crate::certificate::font_fault;
use crate::fonts::{Face, Fonts};
use crate::gather::{ReviewData, long_date};
use crate::layout::{A4_LANDSCAPE, Cell, Column, Flow, Margins, Style, colour, table};
use crate::pdf::{self, Document, Meta};
use crate::report::number_pages;
use waymark_core::Error;

/// Makes the action plan document as of `date` (which decides what is overdue).
pub fn action_plan(ws: &Workspace, review: &Review, date: NaiveDate) -> Result<Document, Error> {
    let data = ReviewData::read(ws, review)?;
    let fonts = Fonts::get().ok_or_else(font_fault)?;
    let margins = Margins {
        top: 48.0,
        right: 48.0,
        bottom: 56.0,
        left: 48.0,
    };
    let mut flow = Flow::new(fonts, A4_LANDSCAPE, margins);
    let institution = &data.status.institution.name;
    flow.paragraph(
        Style::new(Face::Bold, 20.0, colour::NAVY),
        0.0,
        "Action plan",
    );
    flow.paragraph(Style::new(Face::Bold, 13.0, colour::TEXT), 0.0, institution);
    flow.paragraph(
        Style::new(Face::Regular, 10.0, colour::GREY),
        0.0,
        &format!(
            "{} {} — as of {}",
            data.framework.def().title,
            data.framework.version(),
            long_date(date)
        ),
    );
    flow.gap(6.0);
    flow.paragraph(
        Style::new(Face::Regular, 10.0, colour::TEXT),
        0.0,
        &summary(&data.actions, date),
    );
    flow.gap(10.0);
    actions_table(&mut flow, &data.framework, &data.actions, date);

    let mut pages = flow.finish();
    number_pages(
        fonts,
        &mut pages,
        &margins,
        institution,
        &data.footer_text(date),
    );
    let title = format!("Action plan — {institution}");
    pdf::render(
        fonts,
        pages,
        &Meta {
            title: &title,
            subject: &format!("Future actions for the {}", data.framework.def().title),
            author: institution,
            date,
            identifier: "",
        },
        pdf::file_name("Action plan", institution),
    )
}

/// "5 actions: 2 open, 1 under way, 2 done; 1 overdue."
fn summary(actions: &[FutureAction], date: NaiveDate) -> String {
    if actions.is_empty() {
        return "No future actions have been planned yet.".to_owned();
    }
    let count = |s: ActionStatus| actions.iter().filter(|a| a.status == s).count();
    let overdue = actions.iter().filter(|a| a.is_overdue(date)).count();
    format!(
        "{} {}: {} open, {} under way, {} done{}.",
        actions.len(),
        if actions.len() == 1 {
            "action"
        } else {
            "actions"
        },
        count(ActionStatus::Open),
        count(ActionStatus::InProgress),
        count(ActionStatus::Done),
        if overdue > 0 {
            format!("; {overdue} overdue")
        } else {
            String::new()
        }
    )
}

fn status_word(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Open => "Open",
        ActionStatus::InProgress => "Under way",
        ActionStatus::Done => "Done",
    }
}

/// The table of actions, soonest due first (undated last), shared with the report.
pub(crate) fn actions_table(
    flow: &mut Flow<'_>,
    framework: &Framework,
    actions: &[FutureAction],
    date: NaiveDate,
) {
    if actions.is_empty() {
        flow.paragraph(
            Style::new(Face::Regular, 10.0, colour::GREY),
            0.0,
            "No future actions have been planned yet.",
        );
        return;
    }
    let mut sorted: Vec<&FutureAction> = actions.iter().collect();
    sorted.sort_by(|a, b| {
        (a.due_date.is_none(), a.due_date.as_deref())
            .cmp(&(b.due_date.is_none(), b.due_date.as_deref()))
    });
    let rows = sorted
        .into_iter()
        .map(|a| {
            let benchmarks = a
                .benchmarks
                .iter()
                .map(|id| match framework.benchmark(id) {
                    Some(b) => format!("{id} {}", b.benchmark.title),
                    None => id.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            let overdue = a.is_overdue(date);
            vec![
                Cell::from(a.text.as_str()),
                Cell::from(benchmarks),
                Cell::from(a.owner.clone().unwrap_or_default()),
                Cell::from(a.due_date.clone().unwrap_or_else(|| "—".to_owned())),
                Cell {
                    text: if overdue {
                        format!("{} (overdue)", status_word(a.status))
                    } else {
                        status_word(a.status).to_owned()
                    },
                    colour: Some(match (a.status, overdue) {
                        (_, true) => colour::RED,
                        (ActionStatus::Done, _) => colour::GREEN,
                        _ => colour::TEXT,
                    }),
                },
            ]
        })
        .collect();
    table(
        flow,
        &[
            Column {
                title: "Action",
                share: 40.0,
            },
            Column {
                title: "Benchmark",
                share: 24.0,
            },
            Column {
                title: "Owner",
                share: 13.0,
            },
            Column {
                title: "Due",
                share: 10.0,
            },
            Column {
                title: "Status",
                share: 13.0,
            },
        ],
        rows,
        Style::new(Face::Regular, 9.0, colour::TEXT),
    );
}
