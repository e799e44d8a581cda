// THE list of commands the UI may call, declared once and nowhere else. Included by lib.rs,
// whose `app_commands!` expands it into the `#[tauri::command]` wrappers, the invoke handler
// and each command's signature (from which bindings.rs writes the UI's typed wrappers,
// ui/src/lib/commands.ts); and by build.rs, whose `app_commands!` keeps only the names, so
// each gets an `allow-<command>` permission. A test checks the main window's capability grants
// exactly these. Adding a command is one line here plus its plain function.
//
// Groups: `infallible` and `quick` run on the UI's workspace (`module::name`, the success
// type after `->`); `job` and `job_with_progress` run in the background on their own
// connection (evidence.rs; the latter stream `WorkProgress`); `network` and
// `network_with_progress` run on a blocking thread and may wait on the awarding body's endpoint
// (submissions/, assessor/; the latter stream the type after the success type; the assessor's
// commands that may wait on the OS keychain or decrypt a large file run there too, off the UI's
// thread); `own` have a wrapper of their own in lib.rs.

app_commands! {
    infallible {
        commands::app_info() -> AppInfo;
        evidence::cancel_evidence_work() -> ();
    }
    quick {
        commands::set_author(name: String) -> String;
        commands::list_frameworks() -> Vec<FrameworkSummary>;
        commands::register(input: RegisterInput) -> Status;
        commands::current_status() -> Option<Status>;
        commands::review_framework() -> ReviewFramework;
        commands::list_responses() -> Vec<Response>;
        commands::benchmark_detail(benchmark_id: String) -> BenchmarkDetail;
        commands::save_response(input: SaveResponseInput) -> Response;
        commands::confirm_response(benchmark_id: String, by: String) -> Response;
        commands::recent_changes(limit: u32) -> Vec<HistoryEntry>;
        commands::search(query: String) -> Vec<SearchHit>;
        commands::list_actions() -> Vec<FutureAction>;
        commands::add_action(action: NewAction, by: String) -> FutureAction;
        commands::update_action(id: String, action: NewAction) -> FutureAction;
        commands::set_action_status(id: String, status: ActionStatus) -> FutureAction;
        commands::list_contributors() -> Vec<Contributor>;
        commands::add_contributor(input: ContributorInput) -> Contributor;
        commands::remove_contributor(id: String) -> ();
        commands::update_institution(input: InstitutionInput) -> Institution;
        commands::check_institution(input: InstitutionInput) -> Vec<FieldProblem>;
        commands::check_action(action: NewAction) -> Vec<FieldProblem>;
        commands::check_contributor(input: ContributorInput) -> Vec<FieldProblem>;
        evidence::list_evidence() -> EvidenceScreen;
        evidence::link_evidence(id: String, link: LinkInput) -> EvidenceItem;
        evidence::unlink_evidence(id: String, link: LinkInput) -> EvidenceItem;
        evidence::describe_evidence(input: DescribeEvidenceInput) -> EvidenceItem;
        evidence::remove_evidence(id: String) -> ();
        evidence::open_evidence(id: String) -> ();
        evidence::reveal_evidence(id: String) -> ();
        documents::open_document(path: String) -> ();
        documents::reveal_document(path: String) -> ();
        submissions::overview() -> Overview;
        submissions::apply_preview(award: String) -> ApplyPreview;
        submissions::receipt(id: String) -> ReceiptView;
        submissions::save_receipt(input: SaveReceiptInput) -> String;
        submissions::send_now() -> Delivery;
        submissions::set_renewal_notice(months: u32) -> u32;
        submissions::start_renewal(by: String) -> RenewalReport;
        submissions::compare_with_awarded() -> Vec<LevelComparison>;
        submissions::open_verification_page(submission_id: String) -> ();
        privacy::privacy_overview() -> PrivacyOverview;
        privacy::erasure_plan() -> ErasurePlan;
        privacy::set_network_restricted(restricted: bool) -> bool;
        privacy::update_contributor(id: String, input: ContributorInput) -> Contributor;
        privacy::save_erasure_confirmation(path: String) -> String;
        assessor::assessor_save_draft(submission: String, draft: Draft) -> Draft;
        assessor::assessor_draft_problems(draft: Draft, kind: String, has_levels: bool) -> Vec<DraftProblem>;
        assessor::assessor_remove_copy(submission: String) -> bool;
        assessor::assessor_set_keep_days(days: u32) -> DeskSettings;
    }
    job {
        freeze_evidence() -> FreezeReport;
        accept_evidence(id: String, by: String) -> EvidenceItem;
    }
    job_with_progress {
        add_evidence(input: AddEvidenceInput) -> AddReport;
        rescan_evidence() -> RescanReport;
    }
    network {
        submissions::check_code(code: String) -> CodeCheck;
        submissions::enroll(code: String) -> Enrolled;
        submissions::refresh_submissions() -> Overview;
        privacy::erase_data(confirmation: String, at_endpoint: bool) -> Erased;
        assessor::assessor_info() -> Option<DeskInfo>;
        assessor::assessor_sign_in(code: String) -> DeskInfo;
        assessor::assessor_sign_out() -> ();
        assessor::assessor_assignments() -> Vec<AssignmentRow>;
        assessor::assessor_submission(submission: String) -> DeskSubmissionView;
        assessor::assessor_open_evidence(submission: String, evidence: String) -> String;
        assessor::assessor_send_request(submission: String) -> AssignmentRow;
        assessor::assessor_send_recommendation(submission: String) -> AssignmentRow;
        assessor::assessor_moderate(submission: String, choice: ModerationChoice) -> AssignmentRow;
    }
    network_with_progress {
        submissions::apply(award: String, confirmed: Vec<String>) -> Applied, ApplyProgress;
        assessor::assessor_open(submission: String) -> Opened, OpenProgress;
    }
    own {
        export_document(input: ExportInput) -> Exported;
        export_data(path: String, with_evidence: bool) -> ExportReport;
    }
}
