import type { Role } from './api/types.ts';

/**
 * The shell's navigation. A page reaches its users by adding one entry here (and its route in
 * app.tsx); `roles` says who sees the link.
 */
export type NavigationEntry = { to: string; label: string; roles: readonly Role[] };

const navigation: readonly NavigationEntry[] = [
  { to: '/', label: 'Home', roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'] },
  { to: '/queue', label: 'Queue', roles: ['admin', 'manager', 'sales'] },
  { to: '/reports', label: 'Reports', roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'] },
  { to: '/sla', label: 'SLA', roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'] },
  { to: '/insights', label: 'Insights', roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'] },
  { to: '/agreement', label: 'Agreement', roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'] },
  { to: '/personas', label: 'Personas', roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'] },
  {
    to: '/announcements',
    label: 'Announcements',
    roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'],
  },
  { to: '/brief', label: 'Brief', roles: ['admin', 'manager', 'marketing', 'sales', 'viewer'] },
];

export function navigationFor(role: Role): NavigationEntry[] {
  return navigation.filter((entry) => entry.roles.includes(role));
}

/** Where a user lands after signing in: a rep on their queue, a marketer on the funnel, everyone else on Home. */
export function landingPathFor(role: Role, repId: string | null): string {
  if (role === 'marketing') return '/reports/funnel';
  return role === 'sales' && repId !== null ? '/queue' : '/';
}
