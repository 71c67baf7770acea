import { describe, expect, test } from 'vitest';
import { hasPermission, isRole, type Permission, type Role, roles } from './roles.ts';

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
  ])('%s may %s: %s', (role, permission, expected) => {
    expect(hasPermission(role, permission)).toBe(expected);
  });

  test('gives admins every permission', () => {
    for (const permission of [
      'workspace:read',
      'agreement:apply',
      'api-key:manage',
      'webhook:manage',
    ] as const) {
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
