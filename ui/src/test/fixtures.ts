// A small framework and review for component tests (the shapes come from bindings.ts).
import type { FrameworkDef, FrameworkSummary, Institution, Review, Status } from '../lib/bindings';

export const framework: FrameworkDef = {
  format: 1,
  id: 'test-quality',
  version: '1.0',
  title: 'Test Quality Framework',
  awarding_body: 'Test Awarding Body',
  summary: 'A framework for tests.',
  audience: 'Test schools',
  scale: {
    direction: 'ascending',
    levels: [
      { value: 1, name: 'Getting started' },
      { value: 2, name: 'Developing' },
      { value: 3, name: 'Established' },
    ],
  },
  progress: { require_level: true, require_commentary: true },
  dimensions: [
    {
      id: '1',
      title: 'Leadership',
      summary: 'How leaders lead.',
      benchmarks: [
        {
          id: '1.1',
          title: 'Vision',
          guidance: 'Have a vision for computing.',
          prompts: ['Who wrote the vision?'],
          levels: [
            { value: 1, descriptor: 'No vision yet.', next_steps: 'Write a vision.' },
            { value: 2, descriptor: 'A vision exists.', next_steps: 'Share the vision with staff.' },
            { value: 3, descriptor: 'Everyone knows the vision.', next_steps: null },
          ],
          evidence: [{ id: '1.1-doc', title: 'Vision statement', description: null, required: true, from_level: null }],
        },
        {
          id: '1.2',
          title: 'Monitoring',
          guidance: 'Check the quality of teaching.',
          prompts: [],
          levels: [
            { value: 1, descriptor: 'No monitoring.', next_steps: 'Plan monitoring.' },
            { value: 2, descriptor: 'Some monitoring.', next_steps: 'Monitor termly.' },
            { value: 3, descriptor: 'Termly monitoring.', next_steps: null },
          ],
          evidence: [],
        },
      ],
      groups: [],
    },
    {
      id: '2',
      title: 'Curriculum',
      summary: null,
      benchmarks: [],
      groups: [
        {
          id: '2a',
          title: 'Planning',
          summary: null,
          benchmarks: [
            {
              id: '2.1',
              title: 'Coverage',
              guidance: 'Cover the curriculum.',
              prompts: [],
              levels: [
                { value: 1, descriptor: 'Gaps.', next_steps: 'Map coverage.' },
                { value: 2, descriptor: 'Mostly covered.', next_steps: 'Fill the gaps.' },
                { value: 3, descriptor: 'Fully covered.', next_steps: null },
              ],
              evidence: [],
            },
          ],
        },
      ],
    },
  ],
  awards: [
    {
      id: 'commitment',
      title: 'Certificate of Commitment',
      kind: 'certificate',
      issuer: 'self',
      description: null,
      validity_years: null,
      review_window_days: null,
      requires: {
        registration: true,
        progress_percent: null,
        dimensions_complete: null,
        complete: null,
        minimum_level: null,
        thresholds: {},
        required_evidence_percent: null,
        future_actions: null,
      },
    },
  ],
  upgrades: [],
};

export const summaries: FrameworkSummary[] = [
  {
    id: 'test-quality',
    version: '1.0',
    versions: ['1.0'],
    title: 'Test Quality Framework',
    awarding_body: 'Test Awarding Body',
    summary: 'A framework for tests.',
    audience: 'Test schools',
    dimensions: 2,
    benchmarks: 3,
    has_levels: true,
  },
  {
    id: 'no-levels',
    version: '1.0',
    versions: ['1.0'],
    title: 'Commentary Only Mark',
    awarding_body: 'Test Awarding Body',
    summary: 'No levels here.',
    audience: null,
    dimensions: 1,
    benchmarks: 2,
    has_levels: false,
  },
];

export const institution: Institution = {
  id: 'inst-1',
  name: 'Hillside Primary',
  identifier: '123456',
  phase: 'primary',
  contact_name: 'Sam Lee',
  email: 'sam@hillside.sch.uk',
  role: 'Computing lead',
  created_at: '2026-01-05T10:00:00.000Z',
  updated_at: '2026-01-05T10:00:00.000Z',
};

export const review: Review = {
  id: 'rev-1',
  institution_id: 'inst-1',
  framework_id: 'test-quality',
  framework_version: '1.0',
  registered_at: '2026-01-05T10:00:00.000Z',
  registered_by: 'sam',
};

export function status(done = 0): Status {
  return {
    institution,
    review,
    framework_title: framework.title,
    progress: {
      overall: { done, total: 3 },
      dimensions: [
        { id: '1', title: 'Leadership', benchmarks: { done, total: 2 } },
        { id: '2', title: 'Curriculum', benchmarks: { done: 0, total: 1 } },
      ],
      evidence: { done: 0, total: 1 },
      missing_evidence: [{ requirement: '1.1-doc', title: 'Vision statement', benchmark: '1.1' }],
      awards: [
        {
          id: 'commitment',
          title: 'Certificate of Commitment',
          kind: 'certificate',
          issuer: 'self',
          eligible: true,
          reasons: [],
        },
        {
          id: 'mark',
          title: 'Test Mark',
          kind: 'mark',
          issuer: 'awarding_body',
          eligible: false,
          reasons: [
            { benchmark: '1.1', text: '1.1 Vision: no level chosen, needs 3' },
            { benchmark: null, text: '1 of 1 required evidence items missing' },
          ],
        },
      ],
    },
    awaiting_confirmation: [],
  };
}
