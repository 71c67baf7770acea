import { describe, expect, test } from 'vitest';
import {
  type DepartmentName,
  deriveTraits,
  parseDepartment,
  parseEmailType,
  parseSeniority,
  type SeniorityLevel,
} from './derive-traits.ts';

describe('parseSeniority and parseDepartment', () => {
  test.each<[string, SeniorityLevel, DepartmentName]>([
    ['Chief Revenue Officer', 'c-level', 'sales'],
    ['Chief Marketing Officer', 'c-level', 'marketing'],
    ['CMO', 'c-level', 'marketing'],
    ['Founder & CEO', 'c-level', 'executive'],
    ['Co-Founder', 'c-level', 'executive'],
    ['President', 'c-level', 'executive'],
    ['Chief Financial Officer', 'c-level', 'finance'],
    ['Chief Technology Officer', 'c-level', 'engineering'],
    ['Chief Operating Officer', 'c-level', 'operations'],
    ['CIO', 'c-level', 'it'],
    ['VP of Sales', 'vp', 'sales'],
    ['vp marketing', 'vp', 'marketing'],
    ['Senior Vice President, Global Sales', 'vp', 'sales'],
    ['SVP Revenue Operations', 'vp', 'revops'],
    ['EVP, People', 'vp', 'hr'],
    ['General Manager', 'vp', 'executive'],
    ['Sr. Director, Demand Gen', 'director', 'marketing'],
    ['Head of RevOps', 'director', 'revops'],
    ['Head of Growth', 'director', 'marketing'],
    ['Director of IT', 'director', 'it'],
    ['Managing Director', 'director', 'executive'],
    ['Director of Sales Operations', 'director', 'revops'],
    ['Associate Director, Talent Acquisition', 'director', 'hr'],
    ['Marketing Operations Manager', 'manager', 'marketing'],
    ['Sales Manager', 'manager', 'sales'],
    ['Engineering Manager', 'manager', 'engineering'],
    ['Sr. Mgr, Accounts Payable', 'manager', 'finance'],
    ['Chief of Staff', 'manager', 'executive'],
    ['Team Lead, Customer Support', 'manager', 'other'],
    ['Account Executive', 'individual', 'sales'],
    ['Sales Development Representative', 'individual', 'sales'],
    ['Software Engineer', 'individual', 'engineering'],
    ['Senior Financial Analyst', 'individual', 'finance'],
    ['Revenue Operations Analyst', 'individual', 'revops'],
    ['Lead Generation Specialist', 'individual', 'marketing'],
    ['Executive Assistant to the CEO', 'individual', 'executive'],
    ['Recruiter', 'individual', 'hr'],
    ['Systems Administrator', 'individual', 'it'],
    ['Supply Chain Analyst', 'individual', 'operations'],
    ['Internal Communications Specialist', 'individual', 'marketing'],
    ['Marketing Intern', 'intern', 'marketing'],
    ['Sales Intern', 'intern', 'sales'],
    ['MBA Student', 'student', 'other'],
    ['Student', 'student', 'other'],
    ['asdf', 'individual', 'other'],
  ])('%s → %s, %s', (title, seniority, department) => {
    expect([parseSeniority(title), parseDepartment(title)]).toEqual([seniority, department]);
  });

  test('a blank title says nothing', () => {
    expect([parseSeniority('  '), parseDepartment('')]).toEqual([undefined, undefined]);
  });
});

describe('parseEmailType', () => {
  test.each<[string, 'free' | 'business' | undefined]>([
    ['jane@gmail.com', 'free'],
    ['Jane@GMAIL.COM', 'free'],
    ['jane@mailinator.com', 'free'],
    ['jane@acme.io', 'business'],
    ['jane@sub.acme.co.uk', 'business'],
    ['not-an-email', undefined],
    ['@acme.io', undefined],
    ['jane@localhost', undefined],
  ])('%s → %s', (email, expected) => {
    expect(parseEmailType(email)).toBe(expected);
  });
});

describe('deriveTraits', () => {
  test('fills seniority, department and emailType from the title and e-mail', () => {
    expect(deriveTraits({ title: 'VP of Marketing', employees: 300 }, 'jane@acme.io')).toEqual({
      title: 'VP of Marketing',
      employees: 300,
      seniority: 'vp',
      department: 'marketing',
      emailType: 'business',
    });
  });

  test('reads the email trait when no e-mail is passed', () => {
    expect(deriveTraits({ email: 'sam@gmail.com' }).emailType).toBe('free');
  });

  test('prefers the e-mail argument over the email trait', () => {
    expect(deriveTraits({ email: 'sam@gmail.com' }, 'sam@acme.io').emailType).toBe('business');
  });

  test('explicit traits win', () => {
    const traits = {
      title: 'VP of Sales',
      seniority: 'manager',
      department: 'revops',
      emailType: 'business',
    };
    expect(deriveTraits(traits, 'x@gmail.com')).toEqual(traits);
  });

  test('fills traits that are null or blank', () => {
    expect(deriveTraits({ title: 'Head of RevOps', seniority: null, department: ' ' })).toEqual({
      title: 'Head of RevOps',
      seniority: 'director',
      department: 'revops',
    });
  });

  test('drops undefined entries and leaves the input unchanged', () => {
    const input = { title: 'Student', industry: undefined };
    const derived = deriveTraits(input);
    expect(derived).toEqual({ title: 'Student', seniority: 'student', department: 'other' });
    expect(input).toEqual({ title: 'Student', industry: undefined });
  });

  test('adds nothing without a title or e-mail', () => {
    expect(deriveTraits({ employees: 20 })).toEqual({ employees: 20 });
  });
});
