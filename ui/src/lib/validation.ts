// Checks run in the form before anything is sent, with the same rules as the core
// (crates/core/src/store/institution.rs, actions.rs, contributors.rs). The core checks again;
// its errors name a field too and are shown in the same place.

import type { ContributorInput, InstitutionInput, NewAction } from './bindings';

export type FieldErrors = Record<string, string>;

/** The same email shape the core accepts: something@domain.tld, no spaces. */
export function isEmailShaped(email: string): boolean {
  if (/\s/.test(email)) return false;
  const at = email.indexOf('@');
  if (at <= 0) return false;
  const domain = email.slice(at + 1);
  return domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.');
}

/** Trimmed text, or null when empty (optional fields are sent as null). */
export function optional(value: string): string | null {
  const t = value.trim();
  return t === '' ? null : t;
}

export function validateInstitution(input: InstitutionInput): FieldErrors {
  const errors: FieldErrors = {};
  const name = input.name.trim();
  if (name === '') errors.name = 'Enter the institution’s name, as it should appear on certificates.';
  else if ([...name].length > 200) errors.name = 'The name is over 200 characters; shorten it.';
  const id = input.identifier?.trim() ?? '';
  if (id !== '' && ([...id].length > 32 || !/^[A-Za-z0-9/-]+$/.test(id))) {
    errors.identifier =
      'Enter a reference number such as a URN (6 digits) or UKPRN (8 digits), or leave it empty.';
  }
  const email = input.email?.trim() ?? '';
  if (email !== '' && !isEmailShaped(email)) {
    errors.email = 'Enter an email address like name@school.org.uk.';
  }
  for (const field of ['contact_name', 'role'] as const) {
    if ([...(input[field] ?? '')].length > 200) errors[field] = 'This is over 200 characters; shorten it.';
  }
  return errors;
}

export function validateAction(action: NewAction): FieldErrors {
  const errors: FieldErrors = {};
  if (action.text.trim() === '') errors.text = 'Say what the action is.';
  else if ([...action.text].length > 2000) {
    errors.text = 'The action is over 2,000 characters; keep it short.';
  }
  if (action.due_date !== null && !isIsoDate(action.due_date)) {
    errors.due_date = 'Enter a date, for example 31/03/2027.';
  }
  return errors;
}

export function validateContributor(input: ContributorInput): FieldErrors {
  const errors: FieldErrors = {};
  if (input.name.trim() === '') errors.name = 'Enter the member’s name.';
  else if ([...input.name.trim()].length > 200) errors.name = 'The name is over 200 characters; shorten it.';
  if (input.email && !isEmailShaped(input.email.trim())) {
    errors.email = 'Enter an email address like name@school.org.uk.';
  }
  return errors;
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Whether there are no errors. */
export function isValid(errors: FieldErrors): boolean {
  return Object.keys(errors).length === 0;
}
