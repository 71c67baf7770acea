import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures. Each JSON delivery carries
 *
 *   Smarketing-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>
 *   Smarketing-Event: <notification kind>
 *   Smarketing-Delivery: <delivery id, the same on every retry: de-duplicate on it>
 *
 * A receiver recomputes the HMAC over the raw body it received and refuses old timestamps, so a
 * captured request cannot be replayed later. `verifySignature` does both.
 */
export const signatureHeader = 'Smarketing-Signature';
export const eventHeader = 'Smarketing-Event';
export const deliveryHeader = 'Smarketing-Delivery';

/** How far a signature's timestamp may be from the receiver's clock (either way), by default. */
const defaultToleranceSeconds = 300;

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The `Smarketing-Signature` value for `body` sent at `now`. */
export function signPayload(options: { secret: string; body: string; now: Date }): string {
  const timestamp = Math.floor(options.now.getTime() / 1000);
  return `t=${timestamp},v1=${hmacHex(options.secret, timestamp, options.body)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'MALFORMED' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'SIGNATURE_MISMATCH' };

/**
 * Checks a `Smarketing-Signature` header against the raw body as received. Several `v1=` values
 * are accepted (any may match), so a sender can sign with an old and a new secret while rotating.
 */
export function verifySignature(options: {
  header: string | null | undefined;
  body: string;
  secret: string;
  now: Date;
  toleranceSeconds?: number;
}): SignatureCheck {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of (options.header ?? '').split(',')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'MALFORMED' };

  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
  if (Math.abs(options.now.getTime() / 1000 - timestamp) > tolerance) {
    return { ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' };
  }
  const expected = Buffer.from(hmacHex(options.secret, timestamp, options.body), 'hex');
  const matches = signatures.some((signature) => timingSafeEqual(expected, Buffer.from(signature, 'hex')));
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'SIGNATURE_MISMATCH' };
}
