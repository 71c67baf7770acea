/**
 * Contacts are matched to accounts by their e-mail's domain, except for free-mail and
 * disposable domains, which say nothing about the employer.
 */
const freeMailDomainList: readonly string[] = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'ymail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'hotmail.de',
  'outlook.com',
  'live.com',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.com',
  'mail.ru',
  'yandex.com',
  'yandex.ru',
  'zoho.com',
  'qq.com',
  '163.com',
  '126.com',
  'fastmail.com',
  'hey.com',
  'tutanota.com',
  'mailinator.com',
  'guerrillamail.com',
  '10minutemail.com',
  'orange.fr',
  'free.fr',
  'libero.it',
  't-online.de',
  'comcast.net',
  'verizon.net',
  'att.net',
];
const freeMailDomains = new Set(freeMailDomainList);

/** The free-mail and disposable domains, for SQL that must agree with `isFreeMailDomain`. */
export function listFreeMailDomains(): readonly string[] {
  return freeMailDomainList;
}

export function isFreeMailDomain(domain: string): boolean {
  return freeMailDomains.has(domain.toLowerCase());
}

/** The company domain of an e-mail address, or undefined for free-mail and malformed ones. */
export function companyDomainOf(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1) return undefined;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/^www\./, '');
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain) || isFreeMailDomain(domain)) return undefined;
  return domain;
}

/** A web domain from a website trait (`https://www.acme.com/about` → `acme.com`). */
export function domainOfWebsite(website: string): string | undefined {
  const trimmed = website.trim().toLowerCase();
  const host = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/?#:]+)/.exec(trimmed)?.[1]?.replace(/^www\./, '');
  return host && /^[a-z0-9.-]+\.[a-z]{2,}$/.test(host) ? host : undefined;
}
