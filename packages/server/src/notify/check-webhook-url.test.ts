import { describe, expect, test } from 'vitest';
import { checkWebhookUrl, isPrivateAddress, type LookupAddresses, redactUrl } from './check-webhook-url.ts';

/** A resolver answering from a table, so no test depends on real DNS. */
const resolver =
  (table: Record<string, string[]>): LookupAddresses =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const lookup = resolver({
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'intranet.example.com': ['10.1.2.3'],
  'rebind.example.com': ['93.184.215.14', '127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'v6-local.example.com': ['fd12:3456::1'],
});

describe('checkWebhookUrl', () => {
  test.each([
    ['https://hooks.example.com/smarketing'],
    ['http://hooks.example.com:8080/in?token=abc'],
    ['https://93.184.215.14/hook'],
    ['https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook'],
  ])('accepts %s', async (url) => {
    expect(await checkWebhookUrl(url, { allowPrivate: false, lookup })).toMatchObject({ ok: true });
  });

  test.each([
    ['ftp://hooks.example.com/x', 'only http and https'],
    ['file:///etc/passwd', 'only http and https'],
    ['javascript:alert(1)', 'only http and https'],
    ['hooks.example.com/x', 'not an absolute URL'],
    ['https://user:pass@hooks.example.com/x', 'credentials'],
    ['https://user@hooks.example.com/x', 'credentials'],
    ['http://127.0.0.1:8080/x', 'private'],
    ['http://2130706433/x', 'private'],
    ['http://0x7f.1/x', 'private'],
    ['http://0.0.0.0/x', 'private'],
    ['http://10.0.0.8/x', 'private'],
    ['http://172.20.1.1/x', 'private'],
    ['http://192.168.1.10/x', 'private'],
    ['http://100.64.0.1/x', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'private'],
    ['http://[::1]/x', 'private'],
    ['http://[::]/x', 'private'],
    ['http://[fe80::1]/x', 'private'],
    ['http://[fd00::1]/x', 'private'],
    ['http://[::ffff:127.0.0.1]/x', 'private'],
    ['http://[::ffff:a00:1]/x', 'private'],
    ['http://224.0.0.1/x', 'private'],
    ['https://intranet.example.com/x', 'address (10.1.2.3)'],
    ['https://metadata.example.com/x', 'private'],
    ['https://v6-local.example.com/x', 'private'],
    ['https://rebind.example.com/x', 'address (127.0.0.1)'],
    ['https://nowhere.example.com/x', 'does not resolve'],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, 'longer than 2048'],
  ])('refuses %s', async (url, reason) => {
    const checked = await checkWebhookUrl(url, { allowPrivate: false, lookup });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toContain(reason);
  });

  test('lets private addresses through with allowPrivate, but never other schemes or credentials', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://[::1]/x', 'https://intranet.example.com/x']) {
      expect((await checkWebhookUrl(url, { allowPrivate: true, lookup })).ok).toBe(true);
    }
    expect((await checkWebhookUrl('ftp://127.0.0.1/x', { allowPrivate: true, lookup })).ok).toBe(false);
    expect((await checkWebhookUrl('http://a:b@127.0.0.1/x', { allowPrivate: true, lookup })).ok).toBe(false);
  });

  test('resolves names with the system resolver by default (localhost is loopback)', async () => {
    const checked = await checkWebhookUrl('http://localhost:9/x', { allowPrivate: false });
    expect(checked.ok).toBe(false);
  });
});

describe('isPrivateAddress', () => {
  test.each([
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2001:4860:4860::8888', false],
    ['172.31.255.255', true],
    ['255.255.255.255', true],
    ['not an address', true],
  ])('%s: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('redactUrl', () => {
  test('keeps the host and the start of the path', () => {
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX')).toBe(
      'https://hooks.slack.com/services/T0…',
    );
    expect(redactUrl('http://127.0.0.1:8080/in?token=abc')).toBe('http://127.0.0.1:8080/in?…');
  });
});
