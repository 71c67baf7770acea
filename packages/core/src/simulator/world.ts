import type { Traits } from '../ingest/records.ts';
import {
  companyStems,
  companySuffixes,
  competitors,
  countries,
  type Department,
  firstNames,
  freeMailDomains,
  industries,
  lastNames,
  type Seniority,
  studentTitles,
  titles,
} from './catalog.ts';
import { createRandom, type Random } from './random.ts';
import { fitTruth, type SizeTier } from './truth.ts';

/** A simulated company: the accounts contacts belong to. */
export type Company = {
  index: number;
  name: string;
  domain: string;
  employees: number;
  industry: string;
  country: string;
  tier: SizeTier;
  competitor: boolean;
};

/** Companies grouped by whether their size and industry are what the seller looks for. */
export type CompanyPool = {
  companies: readonly Company[];
  /** Index `(targetSize ? 2 : 0) + (targetIndustry ? 1 : 0)`. */
  buckets: readonly (readonly Company[])[];
  competitors: readonly Company[];
  /** Shifts the names of people and companies, so each seed has its own. */
  nameOffset: number;
};

const stream = { companies: 2 } as const;

/** About one company for every three and a half contacts, at least 20. */
export function createCompanyPool(seed: number, contacts: number): CompanyPool {
  const random = createRandom(seed, stream.companies);
  const count = Math.max(20, Math.round(contacts / 3.5));
  const combos = companyStems.length * companySuffixes.length;
  // A multiplier coprime with the number of combinations walks through every name once, shuffled.
  const step = 379;
  const offset = random.int(0, combos - 1);
  const companies: Company[] = [];
  for (let index = 0; index < count; index += 1) {
    const combo = (index * step + offset) % combos;
    const round = Math.floor(index / combos);
    const stem = companyStems[combo % companyStems.length] as string;
    const suffix = companySuffixes[Math.floor(combo / companyStems.length)] as string;
    const country = random.weighted(countries);
    const name = round === 0 ? `${stem} ${suffix}` : `${stem} ${suffix} ${round + 1}`;
    const tier = random.weighted<SizeTier>([
      ['small', 45],
      ['mid-market', 40],
      ['enterprise', 15],
    ]);
    companies.push({
      index,
      name,
      domain: `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}.${country.tld}`,
      employees: employeesFor(tier, random),
      industry: random.weighted(industries),
      country: country.code,
      tier,
      competitor: false,
    });
  }
  const buckets: Company[][] = [[], [], [], []];
  for (const company of companies) buckets[bucketOf(company)]?.push(company);
  return {
    companies,
    buckets,
    competitors: competitors.map((competitor, offset) => ({
      index: count + offset,
      name: competitor.name,
      domain: competitor.domain,
      employees: 80 + offset * 60,
      industry: 'Software',
      country: 'US',
      tier: 'mid-market',
      competitor: true,
    })),
    nameOffset: random.int(0, firstNames.length * lastNames.length - 1),
  };
}

function employeesFor(tier: SizeTier, random: Random): number {
  if (tier === 'small') return random.int(2, 49);
  if (tier === 'mid-market') return Math.min(999, Math.round(random.lognormal(180, 0.7)) + 50);
  return Math.min(250_000, 1000 + Math.round(random.lognormal(2500, 1.1)));
}

function bucketOf(company: Company): number {
  return (company.tier === 'small' ? 0 : 2) + ((fitTruth.industry[company.industry] ?? 0) >= 0.1 ? 1 : 0);
}

/** A simulated person, with the traits an identify call would carry. */
export type Person = {
  firstName: string;
  lastName: string;
  email: string;
  emailType: 'business' | 'free';
  title: string;
  seniority: Seniority;
  department: Department;
  buyingRole: string | undefined;
  company: Company | undefined;
  student: boolean;
  spam: boolean;
  /** True fit in [0, 1], by the truth's formula. */
  fit: number;
};

type PersonOptions = {
  index: number;
  /** Latent fit in [0, 1]: drives company, seniority and department. */
  latentFit: number;
  studentChance: number;
};

/** A person for contact `index`; names are unique per contact until the name space runs out. */
export function createPerson(random: Random, pool: CompanyPool, options: PersonOptions): Person {
  const { index, latentFit: f } = options;
  const nameCombos = firstNames.length * lastNames.length;
  const nameIndex = (index * 7919 + pool.nameOffset) % nameCombos;
  const round = Math.floor(index / nameCombos);
  const firstName = firstNames[nameIndex % firstNames.length] as string;
  const lastName = lastNames[Math.floor(nameIndex / firstNames.length)] as string;
  const local = `${firstName}.${lastName}${round > 0 ? round + 1 : ''}`.toLowerCase();

  if (random.chance(0.008)) {
    const domain = random.pick(['mailinator.com', 'example.org', 'test.com']);
    return {
      firstName: 'Test',
      lastName: 'Test',
      email: `test${index}@${domain}`,
      emailType: 'free',
      title: 'asdf',
      seniority: 'individual',
      department: 'marketing',
      buyingRole: undefined,
      company: undefined,
      student: false,
      spam: true,
      fit: 0,
    };
  }

  if (random.chance(options.studentChance)) {
    const free = random.chance(0.85);
    const company = free ? undefined : random.pick(pool.buckets[0] ?? pool.companies);
    return {
      firstName,
      lastName,
      email: free || !company ? `${local}@${random.pick(freeMailDomains)}` : `${local}@${company.domain}`,
      emailType: free || !company ? 'free' : 'business',
      title: random.pick(studentTitles),
      seniority: 'intern',
      department: random.pick(['marketing', 'sales'] as const),
      buyingRole: undefined,
      company,
      student: true,
      spam: false,
      fit: 0,
    };
  }

  const company = random.chance(0.012)
    ? random.pick(pool.competitors)
    : pickCompany(random, pool, random.chance(0.25 + 0.65 * f), random.chance(0.2 + 0.6 * f));
  const seniority = random.weighted<Exclude<Seniority, 'intern'>>([
    ['c-level', company.tier === 'small' ? 0.12 + 0.1 * f : 0.02 + 0.06 * f],
    ['vp', 0.04 + 0.12 * f],
    ['director', 0.08 + 0.22 * f],
    ['manager', 0.3],
    ['individual', 0.56 - 0.44 * f],
  ]);
  const department = random.weighted<Department>([
    ['marketing', 0.28 + 0.1 * f],
    ['sales', 0.2 + 0.08 * f],
    ['operations', 0.08 + 0.12 * f],
    ['engineering', 0.16 - 0.12 * f],
    ['finance', 0.1 - 0.06 * f],
    ['executive', seniority === 'c-level' ? 0.25 : 0.03],
  ]);
  const free = random.chance(Math.max(0.03, (company.tier === 'small' ? 0.3 : 0.2) - 0.17 * f));
  const buyingRole = random.chance(0.75) ? buyingRoleFor(seniority, random) : undefined;
  const person: Person = {
    firstName,
    lastName,
    email: `${local}@${free ? random.pick(freeMailDomains) : company.domain}`,
    emailType: free ? 'free' : 'business',
    title: random.pick(titles[department][seniority]),
    seniority,
    department,
    buyingRole,
    company,
    student: false,
    spam: false,
    fit: 0,
  };
  person.fit = trueFit(person);
  return person;
}

function pickCompany(
  random: Random,
  pool: CompanyPool,
  targetSize: boolean,
  targetIndustry: boolean,
): Company {
  const bucket = pool.buckets[(targetSize ? 2 : 0) + (targetIndustry ? 1 : 0)];
  return random.pick(bucket && bucket.length > 0 ? bucket : pool.companies);
}

function buyingRoleFor(seniority: Exclude<Seniority, 'intern'>, random: Random): string {
  const weights: Record<typeof seniority, readonly (readonly [string, number])[]> = {
    'c-level': [
      ['decision-maker', 6],
      ['budget-holder', 3],
      ['influencer', 1],
    ],
    vp: [
      ['decision-maker', 3.5],
      ['budget-holder', 4],
      ['influencer', 2.5],
    ],
    director: [
      ['decision-maker', 1.5],
      ['budget-holder', 2.5],
      ['influencer', 5],
      ['user', 1],
    ],
    manager: [
      ['decision-maker', 0.5],
      ['budget-holder', 0.5],
      ['influencer', 5],
      ['user', 4],
    ],
    individual: [
      ['influencer', 2],
      ['user', 8],
    ],
  };
  return random.weighted(weights[seniority]);
}

/** The truth's fit formula (see `fitTruth`). */
function trueFit(person: Person): number {
  if (person.student || person.spam || person.company?.competitor) return 0;
  let fit = fitTruth.base;
  if (person.company) {
    fit += fitTruth.size[person.company.tier];
    fit += fitTruth.industry[person.company.industry] ?? 0;
  }
  if ((fitTruth.seniorities as readonly string[]).includes(person.seniority)) fit += fitTruth.seniorTitle;
  if (
    person.buyingRole !== undefined &&
    (fitTruth.buyingRoles as readonly string[]).includes(person.buyingRole)
  )
    fit += fitTruth.decisionRole;
  if (person.emailType === 'free') fit += fitTruth.freeEmail;
  return Math.min(1, Math.max(0, fit));
}

/** The traits an identify call sends for a person. */
export function traitsOf(person: Person, leadSource: string): Traits {
  const traits: Traits = {
    email: person.email,
    firstName: person.firstName,
    lastName: person.lastName,
    name: `${person.firstName} ${person.lastName}`,
    title: person.title,
    seniority: person.seniority,
    department: person.department,
    emailType: person.emailType,
    leadSource,
  };
  if (person.buyingRole !== undefined) traits.buyingRole = person.buyingRole;
  const company = person.company;
  if (company) {
    traits.company = company.name;
    traits.employees = company.employees;
    traits.industry = company.industry;
    traits.country = company.country;
  }
  return traits;
}

/** The traits a group call sends for a company. */
export function companyTraits(company: Company): Traits {
  return {
    name: company.name,
    domain: company.domain,
    website: `https://www.${company.domain}`,
    employees: company.employees,
    industry: company.industry,
    country: company.country,
  };
}
