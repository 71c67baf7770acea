import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Server-side request forgery guard. Whoever may create a webhook chooses where the server sends
 * requests, so a webhook URL must be http(s), carry no credentials and, unless private addresses
 * are allowed (SMARKETING_WEBHOOK_ALLOW_PRIVATE), resolve only to public addresses: not loopback,
 * private, link-local (cloud metadata at 169.254.169.254), shared, multicast or reserved ranges.
 * The check runs when a webhook is created and again before every delivery, since DNS answers
 * change; a name re-pointed between that check and the connection (DNS rebinding within
 * milliseconds) is outside what it can see.
 */

/** Resolves a host name to every address it has, as `dns.lookup(name, { all: true })` does. */
export type LookupAddresses = (hostname: string) => Promise<{ address: string; family: number }[]>;

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const maxUrlLength = 2048;

// Two lists: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules.
const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blockedV4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible (deprecated)
  ['::ffff:0:0', 96], // IPv4-mapped: would reach any IPv4 address
  ['64:ff9b::', 96], // NAT64: likewise
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blockedV6.addSubnet(network, prefix, 'ipv6');
}

/** True for an address a webhook may not reach without the allow-private option. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? blockedV4.check(address, 'ipv4') : blockedV6.check(address, 'ipv6');
}

const systemLookup: LookupAddresses = (hostname) => lookup(hostname, { all: true, verbatim: true });

export async function checkWebhookUrl(
  raw: string,
  options: { allowPrivate: boolean; lookup?: LookupAddresses },
): Promise<UrlCheck> {
  if (raw.length > maxUrlLength) return { ok: false, reason: `is longer than ${maxUrlLength} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `uses ${url.protocol.replace(/:$/, '')}; only http and https are allowed` };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      reason: 'carries credentials; put a secret in the path or use the signature instead',
    };
  }
  if (options.allowPrivate) return { ok: true, url };

  // URL normalises numeric hosts (2130706433, 0x7f.1 → 127.0.0.1) and brackets IPv6 literals.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = (await (options.lookup ?? systemLookup)(host)).map((entry) => entry.address);
    } catch {
      return { ok: false, reason: `names a host (${host}) that does not resolve` };
    }
    if (addresses.length === 0) return { ok: false, reason: `names a host (${host}) that does not resolve` };
  }
  const refused = addresses.find(isPrivateAddress);
  if (refused !== undefined) {
    return {
      ok: false,
      reason: `points at a loopback, private or link-local address (${refused}); set SMARKETING_WEBHOOK_ALLOW_PRIVATE=true to allow it`,
    };
  }
  return { ok: true, url };
}

/** The URL for lists and logs: Slack-style URLs hold their secret in the path, so only the start shows. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const path = url.pathname.length > 12 ? `${url.pathname.slice(0, 12)}…` : url.pathname;
    return `${url.protocol}//${url.host}${path}${url.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
