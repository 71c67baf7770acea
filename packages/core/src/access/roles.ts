/**
 * Who may do what. A role belongs to an API key or a user; a permission names one kind of act.
 * The server checks a permission on every non-public route.
 */
export const roles = ['admin', 'manager', 'marketing', 'sales', 'viewer', 'ingest'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'workspace:read',
  'agreement:read',
  'agreement:apply',
  'api-key:manage',
  'events:ingest',
  'facts:write',
  'contacts:read',
  'metrics:read',
  'webhook:manage',
  'audit:read',
  'user:manage',
  'queue:read-any',
  'reports:read',
  'reports:close',
  'insights:read',
  'backtest:run',
  'personas:write',
  'announcements:write',
  'workspace:export',
  'contacts:erase',
  'leads:reassign',
] as const;
export type Permission = (typeof permissions)[number];

const readers: readonly Role[] = ['admin', 'manager', 'marketing', 'sales', 'viewer'];

const grants: Record<Permission, readonly Role[]> = {
  'workspace:read': readers,
  'agreement:read': readers,
  // The agreement binds both teams: applying a version is for RevOps (admin) and managers.
  'agreement:apply': ['admin', 'manager'],
  'api-key:manage': ['admin'],
  // A write-only ingest key can send events and nothing else.
  'events:ingest': ['admin', 'ingest'],
  // Touches, deals, feedback and contact upserts: both teams write facts (an ingest key stays events-only).
  'facts:write': ['admin', 'manager', 'marketing', 'sales'],
  'contacts:read': readers,
  // Operational counters (Prometheus): admins, and managers who watch the system.
  'metrics:read': ['admin', 'manager'],
  // Where hot-lead and SLA alerts go (webhooks, Slack): RevOps (admin) and sales managers.
  'webhook:manage': ['admin', 'manager'],
  // Who changed what (agreement versions, keys, manual moves, webhooks, users, erasures): admins.
  'audit:read': ['admin'],
  // Dashboard users (people who sign in): admins.
  'user:manage': ['admin'],
  // Any rep's queue; a sales user reads their own.
  'queue:read-any': ['admin', 'manager'],
  // Both teams look at the same numbers: every person who signs in reads the reports.
  'reports:read': readers,
  // Closing an SLA period stores a settlement that never changes: admins and managers.
  'reports:close': ['admin', 'manager'],
  // Close rates per activity and the learned score: everyone who reads the reports.
  'insights:read': readers,
  // A backtest replays history under a candidate agreement (read-only, but costly): those who
  // propose agreements.
  'backtest:run': ['admin', 'manager', 'marketing'],
  // Personas and announcements are shared objects both teams edit; viewers only read.
  'personas:write': ['admin', 'manager', 'marketing', 'sales'],
  'announcements:write': ['admin', 'manager', 'marketing', 'sales'],
  // A full export of a workspace's facts, and erasing a person on request (GDPR): admins.
  'workspace:export': ['admin'],
  'contacts:erase': ['admin'],
  // Giving a lead to another rep by hand (a rep away, a better fit): sales managers and admins.
  'leads:reassign': ['admin', 'manager'],
};

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return grants[permission].includes(role);
}

/** The roles that hold a permission, for error messages ("requires one of admin, manager"). */
export function rolesWith(permission: Permission): readonly Role[] {
  return grants[permission];
}
