import { describe, expect, test } from 'vitest';
import { hasPermission, isRole, type Permission, permissions, type Role, roles } from './roles.ts';

describe('hasPermission', () => {
  test.each<[Role, Permission, boolean]>([
    ['admin', 'agreement:apply', true],
    ['manager', 'agreement:apply', true],
    ['marketing', 'agreement:apply', false],
    ['sales', 'agreement:read', true],
    ['viewer', 'agreement:read', true],
    ['viewer', 'api-key:manage', false],
    ['ingest', 'events:ingest', true],
    ['ingest', 'agreement:read', false],
    ['ingest', 'workspace:read', false],
    ['marketing', 'events:ingest', false],
    ['manager', 'webhook:manage', true],
    ['marketing', 'webhook:manage', false],
    ['sales', 'webhook:manage', false],
    ['viewer', 'webhook:manage', false],
    ['ingest', 'webhook:manage', false],
    ['admin', 'audit:read', true],
    ['manager', 'audit:read', false],
    ['viewer', 'audit:read', false],
    ['manager', 'user:manage', false],
    ['marketing', 'reports:read', true],
    ['viewer', 'reports:read', true],
    ['ingest', 'reports:read', false],
    ['marketing', 'reports:close', false],
    ['viewer', 'personas:write', false],
    ['sales', 'announcements:write', true],
    ['sales', 'backtest:run', false],
    ['manager', 'contacts:erase', false],
    ['manager', 'workspace:export', false],
    ['manager', 'queue:read-any', true],
    ['sales', 'queue:read-any', false],
  ])('%s may %s: %s', (role, permission, expected) => {
    expect(hasPermission(role, permission)).toBe(expected);
  });

  test('gives admins every permission', () => {
    for (const permission of permissions) {
      expect(hasPermission('admin', permission)).toBe(true);
    }
  });
});

describe('isRole', () => {
  test('accepts the known roles and nothing else', () => {
    expect(roles.every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole('Admin')).toBe(false);
  });
});
