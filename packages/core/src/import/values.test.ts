import { describe, expect, test } from 'vitest';
import {
  findEmail,
  inferTraitValue,
  normalizeHeader,
  parseBoolean,
  parseDomain,
  parseEmail,
  parseEmployees,
  parseInteger,
  parseMoney,
  slugify,
} from './values.ts';

describe('parseMoney', () => {
  test.each([
    ['1234', { amount: '1234' }],
    ['1,234', { amount: '1234' }],
    ['1,234.56', { amount: '1234.56' }],
    ['1.234,56', { amount: '1234.56' }],
    ['1.234.567', { amount: '1234567' }],
    ['1.234', { amount: '1.234' }],
    ['12,5', { amount: '12.5' }],
    ["1'234.50", { amount: '1234.50' }],
    ['1 234,50', { amount: '1234.50' }],
    ['$24,000.00', { amount: '24000.00', currency: 'USD' }],
    ['US$ 99', { amount: '99', currency: 'USD' }],
    ['12.500,00 €', { amount: '12500.00', currency: 'EUR' }],
    ['EUR 1 234,56', { amount: '1234.56', currency: 'EUR' }],
    ['£1,000', { amount: '1000', currency: 'GBP' }],
    ['1000 CHF', { amount: '1000', currency: 'CHF' }],
    ['-42', { amount: '-42' }],
    ['-$42.10', { amount: '-42.10', currency: 'USD' }],
    ['(1,000)', { amount: '-1000' }],
    ['.5', { amount: '0.5' }],
    ['007', { amount: '7' }],
  ])('reads %j', (text, expected) => {
    expect(parseMoney(text)).toEqual(expected);
  });

  test.each(['', 'abc', '1,23,4', '12.34.5,6', '$', '1..2', '$12 EUR', '1,2345.6'])('rejects %j', (text) => {
    expect(parseMoney(text)).toBeUndefined();
  });
});

describe('parseInteger', () => {
  test.each([
    ['2,500', 2500],
    ['41188', 41188],
    ['1.5', undefined],
    ['lots', undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(parseInteger(text)).toBe(expected);
  });
});

describe('parseBoolean', () => {
  test.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Y', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['n', false],
    ['maybe', undefined],
    ['', undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(parseBoolean(text)).toBe(expected);
  });
});

describe('parseEmail and findEmail', () => {
  test('lowercases and trims an address', () => {
    expect(parseEmail('  Maria.Johnson@Northwind.IO ')).toBe('maria.johnson@northwind.io');
    expect(parseEmail('mailto:ada@acme.example')).toBe('ada@acme.example');
  });

  test.each(['not-an-email', 'a@b', 'a b@c.com', '@acme.com', 'ada@acme.'])('rejects %j', (text) => {
    expect(parseEmail(text)).toBeUndefined();
  });

  test('finds the address in HubSpot’s "Name (email)" association text', () => {
    expect(findEmail('Maria Johnson (Sample Contact) (emailmaria@hubspot.com)')).toBe(
      'emailmaria@hubspot.com',
    );
    expect(findEmail('Kenji Watanabe')).toBeUndefined();
  });
});

describe('parseEmployees', () => {
  test.each([
    ['250', { employees: 250 }],
    ['1,200', { employees: 1200 }],
    ['51-200', { employees: 51, range: '51-200' }],
    ['25 to 50', { employees: 25, range: '25 to 50' }],
    ['1000+', { employees: 1000, range: '1000+' }],
    ['10,001+', { employees: 10001, range: '10,001+' }],
    ['200-50', undefined],
    ['a few', undefined],
  ])('reads %j', (text, expected) => {
    expect(parseEmployees(text)).toEqual(expected);
  });
});

describe('parseDomain', () => {
  test.each([
    ['https://www.Northwind.io/about?x=1', 'northwind.io'],
    ['contoso-fin.com', 'contoso-fin.com'],
    ['http://shop.example.co.uk:8080', 'shop.example.co.uk'],
    ['not a domain', undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(parseDomain(text)).toBe(expected);
  });
});

describe('normalizeHeader and slugify', () => {
  test.each([
    ['\uFEFFCountry/Region', 'countryregion'],
    ['First Name', 'firstname'],
    ['first_name', 'firstname'],
    ['FirstName', 'firstname'],
    ['Decision Maker Bought-In', 'decisionmakerboughtin'],
    ['Número', 'numero'],
  ])('normalizes %j to %j', (text, expected) => {
    expect(normalizeHeader(text)).toBe(expected);
  });

  test('slugifies names into rep ids', () => {
    expect(slugify('Moses Frase')).toBe('moses-frase');
    expect(slugify('  Zoë  O’Brien ')).toBe('zoe-o-brien');
  });
});

describe('inferTraitValue', () => {
  test.each([
    ['25', 25],
    ['-3.5', -3.5],
    ['true', true],
    ['FALSE', false],
    ['007', '007'],
    ['pro', 'pro'],
  ])('reads %j as %j', (text, expected) => {
    expect(inferTraitValue(text)).toBe(expected);
  });
});
