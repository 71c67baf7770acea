/**
 * Which contact an identity belongs to, remembered by the ingestion writer so a returning visitor
 * costs no lock and no lookup. Each transaction learns through its own `transaction()`: what it
 * stages becomes visible to others only when it commits, and vanishes if it fails, so the cache
 * never names a contact the database does not have (several transactions may run at once).
 * A hit is not trusted blindly: `resolveContacts` checks, under the workspace's ingest lock, that
 * the cached contacts still exist unmerged, so an erasure or a merge (by this process or another)
 * is seen by the next transaction. Entries also expire after `ttlMs`.
 */
export type IdentityCacheTransaction = {
  get(key: string, now: number): string | undefined;
  stage(key: string, contactId: string): void;
  commit(now: number): void;
  discard(): void;
};

export type IdentityCache = {
  get(key: string, now: number): string | undefined;
  transaction(): IdentityCacheTransaction;
};

export function createIdentityCache(options: { maxEntries?: number; ttlMs?: number } = {}): IdentityCache {
  const maxEntries = options.maxEntries ?? 200_000;
  const ttlMs = options.ttlMs ?? 60_000;
  const entries = new Map<string, { contactId: string; expiresAt: number }>();

  const get = (key: string, now: number) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry.contactId;
  };

  return {
    get,
    transaction() {
      let staged = new Map<string, string>();
      return {
        get: (key, now) => staged.get(key) ?? get(key, now),
        stage(key, contactId) {
          staged.set(key, contactId);
        },
        commit(now) {
          for (const [key, contactId] of staged) {
            entries.delete(key);
            entries.set(key, { contactId, expiresAt: now + ttlMs });
          }
          staged = new Map();
          // Oldest first: a Map iterates in insertion order.
          for (const key of entries.keys()) {
            if (entries.size <= maxEntries) break;
            entries.delete(key);
          }
        },
        discard() {
          staged = new Map();
        },
      };
    },
  };
}
