import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KB at a time: one system call per 256 ids instead of one per id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/**
 * Time-ordered UUIDs (version 7): rows inserted together sit together in the primary-key index.
 * `now` is passed so ids follow the injected clock in tests.
 */
export function createUuidV7(now: Date = new Date()): string {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 16;
  // The 48-bit millisecond time, big-endian, in the pool's bytes (imports make ids by the
  // hundred thousand: numbers, not BigInts, and no copy of the bytes).
  const ms = now.getTime();
  const high = Math.floor(ms / 0x1_0000_0000);
  const low = ms >>> 0;
  pool[at] = (high >>> 8) & 0xff;
  pool[at + 1] = high & 0xff;
  pool[at + 2] = low >>> 24;
  pool[at + 3] = (low >>> 16) & 0xff;
  pool[at + 4] = (low >>> 8) & 0xff;
  pool[at + 5] = low & 0xff;
  pool[at + 6] = ((pool[at + 6] ?? 0) & 0x0f) | 0x70;
  pool[at + 8] = ((pool[at + 8] ?? 0) & 0x3f) | 0x80;
  const hex = pool.toString('hex', at, at + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
