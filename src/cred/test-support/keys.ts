/**
 * Test keys for `torsion/cred`: one key pair of every supported SSH type, made with node:crypto (RSA at
 * 1024 bits to keep tests quick; real keys should be larger).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SSHPublicKey } from '../ssh-keys.js';

/** One test key: the private half, its SSH public key, and the signature algorithms to try. */
export interface TestKey {
  name: string;
  privateKey: KeyObject;
  publicKey: SSHPublicKey;
  algorithms: string[];
}

const cache = new Map<string, TestKey>();

function make(name: string, algorithms: string[], generate: () => { privateKey: KeyObject }): TestKey {
  let key = cache.get(name);
  if (key === undefined) {
    const { privateKey } = generate();
    key = { name, privateKey, publicKey: SSHPublicKey.fromKeyObject(privateKey), algorithms };
    cache.set(name, key);
  }
  return key;
}

/** Every supported key type, generated once per test process. */
export function testKeys(): TestKey[] {
  return [
    make('ed25519', ['ssh-ed25519'], () => generateKeyPairSync('ed25519')),
    make('nistp256', ['ecdsa-sha2-nistp256'], () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })),
    make('nistp384', ['ecdsa-sha2-nistp384'], () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' })),
    make('nistp521', ['ecdsa-sha2-nistp521'], () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' })),
    make('rsa', ['rsa-sha2-256', 'rsa-sha2-512'], () => generateKeyPairSync('rsa', { modulusLength: 1024 })),
  ];
}

/** The test key of one type. */
export function testKey(name: 'ed25519' | 'nistp256' | 'nistp384' | 'nistp521' | 'rsa'): TestKey {
  return testKeys().find((k) => k.name === name) as TestKey;
}
