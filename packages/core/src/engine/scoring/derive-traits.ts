import type { TraitValue } from '../../agreement/condition.ts';
import { isFreeMailDomain } from '../../ingest/email-domain.ts';
import type { Traits } from '../../ingest/records.ts';

/** How senior a job title is, from the top down; `intern` and `student` are not yet employed staff. */
export const seniorityLevels = [
  'c-level',
  'vp',
  'director',
  'manager',
  'individual',
  'intern',
  'student',
] as const;
export type SeniorityLevel = (typeof seniorityLevels)[number];

export const departmentNames = [
  'marketing',
  'sales',
  'revops',
  'engineering',
  'finance',
  'it',
  'hr',
  'operations',
  'executive',
  'other',
] as const;
export type DepartmentName = (typeof departmentNames)[number];

type Pattern = readonly [RegExp, SeniorityLevel];

/**
 * Tried in order on the normalised title (lowercase, punctuation as spaces); the first match
 * wins. Assistants to executives come first so "Executive Assistant to the CEO" is not a CEO;
 * ranks come before student and intern so "Intern Program Manager" is a manager.
 */
const seniorityPatterns: readonly Pattern[] = [
  [/\b(executive|personal|administrative) assistant\b|\bassistant to\b|\bea to\b/, 'individual'],
  [/\bchief of staff\b/, 'manager'],
  [/\b(svp|evp|avp|vp|vice president|vicepresident|general manager|gm)\b/, 'vp'],
  [
    /\bchief\b|\b(ceo|cfo|cto|cmo|coo|cro|cio|cso|cpo|cdo|chro|ciso|cco)\b|\b(co )?founder\b|\bcofounder\b|\bpresident\b|\bc level\b|^(co )?owner\b|\bbusiness owner\b|\b(managing|founding|general) partner\b|^partner$/,
    'c-level',
  ],
  [/\bdirector\b|\bdir\b|\bhead\b/, 'director'],
  [/\bmanager\b|\bmgr\b|\bsupervisor\b|\b(team|tech) lead(er)?\b/, 'manager'],
  [/\bstudent\b|\bundergrad(uate)?\b|\bphd candidate\b|\bmba candidate\b/, 'student'],
  [/\bintern(ship)?\b|\btrainee\b|\bapprentice\b|\bwerkstudent\b/, 'intern'],
];

type DepartmentPattern = readonly [RegExp, DepartmentName];

/**
 * Tried in order; the first match wins. RevOps before sales and marketing ("Sales Operations"
 * is RevOps), sales before engineering ("Sales Engineer" sits in sales), executive last so a
 * functional chief (CMO, CFO) lands in the function.
 */
const departmentPatterns: readonly DepartmentPattern[] = [
  [
    /\brev(enue)? ?op(eration)?s\b|\bsales op(eration)?s\b|\bsalesops\b|\b(gtm|go to market) op(eration)?s\b|\b(crm|salesforce) admin(istrator)?\b/,
    'revops',
  ],
  [
    /\bmarketing\b|\bmarketer\b|\bcmo\b|\bdemand gen(eration)?\b|\blead gen(eration)?\b|\bgrowth\b|\bbrand(ing)?\b|\bcontent\b|\bseo\b|\bsem\b|\bcommunications?\b|\bpr\b|\bpublic relations\b|\bsocial media\b|\bcampaigns?\b|\bevents?\b|\babm\b|\bcopywriter\b|\bcreative\b/,
    'marketing',
  ],
  [
    /\bsales\b|\bcro\b|\bchief revenue\b|\baccount (executive|manager|director)\b|\bsdr\b|\bbdr\b|\bbusiness development\b|\bselling\b|\bchannel\b|\bpartnerships?\b|\bcommercial\b/,
    'sales',
  ],
  [/\bhr\b|\bhuman resources\b|\bpeople\b|\btalent\b|\brecruit(er|ing|ment)?\b|\bchro\b|\bpayroll\b/, 'hr'],
  [
    /\bfinanc(e|ial)\b|\bcfo\b|\baccount(ing|ant)\b|\baccounts (payable|receivable)\b|\bcontroller\b|\btreasur(y|er)\b|\bfp a\b|\baudit(or)?\b|\btax\b/,
    'finance',
  ],
  [
    /\bit\b|\binformation technology\b|\bchief information\b|\bcio\b|\bciso\b|\b(information |cyber )?security\b|\binfosec\b|\bsys(tems)? ?admin(istrator)?\b|\bnetwork\b|\bhelp ?desk\b/,
    'it',
  ],
  [
    /\bengineer(ing)?\b|\bdeveloper\b|\bsoftware\b|\bcto\b|\btechnology\b|\bdevops\b|\barchitect\b|\bprogrammer\b|\bdata scientist\b|\bsre\b/,
    'engineering',
  ],
  [
    /\boperations\b|\bops\b|\bcoo\b|\bchief operating\b|\bsupply chain\b|\blogistics\b|\bprocurement\b|\bfacilities\b/,
    'operations',
  ],
  [
    /\bceo\b|\bchief executive\b|\b(co )?founder\b|\bcofounder\b|\bpresident\b|\bowner\b|\bmanaging director\b|\bgeneral manager\b|\bchief of staff\b|\bexecutive assistant\b|\bpartner\b/,
    'executive',
  ],
];

/** A job title as lowercase words: `Sr. Director, Demand Gen` → `sr director demand gen`. */
function normalizeTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The seniority a free-text job title states, or undefined for a blank one. "Head of …" counts
 * as director, "General Manager" as VP, "Chief of Staff" as manager; a title naming no rank is
 * `individual`.
 */
export function parseSeniority(title: string): SeniorityLevel | undefined {
  const text = normalizeTitle(title);
  if (text === '') return undefined;
  return seniorityPatterns.find(([pattern]) => pattern.test(text))?.[1] ?? 'individual';
}

/** The department a free-text job title names, `other` when it names none, undefined for a blank one. */
export function parseDepartment(title: string): DepartmentName | undefined {
  const text = normalizeTitle(title);
  if (text === '') return undefined;
  return departmentPatterns.find(([pattern]) => pattern.test(text))?.[1] ?? 'other';
}

/** `free` for free-mail and disposable domains, `business` otherwise, undefined for a malformed address. */
export function parseEmailType(email: string): 'free' | 'business' | undefined {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return undefined;
  const domain = trimmed.slice(at + 1).toLowerCase();
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain)) return undefined;
  return isFreeMailDomain(domain) ? 'free' : 'business';
}

/**
 * The traits scoring reads, completed from what is known: `seniority` and `department` from
 * `title`, `emailType` from `email` (the argument, else the `email` trait). A trait that is
 * already set (not absent, null or blank) is never replaced: explicit traits win. Undefined
 * entries are dropped; the input is not changed.
 */
export function deriveTraits(
  traits: Readonly<Record<string, TraitValue | null | undefined>>,
  email?: string,
): Traits {
  const derived: Traits = {};
  for (const [key, value] of Object.entries(traits)) {
    if (value !== undefined) derived[key] = value;
  }
  const isSet = (key: string) => {
    const value = derived[key];
    return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
  };
  const title = typeof traits.title === 'string' ? traits.title : undefined;
  if (title !== undefined) {
    const seniority = parseSeniority(title);
    if (seniority !== undefined && !isSet('seniority')) derived.seniority = seniority;
    const department = parseDepartment(title);
    if (department !== undefined && !isSet('department')) derived.department = department;
  }
  const address = email ?? (typeof traits.email === 'string' ? traits.email : undefined);
  if (address !== undefined && !isSet('emailType')) {
    const emailType = parseEmailType(address);
    if (emailType !== undefined) derived.emailType = emailType;
  }
  return derived;
}
