import type { Agreement } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUser, type UserRole } from '../users/create-user.ts';

export type DemoUser = {
  role: UserRole;
  email: string;
  name: string;
  repId: string | null;
  password: string;
};

/** Demo sign-ins live under a reserved domain, so they never collide with real people's addresses. */
const demoDomain = 'demo.example';

/**
 * Creates one dashboard user per way of using the product, so a newcomer on the demo company can
 * sign in at once: an admin, a manager (the first sales team's manager), a marketer (the marketing
 * team's manager), a rep per sales rep of the agreement (their queue), and a viewer. Each gets its
 * own generated password, returned once for the terminal and never stored or logged.
 */
export async function createDemoUsers(
  options: { workspaceId: string },
  deps: Pick<Deps, 'repos' | 'clock' | 'database'>,
): Promise<DemoUser[]> {
  const current = await deps.repos.agreementVersions.findLatest(options.workspaceId);
  if (!current)
    throw new AppError('NOT_FOUND', { message: 'The workspace has no agreement for demo users.' });
  const people = demoPeople(current.parsed as Agreement);
  const created: DemoUser[] = [];
  for (const person of people) {
    const user = await createUser(
      {
        workspaceId: options.workspaceId,
        email: person.email,
        name: person.name,
        role: person.role,
        repId: person.repId ?? undefined,
        createdBy: 'system (demo)',
      },
      deps,
    );
    if (user.generatedPassword === undefined) throw new Error('createUser returned no generated password');
    created.push({ ...person, password: user.generatedPassword });
  }
  return created;
}

type DemoPerson = Omit<DemoUser, 'password'>;

/** The demo's people, named after the agreement's managers and reps where it has them. */
function demoPeople(agreement: Agreement): DemoPerson[] {
  const salesTeams = agreement.teams.filter((team) => team.kind === 'sales');
  const marketingTeam = agreement.teams.find((team) => team.kind === 'marketing');
  const person = (role: UserRole, name: string, repId: string | null = null): DemoPerson => ({
    role,
    name,
    email: `${localPart(name)}@${demoDomain}`,
    repId,
  });
  const people: DemoPerson[] = [
    person('admin', 'Avery Quinn'),
    person('manager', salesTeams.find((team) => team.manager)?.manager?.name ?? 'Jordan Park'),
    person('marketing', marketingTeam?.manager?.name ?? 'Morgan Lee'),
    ...salesTeams.flatMap((team) => team.reps.map((rep) => person('sales', rep.name, rep.id))),
    person('viewer', 'Vivian Shaw'),
  ];
  // Two people with one name would share an address: number the later ones.
  const seen = new Map<string, number>();
  return people.map((entry) => {
    const count = (seen.get(entry.email) ?? 0) + 1;
    seen.set(entry.email, count);
    return count === 1 ? entry : { ...entry, email: entry.email.replace('@', `.${count}@`) };
  });
}

function localPart(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.length > 0 ? words.join('.') : 'user';
}

/** The terminal lines that hand the demo sign-ins to the person who started the server. */
export function formatDemoUsers(users: readonly DemoUser[]): string[] {
  if (users.length === 0) return [];
  const width = (pick: (user: DemoUser) => string) => Math.max(...users.map((user) => pick(user).length));
  const roleWidth = width((user) => user.role);
  const emailWidth = width((user) => user.email);
  return [
    '  Demo sign-ins for the dashboard (passwords shown this once; they are not in the log):',
    '',
    ...users.map(
      (user) =>
        `    ${user.role.padEnd(roleWidth)}  ${user.email.padEnd(emailWidth)}  ${user.password}${user.repId ? `  (rep ${user.repId})` : ''}`,
    ),
    '',
    '  The demo company is loading now; open the address below and sign in as any of them.',
    '',
  ];
}
