// The shell's own answers along a school's submission journey, recorded by
// tests/app_submission.rs (the real endpoint, keychain and assessor tool) into
// fixtures/core/submissions.json; `make bindings` re-records them. Ids, times, the endpoint's
// address, keys and the award's code are stable stand-ins. Tests that need a state the journey
// never reaches (offline, a refusal, progress mid-way) script it in submissions.ts instead.
import type {
  ApplyPreview,
  CodeCheck,
  CommandError,
  Enrolled,
  LevelComparison,
  Overview,
  ReceiptView,
  RenewalReport,
} from '../lib/bindings';
import json from './fixtures/core/submissions.json';

export interface Recorded {
  not_enrolled: Overview;
  first_preview: ApplyPreview;
  code_check: CodeCheck;
  enrolled: Enrolled;
  apply_unconfirmed: CommandError;
  received: Overview;
  receipt: ReceiptView;
  more_evidence_requested: Overview;
  resubmit_preview: ApplyPreview;
  awarded: Overview;
  renewal_open: Overview;
  renewal_started: RenewalReport;
  comparison: LevelComparison[];
}

/** The recorded answers, typed as the shell declares them (bindings.ts). */
export const recorded: Recorded = json as Recorded;
