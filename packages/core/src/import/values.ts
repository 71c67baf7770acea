/**
 * Reading the text of one CSV cell as a typed value: numbers with thousand separators and
 * currency symbols, money as an exact decimal string, booleans, e-mail addresses, company
 * sizes. Every parser answers `undefined` for text it cannot read; callers turn that into a
 * row error naming the column.
 */

/** A header (or enum value) reduced to lowercase letters and digits: `Country/Region` → `countryregion`. */
export function normalizeHeader(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Lowercase words joined by dashes: `Moses Frase` → `moses-frase`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const currencySymbols: Record<string, string> = {
  $: 'USD',
  US$: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
  CHF: 'CHF',
};

export type ParsedMoney = {
  /** A plain decimal: digits, an optional `-` and an optional `.` with decimals (`1234.50`). */
  amount: string;
  /** ISO 4217, when the text carried a symbol or a code. */
  currency?: string;
};

/**
 * Reads an amount the way people and CRMs write it: `1,234.56`, `$1,234`, `1.234,56 €`,
 * `EUR 1 234,56`, `1'234.50`, `-42`. When the text holds both `,` and `.`, the last one is the
 * decimal separator. A lone separator followed by exactly three digits in groups (`1,234`,
 * `1.234.567`) is a thousands separator, except a single `.` (`1.234` is one point two three
 * four); any other lone `,` is a decimal comma (`12,5`).
 */
export function parseMoney(text: string): ParsedMoney | undefined {
  let value = text.trim().replace(/[\u00A0\u2009\u202F]/g, ' ');
  if (value === '') return undefined;
  let negative = false;
  if (/^\(.*\)$/.test(value)) {
    negative = true;
    value = value.slice(1, -1).trim();
  }
  if (value.startsWith('-')) {
    negative = !negative;
    value = value.slice(1).trim();
  }
  let currency: string | undefined;
  const prefix = /^(US\$|[$€£¥₹]|[A-Z]{3})\s*/.exec(value);
  if (prefix?.[1]) {
    currency = currencySymbols[prefix[1]] ?? prefix[1];
    value = value.slice(prefix[0].length);
  }
  const suffix = /\s*([$€£¥₹]|[A-Z]{3})$/.exec(value);
  if (suffix?.[1]) {
    const code = currencySymbols[suffix[1]] ?? suffix[1];
    if (currency !== undefined && currency !== code) return undefined;
    currency = code;
    value = value.slice(0, value.length - suffix[0].length);
  }
  if (value.startsWith('-') && !negative) {
    negative = true;
    value = value.slice(1);
  }
  value = value.replace(/[ ']/g, '');
  const digits = normalizeSeparators(value);
  if (digits === undefined) return undefined;
  const amount = negative && /[1-9]/.test(digits) ? `-${digits}` : digits;
  return currency === undefined ? { amount } : { amount, currency };
}

function normalizeSeparators(value: string): string | undefined {
  if (!/^[0-9.,]+$/.test(value) || !/[0-9]/.test(value)) return undefined;
  const lastComma = value.lastIndexOf(',');
  const lastDot = value.lastIndexOf('.');
  let integer: string;
  let fraction: string | undefined;
  if (lastComma >= 0 && lastDot >= 0) {
    const decimal = lastComma > lastDot ? ',' : '.';
    const thousands = decimal === ',' ? '.' : ',';
    const at = value.lastIndexOf(decimal);
    integer = value.slice(0, at);
    fraction = value.slice(at + 1);
    if (!isGrouped(integer, thousands) || !/^[0-9]+$/.test(fraction)) return undefined;
    integer = integer.split(thousands).join('');
  } else if (lastComma >= 0 || lastDot >= 0) {
    const separator = lastComma >= 0 ? ',' : '.';
    const parts = value.split(separator);
    if (parts.length > 2 || (separator === ',' && /^[0-9]{1,3}(,[0-9]{3})+$/.test(value))) {
      if (!isGrouped(value, separator)) return undefined;
      integer = parts.join('');
    } else {
      integer = parts[0] ?? '';
      fraction = parts[1];
      if (!/^[0-9]+$/.test(fraction ?? '')) return undefined;
    }
  } else {
    integer = value;
  }
  if (integer === '') integer = '0';
  if (!/^[0-9]+$/.test(integer)) return undefined;
  integer = integer.replace(/^0+(?=[0-9])/, '');
  return fraction === undefined ? integer : `${integer}.${fraction}`;
}

function isGrouped(integer: string, separator: string): boolean {
  if (!integer.includes(separator)) return /^[0-9]+$/.test(integer);
  const groups = integer.split(separator);
  return /^[0-9]{1,3}$/.test(groups[0] ?? '') && groups.slice(1).every((group) => /^[0-9]{3}$/.test(group));
}

/** A number written with separators or a currency (see `parseMoney`), as a JavaScript number. */
export function parseNumber(text: string): number | undefined {
  const money = parseMoney(text);
  if (money === undefined) return undefined;
  const value = Number(money.amount);
  return Number.isFinite(value) ? value : undefined;
}

export function parseInteger(text: string): number | undefined {
  const value = parseNumber(text);
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

const trueWords = new Set(['true', '1', 'yes', 'y', 't']);
const falseWords = new Set(['false', '0', 'no', 'n', 'f']);

/** true/false, 1/0, yes/no, y/n, t/f, in any case. */
export function parseBoolean(text: string): boolean | undefined {
  const value = text.trim().toLowerCase();
  if (trueWords.has(value)) return true;
  if (falseWords.has(value)) return false;
  return undefined;
}

const emailPattern = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]+$/;

/** A lowercased address, or undefined when the text is not one. */
export function parseEmail(text: string): string | undefined {
  const value = text
    .trim()
    .toLowerCase()
    .replace(/^mailto:/, '');
  return emailPattern.test(value) ? value : undefined;
}

/** The first e-mail address inside a text such as `Maria Johnson (maria@example.com)`. */
export function findEmail(text: string): string | undefined {
  for (const token of text.split(/[\s<>(),;"]+/)) {
    const email = parseEmail(token);
    if (email) return email;
  }
  return undefined;
}

export type ParsedEmployees = { employees: number; range?: string };

/**
 * A company size: a count (`1,200`), a range as CRMs offer it in pick-lists (`51-200`, `25 to 50`),
 * or an open range (`1000+`, `10,001+`). A range counts as its lower bound and is kept as text.
 */
export function parseEmployees(text: string): ParsedEmployees | undefined {
  const value = text.trim();
  const count = parseInteger(value);
  if (count !== undefined && count >= 0) return { employees: count };
  const range = /^([0-9][0-9,. ']*)\s*(?:-|–|to)\s*([0-9][0-9,. ']*)$/i.exec(value);
  if (range?.[1] && range[2]) {
    const low = parseInteger(range[1]);
    const high = parseInteger(range[2]);
    if (low !== undefined && high !== undefined && low <= high) return { employees: low, range: value };
    return undefined;
  }
  const open = /^([0-9][0-9,. ']*)\s*\+$/.exec(value);
  if (open?.[1]) {
    const low = parseInteger(open[1]);
    if (low !== undefined) return { employees: low, range: value };
  }
  return undefined;
}

/** A web domain from a URL or a bare domain: `https://www.Acme.com/about` → `acme.com`. */
export function parseDomain(text: string): string | undefined {
  const value = text
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:[0-9]+$/, '')
    .replace(/^www\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(value) ? value : undefined;
}

/**
 * A trait value from free text: a plain number becomes a number, `true`/`false` a boolean,
 * anything else stays text.
 */
export function inferTraitValue(text: string): string | number | boolean {
  const value = text.trim();
  if (/^-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?$/.test(value)) return Number(value);
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return value;
}
