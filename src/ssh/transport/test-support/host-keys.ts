/**
 * Host and user keys for SSH tests: node:crypto key pairs wrapped as `ISSHSigningKey`s.
 * @module
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SSHPublicKey, sshSign } from '../../../cred/ssh-keys.js';
import type { ISSHSigningKey } from '../../interfaces.js';

/** The kinds of test keys. */
export type TestKeyType = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'rsa';

/** An `ISSHSigningKey` over a node:crypto private key, and the private key itself (to write key files). */
export interface TestSigningKey extends ISSHSigningKey {
  readonly privateKey: KeyObject;
}

/** Wraps a node:crypto private key. */
export function signingKeyOf(privateKey: KeyObject): TestSigningKey {
  return { privateKey, publicKey: SSHPublicKey.fromKeyObject(privateKey), sign: (algorithm, data) => sshSign(privateKey, algorithm, data) };
}

const cache = new Map<TestKeyType, TestSigningKey>();

/** A key of `type`, made once per process (RSA keys are slow to make). */
export function testSigningKey(type: TestKeyType): TestSigningKey {
  let key = cache.get(type);
  if (key === undefined) {
    const pair =
      type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: { 'ecdsa-p256': 'prime256v1', 'ecdsa-p384': 'secp384r1', 'ecdsa-p521': 'secp521r1' }[type] });
    key = signingKeyOf(pair.privateKey);
    cache.set(type, key);
  }
  return key;
}
