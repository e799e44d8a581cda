import { describe, expect, it } from 'vitest';
import type { InstitutionInput } from './bindings';
import { isEmailShaped, isIsoDate, isValid, optional, validateAction, validateContributor, validateInstitution } from './validation';

const base: InstitutionInput = {
  name: 'Hillside Primary',
  identifier: null,
  phase: null,
  contact_name: null,
  email: null,
  role: null,
};

describe('institution validation', () => {
  it('accepts a name alone', () => {
    expect(validateInstitution(base)).toEqual({});
  });

  it('requires the name', () => {
    expect(Object.keys(validateInstitution({ ...base, name: '   ' }))).toEqual(['name']);
  });

  it('checks the email shape like the core does', () => {
    for (const good of ['a@b.co', 'head.teacher@school.sch.uk']) expect(isEmailShaped(good)).toBe(true);
    for (const bad of ['a@b', '@b.co', 'a@.co', 'a@b.', 'a b@c.de', 'plain']) expect(isEmailShaped(bad)).toBe(false);
    expect(validateInstitution({ ...base, email: 'head@school' }).email).toMatch(/email/);
  });

  it('checks the reference number', () => {
    expect(validateInstitution({ ...base, identifier: '100000' })).toEqual({});
    expect(validateInstitution({ ...base, identifier: '12 34' }).identifier).toBeDefined();
    expect(validateInstitution({ ...base, identifier: 'x'.repeat(33) }).identifier).toBeDefined();
  });

  it('limits long names, counting characters not bytes', () => {
    expect(validateInstitution({ ...base, name: 'é'.repeat(200) })).toEqual({});
    expect(validateInstitution({ ...base, name: 'é'.repeat(201) }).name).toMatch(/200/);
  });
});

describe('action and contributor validation', () => {
  it('needs action text and a real date', () => {
    expect(validateAction({ text: ' ', owner: null, due_date: null, benchmarks: [] })).toHaveProperty('text');
    expect(validateAction({ text: 'Plan', owner: null, due_date: '2027-02-30', benchmarks: [] })).toHaveProperty('due_date');
    expect(isValid(validateAction({ text: 'Plan', owner: null, due_date: '2028-02-29', benchmarks: [] }))).toBe(true);
  });

  it('needs a contributor name and a well-formed optional email', () => {
    expect(validateContributor({ name: '', role: null, email: null })).toHaveProperty('name');
    expect(validateContributor({ name: 'Alex', role: null, email: 'alex' })).toHaveProperty('email');
    expect(validateContributor({ name: 'Alex', role: 'Governor', email: null })).toEqual({});
  });

  it('recognises ISO dates and trims optional text to null', () => {
    expect(isIsoDate('2027-03-31')).toBe(true);
    expect(isIsoDate('31/03/2027')).toBe(false);
    expect(isIsoDate('2027-13-01')).toBe(false);
    expect(optional('  ')).toBeNull();
    expect(optional(' Sam ')).toBe('Sam');
  });
});
