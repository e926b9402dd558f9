import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testKey } from '../../cred/test-support/keys.js';
import { seededRandom } from '../../testing/index.js';
import { SSHConnection } from '../connection/connection.js';
import { SSHMalformedMessageError } from '../service-wire.js';
import { authWorld } from '../test-support/fixtures.js';
import { mutate } from '../test-support/mutate.js';
import { SSHUserAuthClient } from './client.js';
import { DEFAULT_USERAUTH_LIMITS } from './limits.js';
import * as m from './messages.js';

const key = testKey('ed25519');
const requests = [
  m.userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'none' }),
  m.userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'password', password: 'secret' }),
  m.userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'password', password: 'a', newPassword: 'b' }),
  m.userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'publickey', algorithm: 'ssh-ed25519', blob: key.publicKey.blob }),
  m.userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'publickey', algorithm: 'ssh-ed25519', blob: key.publicKey.blob, signature: new Uint8Array(83) }),
  m.userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'keyboard-interactive', language: '', submethods: '' }),
  m.userAuthInfoResponse(['secret']),
];
const answers = [
  m.userAuthFailure(['publickey', 'password']),
  m.userAuthSuccess(),
  m.userAuthBanner('hello'),
  m.userAuthPKOK('ssh-ed25519', key.publicKey.blob),
  m.userAuthInfoRequest({ name: 'n', instruction: 'i', language: '', prompts: [{ prompt: 'Password: ', echo: false }] }),
];

/** Every parser of the layer, for the payloads that start with its number. */
function parseAny(payload: Uint8Array): void {
  const limits = DEFAULT_USERAUTH_LIMITS;
  switch (payload[0]) {
    case m.MSG_USERAUTH_REQUEST:
      m.parseUserAuthRequest(payload, limits);
      return;
    case m.MSG_USERAUTH_FAILURE:
      m.parseUserAuthFailure(payload);
      return;
    case m.MSG_USERAUTH_BANNER:
      m.parseUserAuthBanner(payload, limits);
      return;
    case 60:
      try {
        m.parseUserAuthPKOK(payload, limits);
      } finally {
        m.parseUserAuthInfoRequest(payload, limits);
      }
      return;
    case m.MSG_USERAUTH_INFO_RESPONSE:
      m.parseUserAuthInfoResponse(payload, limits);
  }
}

describe('userauth parsers under fuzzing', () => {
  test('mutated messages either parse or throw SSHMalformedMessageError, nothing else', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const random = seededRandom(seed);
      const all = [...requests, ...answers];
      const payload = mutate(random, all[Math.floor(random() * all.length)]);
      try {
        parseAny(payload);
      } catch (e) {
        assert.ok(e instanceof SSHMalformedMessageError, `seed ${seed}: ${(e as Error).stack}`);
      }
    }
  });

  test('the valid messages round-trip', () => {
    const r = m.parseUserAuthRequest(requests[4], DEFAULT_USERAUTH_LIMITS);
    assert.equal(r.method, 'publickey');
    assert.deepEqual(m.parseUserAuthInfoRequest(answers[4], DEFAULT_USERAUTH_LIMITS).prompts, [{ prompt: 'Password: ', echo: false }]);
    assert.deepEqual(m.parseUserAuthInfoResponse(requests[6], DEFAULT_USERAUTH_LIMITS), ['secret']);
  });
});

describe('userauth services under fuzzing', () => {
  test('the server answers or disconnects, never throws, never logs in', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed);
      const world = authWorld({ passwords: { alice: 'right' }, keys: { alice: [key] } });
      for (let i = 0; i < 8 && world.server.disconnected === undefined; i++) {
        world.client.sendPacket(mutate(random, requests[Math.floor(random() * requests.length)]));
        world.clock.advance(1);
      }
      assert.equal(world.server.authenticated, false, `seed ${seed}`);
    }
  });

  test('the client fails or goes on, never throws', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed);
      const world = authWorld({ passwords: { alice: 'right' } });
      world.server.service = undefined;
      const client = new SSHUserAuthClient({ username: 'alice', instance: new SSHConnection(), password: 'x', keys: [] });
      client.authenticated.addErrback(() => undefined);
      world.client.setService(client);
      for (let i = 0; i < 6 && world.client.disconnected === undefined; i++) world.server.sendPacket(mutate(random, answers[Math.floor(random() * answers.length)]));
    }
  });
});
