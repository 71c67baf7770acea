import { type AccountRecord, domainOfWebsite } from '@smarketing/core';
import type { JsonObject } from '../../db/schema.ts';
import { createUuidV7 } from '../../ids.ts';
import type { AccountUpsert } from '../../repositories/contact-write.repository.ts';
import type { Repositories } from '../../repositories/index.ts';
import { checkOptionalText, checkTraits, type Rejection } from './fact-checks.ts';

/** How an account record is found: its CRM id, else its domain, else `name:<lowercased name>`. */
type AccountKey = Pick<AccountUpsert, 'key' | 'externalId' | 'domain' | 'name'>;

function keyOf(account: AccountRecord): AccountKey {
  const crmId = account.crmId?.trim() || null;
  const domain = account.domain?.trim() ? (domainOfWebsite(account.domain) ?? null) : null;
  const name = account.name?.trim() || null;
  if (crmId) return { key: `crm:${crmId}`, externalId: crmId, domain, name };
  if (domain) return { key: `domain:${domain}`, externalId: null, domain, name };
  const nameKey = `name:${(name ?? '').toLowerCase()}`;
  return { key: nameKey, externalId: nameKey, domain: null, name };
}

export function checkAccount(field: string, account: AccountRecord | undefined): Rejection | undefined {
  if (account === undefined) return undefined;
  if (account === null || typeof account !== 'object') {
    return { code: 'INVALID_FIELD', message: `${field} must be an object with crmId, domain or name.` };
  }
  for (const part of ['crmId', 'domain', 'name'] as const) {
    const invalid = checkOptionalText(`${field}.${part}`, account[part], 500);
    if (invalid) return invalid;
  }
  if (account.domain?.trim() && !domainOfWebsite(account.domain)) {
    return {
      code: 'INVALID_FIELD',
      message: `${field}.domain ${JSON.stringify(account.domain)} is not a web domain.`,
    };
  }
  if (!account.crmId?.trim() && !account.domain?.trim() && !account.name?.trim()) {
    return {
      code: 'INVALID_FIELD',
      message: `${field} needs a crmId, a domain or a name to be found again.`,
    };
  }
  return checkTraits(`${field}.traits`, account.traits);
}

/**
 * Finds or creates the accounts of checked account records, in one pass: answers an account id
 * per record (null where there is none). Traits of one account named several times merge in order.
 */
export async function resolveAccounts(
  repos: Pick<Repositories, 'contactWrites'>,
  workspaceId: string,
  accounts: (AccountRecord | undefined)[],
  now: Date,
): Promise<(string | null)[]> {
  const keys = accounts.map((account) => (account ? keyOf(account) : undefined));
  const inputs = new Map<string, AccountUpsert>();
  keys.forEach((key, index) => {
    if (!key) return;
    const traits = accounts[index]?.traits ?? {};
    const previous = inputs.get(key.key);
    if (!previous) {
      inputs.set(key.key, {
        ...key,
        domain: key.domain ?? null,
        name: key.name ?? null,
        traits: withoutNulls(traits),
        newId: createUuidV7(now),
      });
      return;
    }
    // The same account again (a chunk of an import names each many times): merged in place.
    previous.domain = key.domain ?? previous.domain;
    previous.name = key.name ?? previous.name;
    for (const [name, value] of Object.entries(traits)) {
      if (value !== null && value !== undefined) previous.traits[name] = value;
    }
  });
  const ids = await repos.contactWrites.upsertAccounts(workspaceId, [...inputs.values()], now.toISOString());
  return keys.map((key) => (key ? (ids.get(key.key) ?? null) : null));
}

/** Account traits keep what they know: a null from a source does not clear a company's trait. */
function withoutNulls(traits: Record<string, unknown>): JsonObject {
  return Object.fromEntries(
    Object.entries(traits).filter(([, value]) => value !== null && value !== undefined),
  );
}
