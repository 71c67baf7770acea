import type { Role } from '../api/types.ts';

/**
 * Who may change the shared objects, as the server's permissions say (core/access/roles.ts). The
 * dashboard only hides controls; the server refuses anyone else.
 */
export function canApplyAgreement(role: Role): boolean {
  return role === 'admin' || role === 'manager';
}

/** `backtest:run`: those who propose agreements. */
export function canRunBacktest(role: Role): boolean {
  return role === 'admin' || role === 'manager' || role === 'marketing';
}

/** `personas:write` and `announcements:write`: both teams; viewers only read. */
export function canEditShared(role: Role): boolean {
  return role === 'admin' || role === 'manager' || role === 'marketing' || role === 'sales';
}
