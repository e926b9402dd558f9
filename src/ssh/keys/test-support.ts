/**
 * Keys for the tests of ssh/keys, generated once per process (RSA at 2048 bits: ssh-keygen's floor is
 * 1024, but OpenSSH warns below 2048).
 */
import { Key, type KeyKind } from './key.js';

/** The key kinds and sizes tests go through. */
export const KINDS: readonly { name: string; kind: KeyKind; bits?: number }[] = [
  { name: 'ed25519', kind: 'ed25519' },
  { name: 'ecdsa-256', kind: 'ecdsa', bits: 256 },
  { name: 'ecdsa-384', kind: 'ecdsa', bits: 384 },
  { name: 'ecdsa-521', kind: 'ecdsa', bits: 521 },
  { name: 'rsa-2048', kind: 'rsa', bits: 2048 },
];

const cache = new Map<string, Promise<Key>>();

/** The test key called `name` (one of {@link KINDS}). */
export function testKey(name: string): Promise<Key> {
  let key = cache.get(name);
  if (key === undefined) {
    const spec = KINDS.find((k) => k.name === name);
    if (spec === undefined) throw new RangeError(name);
    key = Key.generate(spec.kind, { bits: spec.bits, comment: `${name}@test` }).asPromise();
    cache.set(name, key);
  }
  return key;
}
