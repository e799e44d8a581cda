// The shell's answers about submissions for the UI's tests: the awarding body's connection,
// previews, deliveries, submissions at each stage, receipts and renewal, shaped exactly as
// src-tauri/submissions/views.rs (and the core's renewal.rs) send them and typed by the
// generated bindings, with the shell's own wording (timeline.rs's stage labels, mod.rs's
// messages). They stand in until src-tauri/ui_fixtures.rs records these commands against an
// endpoint in process (fixtures/core/submissions.json); the fake shell replays them and judges
// nothing (a stage, an offer, a renewal state or a time left is always one written here).
import type {
  Applied,
  ApplyPreview,
  ApplyProgress,
  CodeCheck,
  Connection,
  Delivery,
  Enrolled,
  LevelComparison,
  Overview,
  ReceiptView,
  RenewalReport,
  RenewalView,
  RequestedBenchmark,
  SubmissionView,
} from '../lib/bindings';
import { testQuality } from './core';

const MB = 1024 * 1024;
const review = testQuality.review_framework.review;

/** Nothing to send. */
export const idle: Delivery = {
  state: 'idle',
  submission_id: null,
  bytes_done: 0,
  bytes_total: 0,
  files_done: 0,
  files_total: 0,
  bytes_per_second: null,
  seconds_left: null,
  message: null,
  next_attempt_at: null,
  queued: 0,
};

/** The background delivery in each state it reports. */
export const deliveries = {
  idle,
  sending: {
    ...idle,
    state: 'sending',
    submission_id: 'outbox-1',
    bytes_done: 120 * MB,
    bytes_total: 340 * MB,
    files_done: 4,
    files_total: 12,
    bytes_per_second: 1_250_000,
    seconds_left: 185,
    queued: 1,
  },
  offline: {
    ...idle,
    state: 'offline',
    submission_id: 'outbox-1',
    bytes_total: 340 * MB,
    message: 'Waiting for a network: your application is saved and will be sent.',
    next_attempt_at: '2026-01-05T10:05:00.000Z',
    queued: 1,
  },
  waiting: {
    ...idle,
    state: 'waiting',
    submission_id: 'outbox-1',
    message:
      'The school’s proxy refused the connection to the awarding body. Your application is saved and is tried again automatically.',
    next_attempt_at: '2026-01-05T10:05:00.000Z',
    queued: 1,
  },
  needs_enrollment: {
    ...idle,
    state: 'needs_enrollment',
    submission_id: 'outbox-1',
    message:
      'Your application is saved but cannot be sent yet. This computer is not connected to an awarding body yet. In Settings, under “Awarding body”, enter the enrollment code the awarding body sent you.',
    queued: 1,
  },
  paused: {
    ...idle,
    state: 'paused',
    submission_id: 'outbox-1',
    message: 'Network activity is paused: your application is saved and is sent once you resume it on the Privacy screen.',
    queued: 1,
  },
} satisfies Record<Delivery['state'], Delivery>;

/** The enrollment code in the awarding body's letter. */
export const CODE = 'wm1:s3cr3t:7KQ2M9XH4TAB:https://awards.test-body.org.uk';

export const codeCheck: CodeCheck = {
  endpoint: 'https://awards.test-body.org.uk',
  awarding_body: 'Test Awarding Body',
  fingerprint: '7KQ2 M9XH 4TAB',
  replaces: null,
};

export const connection: Connection = {
  endpoint: 'https://awards.test-body.org.uk',
  awarding_body: 'Test Awarding Body',
  institution_name: 'Hillside Primary',
  identifier: '123456',
  fingerprint: '7KQ2 M9XH 4TAB',
  enrolled_at: '2026-01-05T10:00:00.000Z',
  keychain:
    'In this computer’s keychain (the operating system’s password store), under “waymark”, entry “installation-1”. They are never written to the data folder.',
  credentials_problem: null,
};

export const enrolled: Enrolled = { connection, replaced: null };

/** A data folder never connected and with nothing sent: the mark is not within reach yet. */
export const fresh: Overview = {
  connection: null,
  delivery: idle,
  submissions: [],
  applications: [{ award: 'mark', offer: 'not_yet', latest: null, stage: null, stage_label: null }],
  requests: [],
  renewal: null,
  notice_months: 6,
};

const vision = { id: 'evidence-1', title: 'Vision.pdf', file_name: 'Vision.pdf', size: 2 * MB };
const classPhoto = { id: 'evidence-3', title: 'Class photo', file_name: 'class-photo.jpg', size: 3 * MB };
const register = { id: 'evidence-4', title: 'Trip register', file_name: 'trip-register.xlsx', size: 40 * 1024 };
const minutes = { id: 'evidence-5', title: 'Review minutes', file_name: 'minutes.docx', size: 120 * 1024 };

/** What a first application for the mark sends: everything, two files to check. */
export const firstPreview: ApplyPreview = {
  award: 'mark',
  award_title: 'Test Mark',
  framework: 'test-quality 1.0',
  resubmission_of: null,
  benchmarks: 3,
  evidence_count: 3,
  evidence_bytes: vision.size + classPhoto.size + register.size,
  bytes_to_send: vision.size + classPhoto.size + register.size,
  new_evidence: [vision, classPhoto, register],
  changed_benchmarks: [],
  contributors: ['Alex Kim', 'Jo Patel'],
  actions: 2,
  personal_data: [classPhoto, register],
  enrolled: true,
};

/** The same application before this computer is connected. */
export const notEnrolledPreview: ApplyPreview = { ...firstPreview, enrolled: false };

/** A re-submission: only the minutes are new, one answer changed, one file to check. */
export const resubmitPreview: ApplyPreview = {
  ...firstPreview,
  resubmission_of: 'server-1',
  evidence_count: 4,
  evidence_bytes: firstPreview.evidence_bytes + minutes.size,
  bytes_to_send: minutes.size,
  new_evidence: [minutes],
  changed_benchmarks: ['Vision'],
  personal_data: [classPhoto],
};

/** What applying streams: freezing (total unknown), then encrypting. */
export const applyProgress: ApplyProgress[] = [
  { stage: 'freezing', done: 0, total: 0 },
  { stage: 'encrypting', done: 2 * MB, total: 5 * MB },
];

export const applied: Applied = {
  submission_id: 'outbox-1',
  sealed: 3,
  reused: 0,
  message:
    'Your application is queued and is being sent in the background. You can keep working, or close Waymark: it carries on the next time Waymark opens.',
};

const request: RequestedBenchmark = {
  benchmark_id: '1.1',
  benchmark_title: 'Vision',
  message: 'Please add the minutes of the governors’ meeting where the vision was agreed.',
  request: 'Thank you for a clear application. Two things are missing before I can recommend the mark.',
  submission: 'server-1',
};

/** One submission at each stage the tests look at (newest first, as the shell lists them). */
export const views = {
  underReview: {
    id: 'outbox-1',
    server_id: 'server-1',
    review_id: review.id,
    award: 'mark',
    award_title: 'Test Mark',
    framework: 'test-quality 1.0',
    stage: 'under_review',
    stage_label: 'Under review',
    timeline: [
      { stage: 'queued', label: 'Queued to send', state: 'done', at: '2026-01-05T10:00:00.000Z', detail: null },
      { stage: 'uploading', label: 'Sending', state: 'done', at: null, detail: null },
      { stage: 'received', label: 'Received by the awarding body', state: 'done', at: '2026-01-05T10:20:00.000Z', detail: 'The signed receipt is kept' },
      { stage: 'under_review', label: 'Under review', state: 'current', at: null, detail: 'The review is due by 2 February 2026' },
      { stage: 'recommended', label: 'Recommended', state: 'upcoming', at: null, detail: null },
      { stage: 'awarded', label: 'Awarded', state: 'upcoming', at: null, detail: null },
    ],
    review_due: '2026-02-02',
    request: null,
    feedback: null,
    award_record: null,
    versions: [
      { id: 'outbox-1', queued_at: '2026-01-05T10:00:00.000Z', sent_at: '2026-01-05T10:20:00.000Z', has_receipt: true, bytes_sent: 5 * MB, last_error: null },
    ],
    can_resubmit: false,
    checked_at: '2026-01-06T09:00:00.000Z',
  },
  moreEvidence: {
    id: 'outbox-1',
    server_id: 'server-1',
    review_id: review.id,
    award: 'mark',
    award_title: 'Test Mark',
    framework: 'test-quality 1.0',
    stage: 'more_evidence_requested',
    stage_label: 'More evidence requested',
    timeline: [
      { stage: 'queued', label: 'Queued to send', state: 'done', at: '2026-01-05T10:00:00.000Z', detail: null },
      { stage: 'uploading', label: 'Sending', state: 'done', at: null, detail: null },
      { stage: 'received', label: 'Received by the awarding body', state: 'done', at: '2026-01-05T10:20:00.000Z', detail: 'The signed receipt is kept' },
      { stage: 'under_review', label: 'Under review', state: 'done', at: null, detail: 'The review is due by 2 February 2026' },
      { stage: 'more_evidence_requested', label: 'More evidence requested', state: 'current', at: null, detail: request.request },
      { stage: 'resubmitted', label: 'Re-submitted', state: 'upcoming', at: null, detail: null },
      { stage: 'recommended', label: 'Recommended', state: 'upcoming', at: null, detail: null },
      { stage: 'awarded', label: 'Awarded', state: 'upcoming', at: null, detail: null },
    ],
    review_due: '2026-02-02',
    request: { message: request.request, benchmarks: [request] },
    feedback: null,
    award_record: null,
    versions: [
      { id: 'outbox-1', queued_at: '2026-01-05T10:00:00.000Z', sent_at: '2026-01-05T10:20:00.000Z', has_receipt: true, bytes_sent: 5 * MB, last_error: null },
    ],
    can_resubmit: true,
    checked_at: '2026-01-20T09:00:00.000Z',
  },
  awarded: {
    id: 'outbox-2',
    server_id: 'server-1',
    review_id: review.id,
    award: 'mark',
    award_title: 'Test Mark',
    framework: 'test-quality 1.0',
    stage: 'awarded',
    stage_label: 'Awarded',
    timeline: [
      { stage: 'queued', label: 'Queued to send', state: 'done', at: '2026-01-05T10:00:00.000Z', detail: null },
      { stage: 'uploading', label: 'Sending', state: 'done', at: null, detail: null },
      { stage: 'received', label: 'Received by the awarding body', state: 'done', at: '2026-01-05T10:20:00.000Z', detail: 'The signed receipt is kept' },
      { stage: 'under_review', label: 'Under review', state: 'done', at: null, detail: 'The review is due by 2 February 2026' },
      { stage: 'more_evidence_requested', label: 'More evidence requested', state: 'done', at: null, detail: null },
      { stage: 'resubmitted', label: 'Re-submitted', state: 'done', at: '2026-01-22T14:00:00.000Z', detail: null },
      { stage: 'recommended', label: 'Recommended', state: 'done', at: null, detail: null },
      { stage: 'awarded', label: 'Awarded', state: 'done', at: '2026-03-02', detail: 'Valid until 2 March 2029 (148 days left)' },
    ],
    review_due: null,
    request: null,
    feedback: {
      strengths: 'A shared vision that staff and governors know well.',
      areas_for_development: 'Monitoring could follow the curriculum map more closely.',
      enhanced_practice: 'Pupil digital leaders run the school’s online-safety assemblies.',
    },
    award_record: {
      award: 'mark',
      title: 'Test Mark',
      verification_code: 'WM-7KQ2-M9XH',
      verification_url: 'https://awards.test-body.org.uk/awards/WM-7KQ2-M9XH',
      awarded_on: '2026-03-02',
      expires_on: '2029-03-02',
      days_left: 148,
    },
    versions: [
      { id: 'outbox-1', queued_at: '2026-01-05T10:00:00.000Z', sent_at: '2026-01-05T10:20:00.000Z', has_receipt: true, bytes_sent: 5 * MB, last_error: null },
      { id: 'outbox-2', queued_at: '2026-01-22T14:00:00.000Z', sent_at: '2026-01-22T14:02:00.000Z', has_receipt: true, bytes_sent: 120 * 1024, last_error: null },
    ],
    can_resubmit: false,
    checked_at: '2026-03-03T09:00:00.000Z',
  },
} satisfies Record<string, SubmissionView>;

/** The assessor's request, as the overview lists it for the current review. */
export const requests: RequestedBenchmark[] = [request];

/** Connected, the application under review. */
export const underReview: Overview = {
  connection,
  delivery: idle,
  submissions: [views.underReview],
  applications: [{ award: 'mark', offer: 'follow', latest: 'outbox-1', stage: 'under_review', stage_label: 'Under review' }],
  requests: [],
  renewal: null,
  notice_months: 6,
};

/** The assessor asked for more evidence about 1.1. */
export const moreEvidence: Overview = {
  ...underReview,
  submissions: [views.moreEvidence],
  applications: [{ award: 'mark', offer: 'resubmit', latest: 'outbox-1', stage: 'more_evidence_requested', stage_label: 'More evidence requested' }],
  requests,
};

/** Eligible, connected, nothing sent yet. */
export const canApply: Overview = {
  ...fresh,
  connection,
  applications: [{ award: 'mark', offer: 'apply', latest: null, stage: null, stage_label: null }],
};

/** The renewal of the awarded mark in each state. */
export const renewals = {
  not_yet: {
    award: 'mark',
    award_title: 'Test Mark',
    awarded_review: review.id,
    expires_on: '2029-03-02',
    opens_on: '2028-09-02',
    days_left: 400,
    state: 'not_yet',
    notice_months: 6,
    renewal_review: null,
    can_start: false,
  },
  open: {
    award: 'mark',
    award_title: 'Test Mark',
    awarded_review: review.id,
    expires_on: '2029-03-02',
    opens_on: '2028-09-02',
    days_left: 148,
    state: 'open',
    notice_months: 6,
    renewal_review: null,
    can_start: true,
  },
  expired: {
    award: 'mark',
    award_title: 'Test Mark',
    awarded_review: review.id,
    expires_on: '2029-03-02',
    opens_on: '2028-09-02',
    days_left: -12,
    state: 'expired',
    notice_months: 6,
    renewal_review: null,
    can_start: true,
  },
} satisfies Record<RenewalView['state'], RenewalView>;

/** Awarded, renewal open. */
export const awarded: Overview = {
  ...underReview,
  submissions: [views.awarded],
  applications: [{ award: 'mark', offer: 'follow', latest: 'outbox-2', stage: 'awarded', stage_label: 'Awarded' }],
  renewal: renewals.open,
};

/** The renewal started: its review now the current one. */
export const renewing: Overview = {
  ...awarded,
  renewal: { ...renewals.open, renewal_review: 'review-2', can_start: false },
};

export const receipt: ReceiptView = {
  id: 'outbox-1',
  text: '{\n  "purpose": "receipt",\n  "received_at": "2026-01-05T10:20:00Z",\n  "version": 1\n}',
  verified: true,
  check: 'Signed by the awarding body: the signature verifies with the keys pinned when this computer enrolled.',
  received_at: '2026-01-05T10:20:00.000Z',
  version: 1,
};

export const renewalReport: RenewalReport = {
  review: { ...review, id: 'review-2', renews: review.id, closed_at: null },
  previous: { ...review, closed_at: '2026-03-03T09:00:00.000Z' },
  from_version: '1.0',
  to_version: '1.0',
  carried: ['1.1', '1.2'],
  flagged: [
    { benchmark: '1.1', reason: 'carried from the awarded review: confirm it still holds' },
    { benchmark: '1.2', reason: 'carried from the awarded review: confirm it still holds' },
  ],
  archived: [],
  evidence_kept: 2,
  actions_carried: 1,
};

/** The renewal's levels beside the awarded review's. */
export const comparison: LevelComparison[] = [
  {
    dimension_id: '1',
    dimension_title: 'Leadership',
    benchmark_id: '1.1',
    benchmark_title: 'Vision',
    previous_level: 3,
    previous_label: 'Established',
    current_level: 3,
    current_label: 'Established',
    change: 'same',
    needs_confirmation: true,
    only_in_previous: false,
  },
  {
    dimension_id: '1',
    dimension_title: 'Leadership',
    benchmark_id: '1.2',
    benchmark_title: 'Monitoring',
    previous_level: 2,
    previous_label: 'Developing',
    current_level: 3,
    current_label: 'Established',
    change: 'more_mature',
    needs_confirmation: false,
    only_in_previous: false,
  },
  {
    dimension_id: '2',
    dimension_title: 'Curriculum',
    benchmark_id: '2.1',
    benchmark_title: 'Coverage',
    previous_level: 3,
    previous_label: 'Established',
    current_level: null,
    current_label: null,
    change: null,
    needs_confirmation: true,
    only_in_previous: false,
  },
];
