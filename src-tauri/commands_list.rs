//! Names of every command the UI may call. build.rs turns each into a permission that the
//! main window's capability grants; lib.rs registers the handlers. A test checks they match.

/// Every app command.
pub const COMMANDS: &[&str] = &[
    "app_info",
    "list_frameworks",
    "register",
    "current_status",
    "review_framework",
    "list_responses",
    "benchmark_detail",
    "save_response",
    "confirm_response",
    "recent_changes",
    "search",
    "list_actions",
    "add_action",
    "update_action",
    "set_action_status",
    "list_contributors",
    "add_contributor",
    "remove_contributor",
    "update_institution",
];
