import { describe, expect, test } from 'vitest';
import { companyDomainOf, domainOfWebsite } from './email-domain.ts';

describe('companyDomainOf', () => {
  test.each([
    ['ana@acme.com', 'acme.com'],
    ['Ana@Sub.Acme.co.uk', 'sub.acme.co.uk'],
    ['bo@gmail.com', undefined],
    ['bo@GMAIL.com', undefined],
    ['no-at-sign', undefined],
    ['x@localhost', undefined],
  ])('%s → %s', (email, domain) => {
    expect(companyDomainOf(email)).toBe(domain);
  });
});

describe('domainOfWebsite', () => {
  test.each([
    ['https://www.acme.com/about', 'acme.com'],
    ['acme.io', 'acme.io'],
    ['http://shop.acme.com:8080', 'shop.acme.com'],
    ['not a website', undefined],
  ])('%s → %s', (website, domain) => {
    expect(domainOfWebsite(website)).toBe(domain);
  });
});
