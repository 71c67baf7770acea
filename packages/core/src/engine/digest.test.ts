import { describe, expect, test } from 'vitest';
import { sha256Hex } from '../import/hash.ts';
import { digestHex } from './digest.ts';

describe('digestHex', () => {
  test('is SHA-256: the standard test vectors', () => {
    expect(digestHex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(digestHex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digestHex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  test('equals sha256Hex at every length around the one-block limit, and past it', () => {
    for (let length = 0; length <= 130; length++) {
      const text = Array.from({ length }, (_, index) =>
        String.fromCharCode(33 + ((index * 7 + length) % 94)),
      ).join('');
      expect(digestHex(text), `length ${length}`).toBe(sha256Hex(text));
    }
  });

  test('equals sha256Hex for the keys the engine derives ids from, and for non-ASCII text', () => {
    for (let serial = 1; serial <= 200; serial++) {
      const key = `45105266-ff21-e4c5-f64a-1d9176ad2d10:${serial}`;
      expect(digestHex(key)).toBe(sha256Hex(key));
    }
    for (const text of ['é', 'Zoë:1', '日本語のテキスト', '😀 emoji', `${'ü'.repeat(30)}`]) {
      expect(digestHex(text)).toBe(sha256Hex(text));
    }
  });
});
