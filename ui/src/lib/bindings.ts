// Generated from the Rust types by src-tauri/bindings.rs — do not edit by hand.
// Regenerate with `make bindings`.

export type CommandError = { 
/**
 * Stable machine-readable code (see docs/errors.md).
 */
code: ErrorCode, 
/**
 * What happened and what to do, worded for the app (never a command-line instruction).
 */
message: string, 
/**
 * The input concerned, when there is one (`name`, `email`, `level`, `due_date`, …).
 */
field: string | null, 
/**
 * With [`ErrorCode::Submission`]: the submission engine's own code
 * (docs/submission-errors.md), e.g. `network_proxy`; with [`ErrorCode::Assessment`]: the
 * assessor workspace's own code, e.g. `tampered` or `not_impartial`.
 */
detail?: string, };

export type ErrorCode = "framework_invalid" | "database" | "data_dir" | "not_a_database" | "foreign_database" | "read_only" | "data_key_missing" | "data_key_wrong" | "keychain" | "schema_too_new" | "stored_value_invalid" | "not_found" | "invalid_input" | "not_registered" | "not_eligible" | "issued_by_awarding_body" | "conflict" | "import_invalid" | "import_target_in_use" | "submission" | "assessment" | "review_closed" | "cancelled" | "io" | "disk_full" | "open_failed" | "internal" | "watch_folder_gone" | "watch_limit_reached" | "watch_permission_denied" | "watch_failed" | "usage";

export type AppInfo = { 
/**
 * Waymark's version.
 */
version: string, 
/**
 * The data folder in use.
 */
data_dir: string, 
/**
 * The name recorded for changes made here: the one set in the app ("who I am"), else
 * the login name.
 */
user: string, 
/**
 * Whether `user` was set in the app (rather than taken from the login name).
 */
user_is_set: boolean, 
/**
 * Why the data folder could not be opened, if it could not.
 */
startup_error: CommandError | null, };

export type RegisterInput = { 
/**
 * Framework id (latest version is used).
 */
framework_id: string, 
/**
 * The institution's details.
 */
institution: InstitutionInput, 
/**
 * Who is registering (recorded in history).
 */
by: string, };

export type SaveResponseInput = { 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * The level chosen (`null` for none).
 */
level: number | null, 
/**
 * The full commentary text.
 */
commentary: string, 
/**
 * The revision the editor loaded; a newer stored revision makes the save a conflict.
 */
base_revision: number | null, 
/**
 * Who is editing.
 */
by: string, };

export type BenchmarkDetail = { 
/**
 * The current response, if answered.
 */
response: Response | null, 
/**
 * Every change, oldest first.
 */
history: Array<HistoryEntry>, 
/**
 * Future actions linked to this benchmark.
 */
actions: Array<FutureAction>, 
/**
 * The previous benchmark in framework order.
 */
previous: string | null, 
/**
 * The next benchmark in framework order.
 */
next: string | null, };

export type ReviewFramework = { 
/**
 * The review.
 */
review: Review, 
/**
 * The exact definition of the review's framework version.
 */
framework: FrameworkDef, 
/**
 * The scale's levels from least to most mature (empty without a scale).
 */
levels_by_maturity: Array<ScaleLevel>, 
/**
 * Every benchmark in framework order.
 */
order: Array<BenchmarkPlace>, };

export type BenchmarkPlace = { 
/**
 * The benchmark.
 */
id: string, 
/**
 * Its dimension.
 */
dimension: string, 
/**
 * Its group, when the dimension is grouped.
 */
group: string | null, };

export type EvidenceSummary = { 
/**
 * Files tracked.
 */
files: number, 
/**
 * Of those, files the lead should look at (changed, missing, unreadable).
 */
needs_attention: number, };

export type ActionSummary = { 
/**
 * Actions planned (any status): what award rules count.
 */
planned: number, 
/**
 * Of those, not done yet.
 */
open: number, 
/**
 * Of the open ones, past their due date today.
 */
overdue: number, };

export type ContributorInput = { 
/**
 * Name (required).
 */
name: string, 
/**
 * Role ("Computing lead").
 */
role: string | null, 
/**
 * Email.
 */
email: string | null, };

export type FieldProblem = { 
/**
 * The field (`name`, `email`, `identifier`, `due_date`, …).
 */
field: string, 
/**
 * What is wrong and how to fix it.
 */
message: string, };

export type Status = { 
/**
 * The institution.
 */
institution: Institution, 
/**
 * The review.
 */
review: Review, 
/**
 * Framework title.
 */
framework_title: string, 
/**
 * Progress and awards.
 */
progress: Progress, 
/**
 * Responses carried from an earlier version and awaiting confirmation.
 */
awaiting_confirmation: Array<string>, 
/**
 * Tracked evidence files.
 */
evidence_files: EvidenceSummary, 
/**
 * The action plan at a glance.
 */
actions: ActionSummary, };

export type SearchHit = { 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * Its title.
 */
benchmark_title: string, 
/**
 * Its dimension's title.
 */
dimension_title: string, 
/**
 * What matched.
 */
field: HitField, 
/**
 * Text around the first match.
 */
snippet: string, };

export type HitField = "title" | "guidance" | "descriptor" | "commentary";

export type UpgradeReport = { 
/**
 * The version the review was on.
 */
from_version: string, 
/**
 * The version it is on now.
 */
to_version: string, 
/**
 * Benchmarks whose responses carried over unchanged.
 */
carried: Array<string>, 
/**
 * Benchmarks whose carried responses need the lead's confirmation, with the reason.
 */
flagged: Array<Flagged>, 
/**
 * Benchmarks of the old version whose responses were archived.
 */
archived: Array<string>, };

export type Flagged = { 
/**
 * The benchmark in the new version.
 */
benchmark: string, 
/**
 * Why.
 */
reason: string, };

export type Progress = { 
/**
 * Benchmarks counted out of all benchmarks.
 */
overall: Ratio, 
/**
 * Per dimension, in framework order.
 */
dimensions: Array<DimensionProgress>, 
/**
 * Applicable required evidence items with evidence, out of all applicable ones.
 */
evidence: Ratio, 
/**
 * Required evidence items still without evidence.
 */
missing_evidence: Array<MissingEvidence>, 
/**
 * Every award of the framework, in framework order.
 */
awards: Array<AwardStatus>, 
/**
 * Every benchmark's own state, in framework order.
 */
benchmarks: Array<BenchmarkProgress>, };

export type Ratio = { 
/**
 * How many are done.
 */
done: number, 
/**
 * Out of how many.
 */
total: number, 
/**
 * Whole percent, rounded down; 100 when `total` is 0. Always `Ratio::percent_of`.
 */
percent: number, };

export type DimensionProgress = { 
/**
 * Dimension id.
 */
id: string, 
/**
 * Dimension title.
 */
title: string, 
/**
 * Benchmarks counted out of the dimension's benchmarks.
 */
benchmarks: Ratio, 
/**
 * Whether every benchmark of the dimension counts.
 */
complete: boolean, };

export type AwardStatus = { 
/**
 * Award id.
 */
id: string, 
/**
 * Award title.
 */
title: string, 
/**
 * Certificate or mark.
 */
kind: AwardKind, 
/**
 * Who issues it.
 */
issuer: Issuer, 
/**
 * Whether every condition holds.
 */
eligible: boolean, 
/**
 * What stands in the way, in framework order; empty when eligible.
 */
reasons: Array<Reason>, };

export type Reason = { "kind": "not_registered" } | { "kind": "progress", 
/**
 * Benchmarks counted out of all.
 */
overall: Ratio, 
/**
 * The percentage needed.
 */
needed_percent: number, 
/**
 * How many more benchmarks must count.
 */
more: number, } | { "kind": "dimensions_complete", 
/**
 * Dimensions complete now.
 */
complete: number, 
/**
 * Dimensions in all.
 */
total: number, 
/**
 * Dimensions needed.
 */
needed: number, } | { "kind": "required_evidence", 
/**
 * Requirements with present evidence out of the applicable ones.
 */
evidence: Ratio, 
/**
 * The percentage needed.
 */
needed_percent: number, 
/**
 * Applicable requirements still without evidence.
 */
missing: number, } | { "kind": "future_actions", 
/**
 * Actions planned now.
 */
planned: number, 
/**
 * Actions needed.
 */
needed: number, } | { "kind": "incomplete", 
/**
 * The benchmark.
 */
benchmark: string, 
/**
 * Its title.
 */
title: string, 
/**
 * What it lacks.
 */
missing: Gaps, } | { "kind": "below_threshold", 
/**
 * The benchmark.
 */
benchmark: string, 
/**
 * Its title.
 */
title: string, 
/**
 * The level chosen, if any (on the scale).
 */
level: number | null, 
/**
 * The level needed (or a more mature one).
 */
needed: number, 
/**
 * Whether `needed` is the scale's most mature level (then nothing "better" exists).
 */
needed_is_top: boolean, };

export type Gaps = { 
/**
 * A level is required and none (valid) is chosen.
 */
level: boolean, 
/**
 * Commentary is required and blank.
 */
commentary: boolean, };

export type MissingEvidence = { 
/**
 * Requirement id.
 */
requirement: string, 
/**
 * Requirement title.
 */
title: string, 
/**
 * The benchmark that asks for it.
 */
benchmark: string, };

export type BenchmarkProgress = { 
/**
 * The benchmark.
 */
id: string, 
/**
 * Its dimension.
 */
dimension: string, 
/**
 * Whether it counts towards progress.
 */
counts: boolean, 
/**
 * What it lacks before it counts.
 */
missing: Gaps, 
/**
 * The level chosen, when it is on the scale.
 */
level: number | null, 
/**
 * Whether the chosen level is the scale's most mature one.
 */
at_top_level: boolean, 
/**
 * Its evidence requirements, in framework order.
 */
requirements: Array<RequirementProgress>, };

export type RequirementProgress = { 
/**
 * The requirement.
 */
id: string, 
/**
 * Whether the framework requires it.
 */
required: boolean, 
/**
 * The level from which it is required, if it applies only from a level.
 */
from_level: number | null, 
/**
 * Its state.
 */
state: RequirementState, };

export type RequirementState = "evidenced" | "needed" | "not_yet" | "optional";

export type Institution = { 
/**
 * Stable id.
 */
id: string, 
/**
 * Name as printed on certificates.
 */
name: string, 
/**
 * URN, UKPRN or similar.
 */
identifier: string | null, 
/**
 * Phase of education.
 */
phase: Phase | null, 
/**
 * Who to contact about the review.
 */
contact_name: string | null, 
/**
 * Their email.
 */
email: string | null, 
/**
 * Their role.
 */
role: string | null, 
/**
 * When registered.
 */
created_at: string, 
/**
 * Last change.
 */
updated_at: string, };

export type InstitutionInput = { 
/**
 * Name (required).
 */
name: string, 
/**
 * URN, UKPRN or similar.
 */
identifier: string | null, 
/**
 * Phase of education.
 */
phase: Phase | null, 
/**
 * Contact name.
 */
contact_name: string | null, 
/**
 * Contact email.
 */
email: string | null, 
/**
 * Contact role.
 */
role: string | null, };

export type Phase = "primary" | "secondary" | "all-through" | "special" | "further-education" | "higher-education" | "other";

export type Review = { 
/**
 * Stable id.
 */
id: string, 
/**
 * The institution.
 */
institution_id: string, 
/**
 * Framework id.
 */
framework_id: string, 
/**
 * The framework version the review is judged by.
 */
framework_version: string, 
/**
 * When registered.
 */
registered_at: string, 
/**
 * Who registered.
 */
registered_by: string, 
/**
 * When the review was closed (its renewal started), or `None` while it can be worked on.
 * A closed review refuses every change with [`Error::ReviewClosed`].
 */
closed_at: string | null, 
/**
 * The review this one renews (the awarded one it started from), if it is a renewal.
 */
renews: string | null, };

export type Response = { 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * Level chosen.
 */
level: number | null, 
/**
 * Commentary.
 */
commentary: string, 
/**
 * Carried from an earlier framework version and not yet confirmed by the lead.
 */
needs_confirmation: boolean, 
/**
 * Why it was carried ("renamed from 6.3 in version 1.0").
 */
carried_note: string | null, 
/**
 * Increases with every change; an edit based on an older revision is refused.
 */
revision: number, 
/**
 * Who changed it last.
 */
updated_by: string, 
/**
 * When.
 */
updated_at: string, };

export type HistoryEntry = { 
/**
 * Time-ordered id.
 */
id: string, 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * Kind of change.
 */
change: Change, 
/**
 * Level after the change.
 */
level: number | null, 
/**
 * Commentary after the change.
 */
commentary: string, 
/**
 * Framework version at the time.
 */
framework_version: string, 
/**
 * Explanation for carried or archived rows.
 */
note: string | null, 
/**
 * Who.
 */
changed_by: string, 
/**
 * When.
 */
changed_at: string, };

export type Change = "edit" | "carried" | "confirmed" | "archived";

export type ArchivedResponse = { 
/**
 * The removed benchmark.
 */
benchmark_id: string, 
/**
 * The version it belonged to.
 */
framework_version: string, 
/**
 * Its level.
 */
level: number | null, 
/**
 * Its commentary.
 */
commentary: string, 
/**
 * When it was archived.
 */
archived_at: string, };

export type FutureAction = { 
/**
 * Stable id.
 */
id: string, 
/**
 * What will be done.
 */
text: string, 
/**
 * Who will do it.
 */
owner: string | null, 
/**
 * When by (YYYY-MM-DD).
 */
due_date: string | null, 
/**
 * Where it stands.
 */
status: ActionStatus, 
/**
 * Benchmarks it improves.
 */
benchmarks: Array<string>, 
/**
 * Who planned it.
 */
created_by: string, 
/**
 * When planned.
 */
created_at: string, 
/**
 * Last change.
 */
updated_at: string, 
/**
 * When marked done.
 */
done_at: string | null, 
/**
 * Whether it is overdue today (see [`FutureAction::is_overdue`]), for the screens that
 * show the plan as it stands now.
 */
overdue: boolean, };

export type NewAction = { 
/**
 * What will be done (required).
 */
text: string, 
/**
 * Who will do it.
 */
owner: string | null, 
/**
 * When by, YYYY-MM-DD.
 */
due_date: string | null, 
/**
 * Benchmarks it improves (validated against the framework by the caller).
 */
benchmarks: Array<string>, };

export type ActionStatus = "open" | "in_progress" | "done";

export type Contributor = { 
/**
 * Stable id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Role ("Computing lead", "Head of Student Services").
 */
role: string | null, 
/**
 * Email.
 */
email: string | null, 
/**
 * When added.
 */
created_at: string, };

export type FrameworkSummary = { 
/**
 * Framework id.
 */
id: string, 
/**
 * Latest version available.
 */
version: string, 
/**
 * Every version available, oldest first.
 */
versions: Array<string>, 
/**
 * Title.
 */
title: string, 
/**
 * Awarding body.
 */
awarding_body: string, 
/**
 * Short description.
 */
summary: string, 
/**
 * Who it is for.
 */
audience: string | null, 
/**
 * Number of dimensions.
 */
dimensions: number, 
/**
 * Number of benchmarks.
 */
benchmarks: number, 
/**
 * Whether it has a level scale.
 */
has_levels: boolean, };

export type FrameworkDef = { 
/**
 * Version of the file format; currently 1.
 */
format: number, 
/**
 * Stable id: lowercase letters, digits and `-`.
 */
id: string, 
/**
 * Dotted numbers (`2.0`, `2024.1`), compared number by number.
 */
version: string, 
/**
 * Title shown to users.
 */
title: string, 
/**
 * Who awards the certificates and marks.
 */
awarding_body: string, 
/**
 * One or two sentences shown when choosing a framework.
 */
summary: string, 
/**
 * Who the framework is for.
 */
audience: string | null, 
/**
 * The level scale; absent for frameworks without levels.
 */
scale: Scale | null, 
/**
 * When a benchmark counts towards progress.
 */
progress: ProgressDef | null, 
/**
 * Dimensions (elements) of the framework, in display order.
 */
dimensions: Array<Dimension>, 
/**
 * Certificates and marks.
 */
awards: Array<Award>, 
/**
 * How responses from earlier versions map onto this one.
 */
upgrades: Array<Upgrade>, };

export type Direction = "ascending" | "descending";

export type Scale = { 
/**
 * Which end is the most mature.
 */
direction: Direction, 
/**
 * The levels; order in the file does not matter.
 */
levels: Array<ScaleLevel>, };

export type ScaleLevel = { 
/**
 * The number a response records.
 */
value: number, 
/**
 * Its name ("Established").
 */
name: string, };

export type ProgressDef = { 
/**
 * A level must be chosen (default: true when the framework has a scale).
 */
require_level: boolean | null, 
/**
 * Commentary must be written (default: true).
 */
require_commentary: boolean | null, };

export type Dimension = { 
/**
 * Unique id across the framework.
 */
id: string, 
/**
 * Title shown to users.
 */
title: string, 
/**
 * Optional one-line description.
 */
summary: string | null, 
/**
 * Benchmarks directly under the dimension.
 */
benchmarks: Array<Benchmark>, 
/**
 * Groups (strands) of benchmarks.
 */
groups: Array<Group>, };

export type Group = { 
/**
 * Unique id across the framework.
 */
id: string, 
/**
 * Title shown to users.
 */
title: string, 
/**
 * Optional one-line description.
 */
summary: string | null, 
/**
 * The benchmarks (aspects) of the group.
 */
benchmarks: Array<Benchmark>, };

export type Benchmark = { 
/**
 * Unique id across the framework, kept stable between versions.
 */
id: string, 
/**
 * Title shown to users.
 */
title: string, 
/**
 * What the benchmark is about and what evidence of it looks like.
 */
guidance: string, 
/**
 * Questions a working group might ask itself.
 */
prompts: Array<string>, 
/**
 * One descriptor per scale level; none without a scale.
 */
levels: Array<LevelDescriptor>, 
/**
 * Evidence requirements.
 */
evidence: Array<EvidenceRequirement>, };

export type LevelDescriptor = { 
/**
 * The scale value this describes.
 */
value: number, 
/**
 * The descriptor.
 */
descriptor: string, 
/**
 * What a school at this level does to reach the next one.
 */
next_steps: string | null, };

export type EvidenceRequirement = { 
/**
 * Unique id across the framework.
 */
id: string, 
/**
 * Title shown to users.
 */
title: string, 
/**
 * What would satisfy it.
 */
description: string | null, 
/**
 * Required items count towards the required-evidence share; optional ones never block.
 */
required: boolean, 
/**
 * Applies only once a level at least this mature is chosen.
 */
from_level: number | null, };

export type AwardKind = "certificate" | "mark";

export type Issuer = "self" | "awarding_body";

export type Award = { 
/**
 * Unique among the framework's awards.
 */
id: string, 
/**
 * Title shown to users and printed on the certificate.
 */
title: string, 
/**
 * Certificate or mark.
 */
kind: AwardKind, 
/**
 * Who issues it.
 */
issuer: Issuer, 
/**
 * What it recognises.
 */
description: string | null, 
/**
 * How many years the award lasts.
 */
validity_years: number | null, 
/**
 * How many days the awarding body takes to review an application.
 */
review_window_days: number | null, 
/**
 * Every condition given must hold.
 */
requires: Requirements, };

export type Requirements = { 
/**
 * Registered for the self-review.
 */
registration: boolean | null, 
/**
 * Share of benchmarks counted, 0..=100.
 */
progress_percent: number | null, 
/**
 * Number of dimensions with every benchmark counted.
 */
dimensions_complete: number | null, 
/**
 * Every benchmark counted.
 */
complete: boolean | null, 
/**
 * Every benchmark at this level or more mature.
 */
minimum_level: number | null, 
/**
 * Per-benchmark levels, overriding `minimum_level` for those named.
 */
thresholds: { [key in string]: number }, 
/**
 * Share of applicable required evidence items with evidence, 0..=100.
 */
required_evidence_percent: number | null, 
/**
 * At least this many future actions planned.
 */
future_actions: number | null, };

export type Upgrade = { 
/**
 * The earlier version this entry maps from.
 */
from: string, 
/**
 * Old id = new id.
 */
renamed: { [key in string]: string }, 
/**
 * Several old benchmarks became one.
 */
merged: Array<Merge>, 
/**
 * One old benchmark became several.
 */
split: Array<Split>, };

export type Merge = { 
/**
 * The old ids.
 */
from: Array<string>, 
/**
 * The new id.
 */
into: string, };

export type Split = { 
/**
 * The old id.
 */
from: string, 
/**
 * The new ids.
 */
into: Array<string>, };

export type LinkInput = { 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * The evidence requirement, when the item satisfies one.
 */
requirement_id: string | null, };

export type AddEvidenceInput = { 
/**
 * Absolute paths of files or folders (a folder adds every file under it).
 */
paths: Array<string>, 
/**
 * What every added item serves; may be empty (link later).
 */
links: Array<LinkInput>, 
/**
 * Who is adding (recorded).
 */
by: string, };

export type DescribeEvidenceInput = { 
/**
 * The item.
 */
id: string, 
/**
 * Title shown in lists and reports.
 */
title: string, 
/**
 * A note for assessors.
 */
note: string | null, 
/**
 * Whether it shows pupils' personal data (asked about again before a submission).
 */
personal_data: boolean, };

export type EvidenceScreen = { 
/**
 * The items and watched folders.
 */
library: EvidenceLibrary, 
/**
 * Folders that could not be watched (checking by hand still works), each with its code.
 */
watch_problems: Array<CommandError>, };

export type EvidenceLibrary = { 
/**
 * Tracked items, in the order added.
 */
items: Array<EvidenceItem>, 
/**
 * The watched folders ([`Workspace::watched_folders`]), for people (lossy names).
 */
folders: Array<string>, };

export type EvidenceItem = { 
/**
 * Stable id.
 */
id: string, 
/**
 * Where the file is (for people; non-UTF-8 bytes shown as �).
 */
path: string, 
/**
 * Title (defaults to the file name).
 */
title: string, 
/**
 * A note about it.
 */
note: string | null, 
/**
 * Media type guessed from the name.
 */
media_type: string, 
/**
 * Size in bytes at the accepted version.
 */
size: number, 
/**
 * BLAKE3 of the accepted version (hex).
 */
hash: string, 
/**
 * Status after the last scan.
 */
status: EvidenceStatus, 
/**
 * Why it has that status (moved from where, why it cannot be read).
 */
status_detail: StatusDetail | null, 
/**
 * Whether the file is there to show an assessor (counts towards required evidence).
 */
present: boolean, 
/**
 * Whether the lead should look at it (changed, missing, unreadable).
 */
needs_attention: boolean, 
/**
 * Whether it shows pupils' personal data.
 */
personal_data: boolean, 
/**
 * The hash of the version copied into the vault, once frozen.
 */
frozen_hash: string | null, 
/**
 * Benchmarks and requirements it serves.
 */
links: Array<EvidenceLink>, 
/**
 * Who added it.
 */
added_by: string, 
/**
 * When.
 */
added_at: string, };

export type EvidenceLink = { 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * The requirement it satisfies, if any.
 */
requirement_id: string | null, };

export type EvidenceStatus = "ok" | "modified" | "missing" | "moved" | "unreadable";

export type StatusDetail = { "kind": "changed" } | { "kind": "gone" } | { "kind": "moved_from", 
/**
 * The old path (for people).
 */
from: string, } | { "kind": "moved_and_changed", 
/**
 * The old path (for people).
 */
from: string, } | { "kind": "unreadable", 
/**
 * Why.
 */
problem: ReadProblem, };

export type ReadProblem = { "kind": "not_found" } | { "kind": "permission_denied" } | { "kind": "not_a_file" } | { "kind": "other", 
/**
 * What the OS said.
 */
message: string, };

export type AddReport = { 
/**
 * Items added or newly linked.
 */
added: Array<EvidenceItem>, 
/**
 * Paths skipped, each with its reason; the rest were still added.
 */
skipped: Array<Skipped>, };

export type RescanReport = { 
/**
 * Items checked.
 */
checked: number, 
/**
 * Items whose content had to be hashed (the rest were judged by size and time).
 */
hashed: number, 
/**
 * Items per status after the scan.
 */
ok: number, 
/**
 * Content differs from the accepted version.
 */
modified: number, 
/**
 * Gone and not found elsewhere.
 */
missing: number, 
/**
 * Found at a new path and relinked.
 */
moved: number, 
/**
 * There but not readable.
 */
unreadable: number, };

export type FreezeReport = { 
/**
 * Items whose accepted content is now in the vault.
 */
frozen: number, 
/**
 * Of those, blobs newly copied (the rest were already there: identical files are stored once).
 */
copied: number, 
/**
 * Bytes copied.
 */
bytes_copied: number, 
/**
 * Items not frozen, each with the reason and what to do.
 */
skipped: Array<Skipped>, };

export type WorkProgress = { 
/**
 * Files dealt with so far.
 */
files_done: number, 
/**
 * Files in all.
 */
files_total: number, 
/**
 * Bytes of those files so far.
 */
bytes_done: number, 
/**
 * Bytes in all.
 */
bytes_total: number, };

export type Skipped = { 
/**
 * The path (lossy for non-UTF-8 names).
 */
path: string, 
/**
 * The item's title, when it was a tracked item.
 */
title: string | null, 
/**
 * Why.
 */
reason: SkipReason, };

export type SkipReason = { "kind": "cannot_read", 
/**
 * Why.
 */
problem: ReadProblem, } | { "kind": "modified" } | { "kind": "missing" } | { "kind": "unreadable" } | { "kind": "changed_since_scan" } | { "kind": "copy_failed", 
/**
 * What the operating system said.
 */
message: string, };

export type DocumentKind = { "kind": "certificate", 
/**
 * The award's id ("commitment", "progress").
 */
award_id: string, } | { "kind": "report" } | { "kind": "action_plan" } | { "kind": "mark_certificate", 
/**
 * The submission that earned it (outbox id, as the Submissions screen gives it).
 */
submission_id: string, };

export type ExportInput = { 
/**
 * What to produce.
 */
document: DocumentKind, 
/**
 * Where to save it: the path the save dialog returned.
 */
path: string, };

export type Exported = { 
/**
 * The file written.
 */
path: string, 
/**
 * Its number of pages.
 */
pages: number, 
/**
 * Its size in bytes.
 */
bytes: number, };

export type Connection = { 
/**
 * The endpoint's address.
 */
endpoint: string, 
/**
 * The awarding body's name, from its verified key set.
 */
awarding_body: string, 
/**
 * The institution as the awarding body recorded it.
 */
institution_name: string, 
/**
 * The institution's identifier there (e.g. its URN).
 */
identifier: string, 
/**
 * The key-set fingerprint pinned, grouped for reading aloud.
 */
fingerprint: string, 
/**
 * When this computer enrolled (RFC 3339).
 */
enrolled_at: string, 
/**
 * Where the credentials are kept, in words.
 */
keychain: string, 
/**
 * Why the credentials cannot be read now, if they cannot (the keychain locked or gone).
 */
credentials_problem: string | null, };

export type CodeCheck = { 
/**
 * The endpoint the code names.
 */
endpoint: string, 
/**
 * The awarding body's name, from the key set that matched the code's fingerprint.
 */
awarding_body: string, 
/**
 * The fingerprint the code pins, grouped: compare it with the awarding body's letter.
 */
fingerprint: string, 
/**
 * The connection this code would replace, if this computer is enrolled already.
 */
replaces: string | null, };

export type Enrolled = { 
/**
 * The connection now.
 */
connection: Connection, 
/**
 * The connection it replaced, in words.
 */
replaced: string | null, };

export type PreviewItem = { 
/**
 * The evidence item's id (for opening it).
 */
id: string, 
/**
 * Its title.
 */
title: string, 
/**
 * The file's name, without its folder.
 */
file_name: string, 
/**
 * Its size in bytes.
 */
size: number, };

export type ApplyPreview = { 
/**
 * The award applied for.
 */
award: string, 
/**
 * Its title.
 */
award_title: string, 
/**
 * The framework and version, in words.
 */
framework: string, 
/**
 * The endpoint's submission this answers, for a re-submission.
 */
resubmission_of: string | null, 
/**
 * Benchmarks with a response.
 */
benchmarks: number, 
/**
 * Evidence items sent.
 */
evidence_count: number, 
/**
 * Their total size in bytes.
 */
evidence_bytes: number, 
/**
 * Bytes of evidence that will go over the network (the rest the awarding body holds).
 */
bytes_to_send: number, 
/**
 * The evidence not sent before (all of it on a first application).
 */
new_evidence: Array<PreviewItem>, 
/**
 * Benchmarks whose response changed since the submission answered (re-submissions).
 */
changed_benchmarks: Array<string>, 
/**
 * The working group.
 */
contributors: Array<string>, 
/**
 * Planned future actions.
 */
actions: number, 
/**
 * Items flagged as showing pupils' personal data: each must be confirmed.
 */
personal_data: Array<PreviewItem>, 
/**
 * Whether this computer is enrolled (without it, applying asks for a code first).
 */
enrolled: boolean, };

export type ApplyStage = "freezing" | "encrypting";

export type ApplyProgress = { 
/**
 * The part running.
 */
stage: ApplyStage, 
/**
 * Bytes done (0 of 0 while the total is not known).
 */
done: number, 
/**
 * Bytes in all.
 */
total: number, };

export type Applied = { 
/**
 * The outbox entry.
 */
submission_id: string, 
/**
 * Blobs encrypted now.
 */
sealed: number, 
/**
 * Blobs reused from earlier submissions.
 */
reused: number, 
/**
 * What happens next, in words.
 */
message: string, };

export type DeliveryState = "idle" | "sending" | "offline" | "waiting" | "needs_enrollment" | "paused";

export type Delivery = { 
/**
 * What it is doing.
 */
state: DeliveryState, 
/**
 * The submission being sent or waiting (outbox id).
 */
submission_id: string | null, 
/**
 * Bytes the endpoint has of it.
 */
bytes_done: number, 
/**
 * Bytes in all.
 */
bytes_total: number, 
/**
 * Files the endpoint holds whole.
 */
files_done: number, 
/**
 * Files in all.
 */
files_total: number, 
/**
 * Recent speed, once measured.
 */
bytes_per_second: number | null, 
/**
 * Time left at that speed.
 */
seconds_left: number | null, 
/**
 * What is happening and what to do, in plain words.
 */
message: string | null, 
/**
 * When it is tried again (RFC 3339).
 */
next_attempt_at: string | null, 
/**
 * Submissions waiting to be sent.
 */
queued: number, };

export type Stage = "queued" | "uploading" | "received" | "under_review" | "more_evidence_requested" | "resubmitted" | "recommended" | "awarded" | "not_awarded" | "refused";

export type StepState = "done" | "current" | "upcoming";

export type TimelineStep = { 
/**
 * The step.
 */
stage: Stage, 
/**
 * Its name in words.
 */
label: string, 
/**
 * Passed, now, or to come.
 */
state: StepState, 
/**
 * When it happened (RFC 3339 or a date), when known.
 */
at: string | null, 
/**
 * A line of detail (the review's due date, the award's expiry).
 */
detail: string | null, };

export type RequestedBenchmark = { 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * Its title (the id when the framework no longer has it).
 */
benchmark_title: string, 
/**
 * What the assessor asked for.
 */
message: string, 
/**
 * The request's overall message.
 */
request: string, 
/**
 * The submission asked about (the endpoint's id).
 */
submission: string, };

export type RequestView = { 
/**
 * The overall message.
 */
message: string, 
/**
 * Each benchmark concerned.
 */
benchmarks: Array<RequestedBenchmark>, };

export type FeedbackView = { 
/**
 * Strengths.
 */
strengths: string, 
/**
 * Areas for development.
 */
areas_for_development: string, 
/**
 * Areas of enhanced or exceptional practice (frameworks without levels).
 */
enhanced_practice: string | null, };

export type AwardView = { 
/**
 * The award's id in the framework.
 */
award: string, 
/**
 * Its title.
 */
title: string, 
/**
 * The public verification code.
 */
verification_code: string, 
/**
 * Where anyone can check it.
 */
verification_url: string, 
/**
 * The day it was made.
 */
awarded_on: string, 
/**
 * The day it expires.
 */
expires_on: string, 
/**
 * Days until it expires (negative once expired).
 */
days_left: number, };

export type VersionView = { 
/**
 * The outbox entry.
 */
id: string, 
/**
 * When it was queued (RFC 3339).
 */
queued_at: string, 
/**
 * When the awarding body received it.
 */
sent_at: string | null, 
/**
 * Whether its signed receipt is kept.
 */
has_receipt: boolean, 
/**
 * Bytes of evidence put on the network for it.
 */
bytes_sent: number, 
/**
 * Why the last try failed or why it was refused.
 */
last_error: string | null, };

export type SubmissionView = { 
/**
 * The newest outbox entry of it (for its receipt).
 */
id: string, 
/**
 * The endpoint's id, once received.
 */
server_id: string | null, 
/**
 * The review it submits.
 */
review_id: string, 
/**
 * The award applied for.
 */
award: string, 
/**
 * Its title.
 */
award_title: string, 
/**
 * Framework and version, in words.
 */
framework: string, 
/**
 * Where it stands.
 */
stage: Stage, 
/**
 * That in words.
 */
stage_label: string, 
/**
 * Every step, passed and to come.
 */
timeline: Array<TimelineStep>, 
/**
 * When the review is due.
 */
review_due: string | null, 
/**
 * The open request for more evidence.
 */
request: RequestView | null, 
/**
 * The feedback, once decided.
 */
feedback: FeedbackView | null, 
/**
 * The award, once made.
 */
award_record: AwardView | null, 
/**
 * Each envelope, oldest first.
 */
versions: Array<VersionView>, 
/**
 * Whether the lead can answer with a re-submission now.
 */
can_resubmit: boolean, 
/**
 * When the status was last checked with the awarding body.
 */
checked_at: string | null, };

export type Offer = "apply" | "resubmit" | "follow" | "not_yet";

export type Application = { 
/**
 * The award.
 */
award: string, 
/**
 * What the card offers.
 */
offer: Offer, 
/**
 * Its latest submission, if any.
 */
latest: string | null, 
/**
 * That submission's stage.
 */
stage: Stage | null, 
/**
 * The stage in words.
 */
stage_label: string | null, };

export type RenewalView = { 
/**
 * The award.
 */
award: string, 
/**
 * Its title.
 */
award_title: string, 
/**
 * The review that earned it.
 */
awarded_review: string, 
/**
 * The day it expires.
 */
expires_on: string, 
/**
 * The day renewal opens (the notice period before expiry).
 */
opens_on: string, 
/**
 * Days until it expires (negative once expired).
 */
days_left: number, 
/**
 * Not yet, open, or expired.
 */
state: RenewalState, 
/**
 * Months before expiry that renewal opens (a setting).
 */
notice_months: number, 
/**
 * The renewal review, once started.
 */
renewal_review: string | null, 
/**
 * Whether "Start renewal" is offered now.
 */
can_start: boolean, };

export type Overview = { 
/**
 * The awarding body, once enrolled.
 */
connection: Connection | null, 
/**
 * The background delivery.
 */
delivery: Delivery, 
/**
 * Every submission, newest first.
 */
submissions: Array<SubmissionView>, 
/**
 * Each mark the awarding body issues, with what its card offers.
 */
applications: Array<Application>, 
/**
 * Benchmarks of the current review the assessor asked more evidence for.
 */
requests: Array<RequestedBenchmark>, 
/**
 * Renewal of the awarded mark, once there is one.
 */
renewal: RenewalView | null, 
/**
 * Months before expiry that renewal opens (the setting, also before any award).
 */
notice_months: number, };

export type ReceiptView = { 
/**
 * The outbox entry.
 */
id: string, 
/**
 * The signed receipt, as received (pretty-printed JSON).
 */
text: string, 
/**
 * Whether it verified against the awarding body's pinned keys just now.
 */
verified: boolean, 
/**
 * What the check found, in words.
 */
check: string, 
/**
 * When the awarding body received the submission.
 */
received_at: string | null, 
/**
 * Which envelope of the submission it is (1 = first).
 */
version: number | null, };

export type SaveReceiptInput = { 
/**
 * The outbox entry.
 */
id: string, 
/**
 * Where to save it: the path the save dialog returned.
 */
path: string, };

export type RenewalState = "not_yet" | "open" | "expired";

export type RenewalReport = { 
/**
 * The new review: the renewal, now the current review.
 */
review: Review, 
/**
 * The awarded review it renews, now closed (read-only).
 */
previous: Review, 
/**
 * The framework version of the awarded review.
 */
from_version: string, 
/**
 * The version of the renewal (the latest installed; the same when there is no newer one).
 */
to_version: string, 
/**
 * Every benchmark of the renewal whose response was carried from the awarded review.
 * Unlike an upgrade, none is carried as settled: each is also in `flagged`.
 */
carried: Array<string>, 
/**
 * The carried responses awaiting the lead's confirmation (all of them), with why: the
 * upgrade's reason when the new version renamed, merged or split the benchmark, and
 * [`RENEWAL_NOTE`].
 */
flagged: Array<Flagged>, 
/**
 * Benchmarks of the awarded version that the new version removed: their responses are
 * archived in the renewal (and stay in the awarded review as they were).
 */
archived: Array<string>, 
/**
 * Evidence items carried (the same files, with their links to benchmarks that still
 * exist; removed items stay behind).
 */
evidence_kept: number, 
/**
 * Future actions not done yet, carried as the start of the renewal's action plan.
 */
actions_carried: number, };

export type LevelComparison = { 
/**
 * The benchmark's dimension (in the current framework; in the previous one for a
 * benchmark only the previous one has).
 */
dimension_id: string, 
/**
 * Its title.
 */
dimension_title: string, 
/**
 * The benchmark.
 */
benchmark_id: string, 
/**
 * Its title.
 */
benchmark_title: string, 
/**
 * The level the previous review gave it (through a rename, merge or split when the
 * version changed; a merge shows the least mature of the levels merged).
 */
previous_level: number | null, 
/**
 * That level's name on the previous version's scale.
 */
previous_label: string | null, 
/**
 * The level the current review gives it.
 */
current_level: number | null, 
/**
 * That level's name on the current version's scale.
 */
current_label: string | null, 
/**
 * How the current level compares with the previous one, when both are given and both
 * versions use the same scale.
 */
change: LevelChange | null, 
/**
 * The current response was carried and is not confirmed yet.
 */
needs_confirmation: boolean, 
/**
 * A benchmark of the previous version that the current one removed.
 */
only_in_previous: boolean, };

export type LevelChange = "more_mature" | "same" | "less_mature";

export type PrivacyOverview = { 
/**
 * The data folder.
 */
data_dir: string, 
/**
 * What the database holds, by kind.
 */
held: Array<HeldCount>, 
/**
 * Folders with tracked evidence (the files themselves stay there).
 */
tracked_folders: Array<string>, 
/**
 * The vault of frozen copies.
 */
vault: FilesSize, 
/**
 * Sealed submission blobs waiting in, or kept by, the outbox.
 */
outbox: FilesSize, 
/**
 * The awarding body, once enrolled.
 */
enrolled_with: EnrolledWith | null, 
/**
 * Every submission, newest first.
 */
sent: Array<SentRecord>, 
/**
 * Network activity is paused (the right to restriction).
 */
network_restricted: boolean, 
/**
 * A profile or working-group correction is still to be sent to the awarding body.
 */
correction_due: boolean, 
/**
 * Exports made from this folder.
 */
exports: Array<KnownExport>, 
/**
 * Erasures recorded, newest first.
 */
erasures: Array<ErasureRecord>, };

export type HeldKind = "institution" | "reviews" | "responses" | "history_entries" | "archived_responses" | "actions" | "working_group" | "evidence_files" | "evidence_folders" | "frozen_copies" | "submissions" | "erasures";

export type HeldCount = { 
/**
 * The kind.
 */
kind: HeldKind, 
/**
 * How many.
 */
count: number, };

export type FilesSize = { 
/**
 * Files.
 */
files: number, 
/**
 * Bytes, all together.
 */
bytes: number, };

export type SentRecord = { 
/**
 * The submission's local id.
 */
submission_id: string, 
/**
 * The award applied for.
 */
award: string, 
/**
 * The awarding body.
 */
to: string, 
/**
 * Its endpoint.
 */
endpoint: string, 
/**
 * `queued` (not sent yet), `sent` or `refused`.
 */
state: string, 
/**
 * When it was confirmed for sending.
 */
queued_at: string, 
/**
 * When the endpoint acknowledged it.
 */
sent_at: string | null, 
/**
 * Evidence copies it carries (sealed blobs, the manifest not counted).
 */
files: number, };

export type EnrolledWith = { 
/**
 * The awarding body.
 */
awarding_body: string, 
/**
 * Its endpoint.
 */
endpoint: string, 
/**
 * The institution's name as it recorded it.
 */
institution_name: string, 
/**
 * When.
 */
enrolled_at: string, };

export type KnownExport = { 
/**
 * Where it was written.
 */
path: string, 
/**
 * When.
 */
made_at: string, 
/**
 * Whether it carries evidence.
 */
with_evidence: boolean, };

export type ErasureRecord = { 
/**
 * What kind of thing (`working_group_member`).
 */
kind: string, 
/**
 * When.
 */
erased_at: string, 
/**
 * Who erased it.
 */
erased_by: string | null, };

export type ErasurePlan = { 
/**
 * The data folder.
 */
data_dir: string, 
/**
 * Files and folders of Waymark's that go (folders with everything in them).
 */
paths: Array<string>, 
/**
 * Their total size.
 */
bytes: number, 
/**
 * OS keychain entries that go (`service/user`).
 */
keychain_entries: Array<string>, 
/**
 * Exports made from this folder that go with it.
 */
exports: Array<string>, 
/**
 * The awarding body still holding this institution's data, when enrolled: erase there
 * first (the local credentials are needed to ask).
 */
enrolled_with: EnrolledWith | null, 
/**
 * What the user must type to confirm.
 */
confirmation: string, };

export type ErasureReport = { 
/**
 * Files removed.
 */
files: number, 
/**
 * Their size.
 */
bytes: number, 
/**
 * Keychain entries removed.
 */
keychain_entries: Array<string>, 
/**
 * Files in the data folder that were not Waymark's, left where they were.
 */
left: Array<string>, };

export type ExportReport = { 
/**
 * The archive.
 */
path: string, 
/**
 * Its size.
 */
bytes: number, 
/**
 * Tables written.
 */
tables: number, 
/**
 * Rows written, all tables together.
 */
rows: number, 
/**
 * Evidence copies and sealed blobs carried.
 */
files: number, 
/**
 * Submissions still waiting to be sent whose sealed blobs are not in the archive
 * (exported without evidence): after an import they must be submitted again.
 */
waiting_not_carried: number, };

export type Erased = { 
/**
 * What was removed from this computer.
 */
report: ErasureReport, 
/**
 * What the awarding body confirmed, when it was asked too. Its signed confirmation is
 * kept in memory until Waymark closes: `save_erasure_confirmation` saves it.
 */
awarding_body: AwardingBodyErasure | null, };

export type AwardingBodyErasure = { 
/**
 * The awarding body.
 */
awarding_body: string, 
/**
 * When it erased the institution's data (its clock, RFC 3339).
 */
erased_at: string, 
/**
 * False when it had erased it before (this is the first confirmation again).
 */
first_time: boolean, 
/**
 * Submissions deleted, with their reviews.
 */
submissions: number, 
/**
 * Awards deleted (their public check answers "deleted" from then on).
 */
awards: number, 
/**
 * Files deleted (encrypted evidence and manifests).
 */
files: number, 
/**
 * Their size.
 */
bytes: number, };

export type ReviewState = "received" | "under_review" | "more_evidence_requested" | "resubmitted" | "recommended" | "awarded" | "not_awarded";

export type Role = "institution" | "assessor" | "moderator" | "awarding_body";

export type Outcome = "award" | "not_yet";

export type AssignmentRow = { 
/**
 * The submission's id (UUID text).
 */
submission: string, 
/**
 * The institution's name as registered with the awarding body.
 */
institution_name: string, 
/**
 * The framework's id and version.
 */
framework_id: string, 
/**
 * The framework's version.
 */
framework_version: string, 
/**
 * The framework's title, when this build knows the framework.
 */
framework_title: string | null, 
/**
 * The award's id.
 */
award: string, 
/**
 * The award's title, when this build knows the framework.
 */
award_title: string | null, 
/**
 * The day the first envelope arrived.
 */
received_on: string, 
/**
 * When the review is due (once assigned).
 */
review_due: string | null, 
/**
 * The due date has passed and the review is not finished.
 */
overdue: boolean, 
/**
 * Where the review stands.
 */
state: ReviewState, 
/**
 * This assessor's role on it.
 */
role: Role, 
/**
 * How many versions the school has sent (1 + re-submissions).
 */
versions: number, 
/**
 * The local decrypted copy, when there is one on this computer.
 */
copy: CopyInfo | null, };

export type CopyInfo = { 
/**
 * Which version it holds.
 */
version: number, 
/**
 * When it was opened (downloaded, verified, decrypted).
 */
opened_at: string, 
/**
 * It holds the newest version the school sent.
 */
current: boolean, 
/**
 * When the review finished (or was reassigned) as far as this computer saw.
 */
finished_at: string | null, 
/**
 * When it will be removed (the review is over: finished or reassigned).
 */
remove_after: string | null, };

export type OpenProgress = { 
/**
 * What is happening.
 */
stage: OpenStage, 
/**
 * Bytes done of this stage.
 */
done: number, 
/**
 * Bytes in all of this stage.
 */
total: number, 
/**
 * The file being worked on (its name as the school sent it), if any.
 */
file: string | null, };

export type OpenStage = "verifying" | "downloading" | "decrypting";

export type Opened = { 
/**
 * The submission.
 */
submission: string, 
/**
 * The version opened.
 */
version: number, 
/**
 * Evidence files verified.
 */
evidence_files: number, 
/**
 * Bytes of evidence (as the school sent them).
 */
evidence_bytes: number, 
/**
 * Where the submission names this assessor (empty: it does not).
 */
named_in: Array<string>, };

export type DeskSubmissionView = { 
/**
 * The submission.
 */
submission: string, 
/**
 * This assessor's role.
 */
role: Role, 
/**
 * Where the review stands (the endpoint's word, or the last seen when offline).
 */
state: ReviewState, 
/**
 * Whether `state` was read from the endpoint just now (false: offline, last seen).
 */
live: boolean, 
/**
 * The version the local copy holds.
 */
version: number, 
/**
 * The newest version the school sent.
 */
versions: number, 
/**
 * The institution.
 */
institution: InstitutionView, 
/**
 * The framework (id, version, title) and whether it has levels.
 */
framework: FrameworkView, 
/**
 * The award applied for.
 */
award: DeskAwardView, 
/**
 * When the school prepared this version and who.
 */
prepared_at: string, 
/**
 * Who prepared it.
 */
prepared_by: string, 
/**
 * The day the first version arrived.
 */
received_on: string, 
/**
 * When the review is due.
 */
review_due: string | null, 
/**
 * Past due and not finished.
 */
overdue: boolean, 
/**
 * Dimensions with their benchmarks, in the framework's order.
 */
dimensions: Array<DimensionView>, 
/**
 * The evidence files the school sent.
 */
evidence: Array<EvidenceView>, 
/**
 * The school's action plan.
 */
actions: Array<ActionView>, 
/**
 * The working group.
 */
working_group: Array<ContributorView>, 
/**
 * The history of changes, summarised.
 */
history: HistoryView, 
/**
 * Where the submission names this assessor (working group, history, editors, preparer):
 * when not empty, no decision may be recorded.
 */
named_in: Array<string>, 
/**
 * What changed since the version before this one (none for version 1).
 */
changes: Changes | null, 
/**
 * The requests for more evidence made so far, oldest first.
 */
requests: Array<DeskRequestView>, 
/**
 * The assessor's recommendation (the moderator sees it; the assessor after sending it).
 */
recommendation: RecommendationView | null, 
/**
 * The moderator's last reason for sending the recommendation back, if it was sent back
 * since the last recommendation.
 */
sent_back: string | null, 
/**
 * What this assessor may do now (impartiality, version and state considered).
 */
may: Allowed, 
/**
 * The draft kept on this computer.
 */
draft: Draft, 
/**
 * The local copy.
 */
copy: CopyInfo, };

export type InstitutionView = { 
/**
 * Its name (as the school gave it in the submission).
 */
name: string, 
/**
 * Its identifier (e.g. a URN), if given.
 */
identifier: string | null, };

export type FrameworkView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its version.
 */
version: string, 
/**
 * Its title.
 */
title: string, 
/**
 * Whether benchmarks have levels (feedback then has no "enhanced practice" part).
 */
has_levels: boolean, 
/**
 * The scale's levels, best last as the framework orders them (empty without levels).
 */
scale: Array<ScaleLevelView>, };

export type ScaleLevelView = { 
/**
 * The value stored.
 */
value: number, 
/**
 * Its name.
 */
name: string, };

export type DeskAwardView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its title.
 */
title: string, };

export type DimensionView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its title.
 */
title: string, 
/**
 * Its benchmarks (groups flattened, in order).
 */
benchmarks: Array<BenchmarkView>, };

export type BenchmarkView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its title.
 */
title: string, 
/**
 * The framework's guidance.
 */
guidance: string, 
/**
 * The level the school chose, if any.
 */
level: number | null, 
/**
 * That level's name on the scale.
 */
level_name: string | null, 
/**
 * That level's descriptor for this benchmark.
 */
descriptor: string | null, 
/**
 * Every level's descriptor for this benchmark (to compare).
 */
levels: Array<LevelView>, 
/**
 * The school's commentary.
 */
commentary: string, 
/**
 * When it was last changed and by whom.
 */
updated_at: string | null, 
/**
 * Who changed it last.
 */
updated_by: string | null, 
/**
 * The ids of the evidence linked to it.
 */
evidence: Array<string>, 
/**
 * What changed since the version before (none: unchanged or version 1).
 */
changed: BenchmarkChange | null, 
/**
 * Requests for more evidence on this benchmark so far, oldest first.
 */
requested: Array<string>, };

export type LevelView = { 
/**
 * The level's value.
 */
value: number, 
/**
 * The level's name.
 */
name: string, 
/**
 * What the level means for this benchmark.
 */
descriptor: string, };

export type EvidenceView = { 
/**
 * Its id in the submission.
 */
id: string, 
/**
 * Its title.
 */
title: string, 
/**
 * Its file name.
 */
file_name: string, 
/**
 * Its size in bytes.
 */
size: number, 
/**
 * The school marked it as holding personal data.
 */
personal_data: boolean, 
/**
 * The benchmarks it is linked to.
 */
benchmarks: Array<string>, 
/**
 * New in this version (not in the one before).
 */
added: boolean, };

export type ActionView = { 
/**
 * Its title.
 */
title: string, 
/**
 * Its detail.
 */
detail: string, 
/**
 * The benchmark it serves.
 */
benchmark: string | null, 
/**
 * Who owns it.
 */
owner: string | null, 
/**
 * When it is due.
 */
due: string | null, 
/**
 * Its status as the school recorded it.
 */
status: string, };

export type ContributorView = { 
/**
 * Name.
 */
name: string, 
/**
 * Role.
 */
role: string, 
/**
 * Email, if given.
 */
email: string | null, };

export type HistoryView = { 
/**
 * How many changes in all.
 */
changes: number, 
/**
 * The first and last change.
 */
first: string | null, 
/**
 * The last change.
 */
last: string | null, 
/**
 * Who made changes, with how many each, most first.
 */
editors: Array<EditorCount>, 
/**
 * The most recent changes, newest first (at most 20).
 */
recent: Array<HistoryItem>, };

export type EditorCount = { 
/**
 * Name (or "unknown").
 */
name: string, 
/**
 * Changes.
 */
changes: number, };

export type HistoryItem = { 
/**
 * When.
 */
at: string, 
/**
 * Which benchmark.
 */
benchmark: string, 
/**
 * Who.
 */
by: string | null, 
/**
 * What.
 */
summary: string, };

export type Changes = { 
/**
 * The version compared with.
 */
from_version: number, 
/**
 * Benchmarks whose level or commentary changed.
 */
benchmarks: Array<BenchmarkChange>, 
/**
 * Titles of evidence files added.
 */
evidence_added: Array<string>, 
/**
 * Titles of evidence files no longer sent.
 */
evidence_removed: Array<string>, };

export type BenchmarkChange = { 
/**
 * The benchmark.
 */
benchmark: string, 
/**
 * The level before (when it changed).
 */
level_before: number | null, 
/**
 * The level now.
 */
level_after: number | null, 
/**
 * The level changed.
 */
level_changed: boolean, 
/**
 * The commentary changed.
 */
commentary_changed: boolean, 
/**
 * The commentary before (when it changed).
 */
commentary_before: string | null, 
/**
 * Evidence files newly linked to it.
 */
evidence_added: Array<string>, };

export type DeskRequestView = { 
/**
 * When.
 */
at: string, 
/**
 * The overall message.
 */
message: string, 
/**
 * Per benchmark: id and message.
 */
benchmarks: Array<BenchmarkMessage>, };

export type BenchmarkMessage = { 
/**
 * The benchmark.
 */
benchmark: string, 
/**
 * The message.
 */
message: string, };

export type RecommendationView = { 
/**
 * Award or not yet.
 */
outcome: Outcome, 
/**
 * Strengths.
 */
strengths: string, 
/**
 * Areas for development.
 */
areas_for_development: string, 
/**
 * Areas of enhanced or exceptional practice (frameworks without levels).
 */
enhanced_practice: string | null, 
/**
 * Notes for the moderator.
 */
notes: string, 
/**
 * The assessor's judgement of each benchmark they judged.
 */
judgements: Array<JudgementView>, };

export type JudgementView = { 
/**
 * The benchmark.
 */
benchmark: string, 
/**
 * Agrees with the school's level.
 */
agreed: boolean, 
/**
 * The level the assessor judges instead (when not agreeing).
 */
level: number | null, 
/**
 * The assessor's note.
 */
note: string, };

export type Allowed = { 
/**
 * Ask the school for more evidence.
 */
request_evidence: boolean, 
/**
 * Recommend an outcome.
 */
recommend: boolean, 
/**
 * Confirm or send back the recommendation (the moderator).
 */
moderate: boolean, 
/**
 * Why no decision may be recorded now, in words (impartiality, a newer version to open,
 * the review's state), when none may.
 */
why_not: string | null, };

export type Draft = { 
/**
 * Per benchmark: a judgement, a note, and what more evidence is wanted.
 */
judgements: Array<Judgement>, 
/**
 * The overall message of a request for more evidence.
 */
request_message: string, 
/**
 * Feedback: strengths.
 */
strengths: string, 
/**
 * Feedback: areas for development.
 */
areas_for_development: string, 
/**
 * Feedback for frameworks without levels: areas of enhanced or exceptional practice.
 */
enhanced_practice: string, 
/**
 * The recommendation, once chosen.
 */
outcome: Outcome | null, 
/**
 * Notes for the moderator (not shown to the school).
 */
notes: string, 
/**
 * The moderator's reason for sending a recommendation back.
 */
send_back_reason: string, 
/**
 * When it was last saved here (set by the desk).
 */
saved_at: string | null, };

export type Judgement = { 
/**
 * The benchmark.
 */
benchmark: string, 
/**
 * Agree, a different judgement, or not yet decided.
 */
verdict: Verdict, 
/**
 * The level the assessor judges (with [`Verdict::Differ`]).
 */
level: number | null, 
/**
 * The assessor's note on it (sent with the recommendation, for the moderator).
 */
note: string, 
/**
 * What more evidence is wanted for it (sent with a request for more evidence).
 */
request: string, };

export type Verdict = "undecided" | "agree" | "differ";

export type DraftProblem = { 
/**
 * The field: `request_message`, `strengths`, `areas_for_development`,
 * `enhanced_practice`, `outcome`, `send_back_reason`, or `judgements.<benchmark>.level`
 * / `.request` / `.note`.
 */
field: string, 
/**
 * What is wrong and how to put it right.
 */
message: string, };

export type ModerationChoice = "confirm" | "send_back";

export type DeskSettings = { 
/**
 * Days a local copy is kept after its review finished or was reassigned (0: removed at
 * once, the next time the list is read).
 */
keep_finished_days: number, };

export type DeskInfo = { 
/**
 * The assessor's name as the awarding body registered it.
 */
name: string, 
/**
 * Their email.
 */
email: string, 
/**
 * The awarding body.
 */
awarding_body: string, 
/**
 * The endpoint's address.
 */
endpoint: string, 
/**
 * The assessor's id.
 */
assessor: string, 
/**
 * The profile folder (where the local copies are).
 */
folder: string, 
/**
 * The settings.
 */
settings: DeskSettings, };
