import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Deferred } from '../../defer/index.js';
import { testKey, testKeys } from '../../cred/test-support/keys.js';
import { ISSHPrivateKey, sshSign, type ICredentials, type ICredentialsChecker } from '../../cred/index.js';
import type { TestKey } from '../../cred/test-support/keys.js';
import { PayloadWriter } from '../service-wire.js';
import { failureResultOf, successResultOf, assertNoResult } from '../../testing/index.js';
import { SSHConnection } from '../connection/connection.js';
import { DISCONNECT } from '../service-wire.js';
import { authWorld, signingKey } from '../test-support/fixtures.js';
import { SSHUserAuthClient } from './client.js';
import { AuthenticationFailedError } from './errors.js';
import { MSG_USERAUTH_BANNER, MSG_USERAUTH_FAILURE, MSG_USERAUTH_PK_OK, MSG_USERAUTH_SUCCESS, parseUserAuthFailure, publicKeySignedData, userAuthRequest } from './messages.js';

function startClient(world: ReturnType<typeof authWorld>, options: Partial<ConstructorParameters<typeof SSHUserAuthClient>[0]> = {}) {
  const connection = new SSHConnection({ clock: world.clock });
  const client = new SSHUserAuthClient({ username: 'alice', instance: connection, ...options });
  world.client.setService(client);
  return { client, connection };
}

const numbers = (sent: Uint8Array[]) => sent.map((p) => p[0]);

function request(username: string, method: string, service = 'ssh-connection'): Uint8Array {
  return new PayloadWriter(50).string(username).string(service).string(method).bytes();
}

function signedRequest(world: ReturnType<typeof authWorld>, key: TestKey, algorithm: string, options: { sessionId?: Uint8Array; signWith?: KeyObject } = {}): Uint8Array {
  const blob = key.publicKey.blob;
  const data = publicKeySignedData(options.sessionId ?? world.client.sessionId, 'alice', 'ssh-connection', algorithm, blob);
  const signature = sshSign(options.signWith ?? key.privateKey, algorithm, data);
  return userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'publickey', algorithm, blob, signature });
}

describe('SSHUserAuthServer with SSHUserAuthClient', () => {
  test('password accepted: the connection service starts on both sides, delayed compression is told', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    const { client, connection } = startClient(world, { password: 'secret' });
    successResultOf(client.authenticated);
    assert.equal(world.server.authenticated, true);
    assert.ok(world.server.service instanceof SSHConnection);
    assert.equal(world.client.service, connection);
    assert.equal(world.loggedIn[0].username, 'alice');
    assert.ok(numbers(world.server.sent).includes(MSG_USERAUTH_SUCCESS));
  });

  test('password refused: each failure waits failureDelay, then the client reports both password methods failed', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    const { client } = startClient(world, { password: 'wrong' });
    assertNoResult(client.authenticated);
    world.clock.advance(0.99);
    assertNoResult(client.authenticated);
    world.clock.advance(0.01);
    world.clock.advance(1);
    const f = failureResultOf(client.authenticated, AuthenticationFailedError);
    assert.deepEqual((f.value as AuthenticationFailedError).failedMethods, ['password', 'keyboard-interactive']);
    assert.equal(world.server.authenticated, false);
    assert.equal(world.loggedIn.length, 0);
  });

  for (const key of testKeys()) {
    test(`publickey ${key.name}: queried first (PK_OK), then signed, accepted`, () => {
      const world = authWorld({ keys: { alice: [key] } });
      const { client } = startClient(world, { keys: [signingKey(key)] });
      successResultOf(client.authenticated);
      assert.deepEqual(numbers(world.server.sent), [MSG_USERAUTH_FAILURE, MSG_USERAUTH_PK_OK, MSG_USERAUTH_SUCCESS]);
      assert.equal(world.loggedIn.length, 1);
    });
  }

  test('publickey of a key not authorized is refused; the client moves on to the password', () => {
    const world = authWorld({ keys: { alice: [testKey('ed25519')] }, passwords: { alice: 'pw' } });
    const { client } = startClient(world, { keys: [signingKey(testKey('nistp256'))], password: 'pw' });
    world.clock.advance(1);
    successResultOf(client.authenticated);
    assert.deepEqual(client.failedMethods, ['publickey']);
  });

  test('an RSA key signs with rsa-sha2-512, or rsa-sha2-256 when the server lists only that', () => {
    for (const [offered, expected] of [
      [undefined, 'rsa-sha2-512'],
      [['rsa-sha2-256'], 'rsa-sha2-256'],
    ] as const) {
      const world = authWorld({ keys: { alice: [testKey('rsa')] } });
      world.client.serverSigAlgs = offered;
      const { client } = startClient(world, { keys: [signingKey(testKey('rsa'))] });
      successResultOf(client.authenticated);
      const pkOk = world.server.sent.find((p) => p[0] === MSG_USERAUTH_PK_OK)!;
      assert.ok(Buffer.from(pkOk).includes(Buffer.from(expected)));
    }
  });

  test('ssh-rsa (SHA-1) signatures are refused by default, even when valid', () => {
    const raw = authWorld({ keys: { alice: [testKey('rsa')] }, allowSHA1Checker: true });
    const sha1 = signedRequest(raw, testKey('rsa'), 'ssh-rsa');
    raw.client.sendPacket(sha1);
    raw.clock.advance(1);
    assert.equal(raw.server.authenticated, false);
    assert.equal(raw.server.sent.at(-1)![0], MSG_USERAUTH_FAILURE);
    const allowed = authWorld({ keys: { alice: [testKey('rsa')] }, allowSHA1Checker: true, allowSHA1: true });
    allowed.client.sendPacket(signedRequest(allowed, testKey('rsa'), 'ssh-rsa'));
    assert.equal(allowed.server.authenticated, true);
  });

  test('keyboard-interactive is answered with the password when it is the only method', () => {
    const world = authWorld({ passwords: { alice: 'secret' }, methods: ['keyboard-interactive'] });
    const { client } = startClient(world, { password: 'secret' });
    successResultOf(client.authenticated);
    assert.equal(world.server.authenticated, true);
  });

  test('keyboard-interactive with a wrong password is refused after the delay', () => {
    const world = authWorld({ passwords: { alice: 'secret' }, methods: ['keyboard-interactive'] });
    const { client } = startClient(world, { password: 'nope' });
    world.clock.advance(1);
    const f = failureResultOf(client.authenticated, AuthenticationFailedError);
    assert.deepEqual((f.value as AuthenticationFailedError).failedMethods, ['keyboard-interactive']);
  });

  test('the banner comes before the first answer, once', () => {
    const banners: string[] = [];
    const world = authWorld({ passwords: { alice: 'secret' }, banner: 'Authorised use only\r\n' });
    const { client } = startClient(world, { password: 'secret', onBanner: (b) => banners.push(b) });
    successResultOf(client.authenticated);
    assert.deepEqual(banners, ['Authorised use only\r\n']);
    assert.equal(world.server.sent[0][0], MSG_USERAUTH_BANNER);
    assert.equal(numbers(world.server.sent).filter((n) => n === MSG_USERAUTH_BANNER).length, 1);
  });

  test('none lists the methods and is not counted as a failure', () => {
    const world = authWorld({ passwords: { alice: 'x' }, keys: { alice: [testKey('ed25519')] } });
    for (let i = 0; i < 10; i++) world.client.sendPacket(request('alice', 'none'));
    assert.equal(world.server.disconnected, undefined);
    assert.equal(world.auth.attempts, 0);
    assert.deepEqual(parseUserAuthFailure(world.server.sent[0]).methods, ['publickey', 'password', 'keyboard-interactive']);
  });

  test('the connection service stops and logs the avatar out when the transport goes', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    startClient(world, { password: 'secret' });
    world.server.sendDisconnect(DISCONNECT.BY_APPLICATION, 'bye');
    assert.equal(world.logouts, 1);
  });
});


describe('SSHUserAuthServer refuses every bypass', () => {
  test('a publickey query never logs in, even through a checker that says yes to anything', () => {
    const yesToAll: ICredentialsChecker = { credentialInterfaces: [ISSHPrivateKey], requestAvatarId: (c: ICredentials) => Deferred.succeed((c as unknown as { username: string }).username) };
    const world = authWorld({ checkers: [yesToAll] });
    const key = testKey('ed25519');
    world.client.sendPacket(userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'publickey', algorithm: 'ssh-ed25519', blob: key.publicKey.blob }));
    assert.equal(world.server.sent.at(-1)![0], MSG_USERAUTH_PK_OK);
    assert.equal(world.server.authenticated, false);
    assert.equal(world.server.service, world.auth);
    assert.equal(world.loggedIn.length, 0);
  });

  test('a signature by another key, or over another session id, is refused (even by a yes-to-anything checker)', () => {
    const yesToAll: ICredentialsChecker = { credentialInterfaces: [ISSHPrivateKey], requestAvatarId: (c: ICredentials) => Deferred.succeed((c as unknown as { username: string }).username) };
    for (const variant of [{ signWith: generateKeyPairSync('ed25519').privateKey }, { sessionId: new Uint8Array(32).fill(9) }]) {
      for (const checkers of [[yesToAll], undefined]) {
        const world = authWorld(checkers ? { checkers } : { keys: { alice: [testKey('ed25519')] } });
        world.client.sendPacket(signedRequest(world, testKey('ed25519'), 'ssh-ed25519', variant));
        world.clock.advance(1);
        assert.equal(world.server.authenticated, false);
        assert.equal(world.server.sent.at(-1)![0], MSG_USERAUTH_FAILURE);
      }
    }
  });

  test('a valid signature for a key that is not authorized is refused', () => {
    const world = authWorld({ keys: { alice: [testKey('ed25519')] } });
    world.client.sendPacket(signedRequest(world, testKey('nistp384'), 'ecdsa-sha2-nistp384'));
    world.clock.advance(1);
    assert.equal(world.server.authenticated, false);
  });

  test('a changed user name mid-authentication disconnects, and the second user is never checked', () => {
    const world = authWorld({ passwords: { alice: 'a', bob: 'b' } });
    world.client.sendPacket(request('alice', 'none'));
    world.client.sendPacket(userAuthRequest({ username: 'bob', service: 'ssh-connection', method: 'password', password: 'b' }));
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
    assert.equal(world.server.authenticated, false);
  });

  test('a changed service mid-authentication disconnects; an unknown service is refused from the start', () => {
    const world = authWorld({ passwords: { alice: 'a' } });
    world.client.sendPacket(request('alice', 'none'));
    world.client.sendPacket(request('alice', 'none', 'ssh-other'));
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
    const other = authWorld({ passwords: { alice: 'a' } });
    other.client.sendPacket(userAuthRequest({ username: 'alice', service: 'ssh-other', method: 'password', password: 'a' }));
    assert.equal(other.server.disconnected?.reasonCode, DISCONNECT.SERVICE_NOT_AVAILABLE);
    assert.equal(other.server.authenticated, false);
  });

  test('maxAuthTries failures disconnect; a right password after that is never read', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    for (let i = 0; i < 5; i++) {
      world.client.sendPacket(userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'password', password: `guess${i}` }));
      world.clock.advance(1);
      assert.equal(world.server.disconnected, undefined);
    }
    world.client.sendPacket(userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'password', password: 'guess5' }));
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE);
    world.client.sendPacket(userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'password', password: 'secret' }));
    assert.equal(world.server.authenticated, false);
  });

  test('requests arriving during the failure delay wait their turn; the delay is the same for an unknown user', () => {
    for (const username of ['alice', 'nobody']) {
      const world = authWorld({ passwords: { alice: 'secret' } });
      world.client.sendPacket(request(username, 'none'));
      world.client.sendPacket(userAuthRequest({ username, service: 'ssh-connection', method: 'password', password: 'wrong' }));
      world.client.sendPacket(userAuthRequest({ username, service: 'ssh-connection', method: 'password', password: 'wrong' }));
      assert.equal(world.server.sent.length, 1, username);
      world.clock.advance(1);
      assert.equal(world.server.sent.length, 2, username);
      world.clock.advance(1);
      assert.equal(world.server.sent.length, 3, username);
    }
  });

  test('too many requests queued at once disconnect', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    for (let i = 0; i < 10; i++) world.client.sendPacket(userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'password', password: 'x' }));
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
  });

  test('the login grace time drops an unauthenticated connection, and only that', () => {
    const idle = authWorld({ passwords: { alice: 'secret' } });
    idle.clock.advance(119);
    assert.equal(idle.server.disconnected?.reasonCode, undefined);
    idle.clock.advance(1);
    assert.equal(idle.server.disconnected?.reasonCode, DISCONNECT.BY_APPLICATION);
    const world = authWorld({ passwords: { alice: 'secret' } });
    startClient(world, { password: 'secret' });
    world.clock.advance(600);
    assert.equal(world.server.disconnected, undefined);
  });

  test('an INFO_RESPONSE with no keyboard-interactive request disconnects', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    world.client.sendPacket(new PayloadWriter(61).uint32(1).string('secret').bytes());
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
    assert.equal(world.server.authenticated, false);
  });

  test('a connection-layer message before authentication disconnects', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    world.client.sendPacket(new PayloadWriter(90).string('session').uint32(0).uint32(1000).uint32(1000).bytes());
    assert.equal(world.server.disconnected?.reasonCode, DISCONNECT.PROTOCOL_ERROR);
  });

  test('a password change request is refused', () => {
    const world = authWorld({ passwords: { alice: 'secret' } });
    world.client.sendPacket(userAuthRequest({ username: 'alice', service: 'ssh-connection', method: 'password', password: 'secret', newPassword: 'new' }));
    world.clock.advance(1);
    assert.equal(world.server.authenticated, false);
    assert.equal(world.server.sent.at(-1)![0], MSG_USERAUTH_FAILURE);
  });
});
