/**
 * SCRAM logins with words accounts: keys made beside the scrypt hash when the password is set, added at the
 * first password login of an older account, checked under the words login throttle, and an unknown name
 * answered like a known one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf } from '../../testing/index.js';
import { XMPPAuthError } from '../../xmpp/errors.js';
import { ScramMechanism } from '../../xmpp/sasl.js';
import { ScramServerExchange } from '../../xmpp/scram-server.js';
import { AuthenticationError, TooManyAttemptsError } from '../errors.js';
import { hashPassword } from '../passwords.js';
import type { WordsScramLogin } from '../scram.js';
import type { WordsService } from '../service.js';
import { XMPPHarness } from './test-support/harness.js';

const FAST = { N: 1024, r: 8, p: 1 };
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** Plays a SCRAM client against a login the service began: the proof and what it covers. */
function proofFor(login: WordsScramLogin, hash: 'sha1' | 'sha256', user: string, password: string): { authMessage: string; proof: Uint8Array } {
  const client = new ScramMechanism(hash, user, password);
  const exchange = new ScramServerExchange();
  exchange.parseClientFirst(text(client.initialResponse()));
  const final = client.challenge(Buffer.from(exchange.serverFirst(login.salt, login.iterations)));
  return exchange.parseClientFinal(text(final));
}

async function scramTry(service: WordsService, user: string, password: string, hash: 'sha1' | 'sha256' = 'sha256', host = '192.0.2.7'): Promise<unknown> {
  const login = await service.scramLogin(user, hash, { host });
  const { authMessage, proof } = proofFor(login, hash, user, password);
  try {
    return login.check(authMessage, proof);
  } catch (e) {
    return e;
  }
}

/** An account as made before SCRAM keys existed: a scrypt hash only. */
async function legacyAccount(service: WordsService, name: string, password: string): Promise<void> {
  await service.store.createAccount(name, { name, passwordHash: await hashPassword(password, FAST), created: 0 });
}

describe('SCRAM keys of words accounts', () => {
  test('registering stores SHA-1 and SHA-256 keys beside the scrypt hash, never the password; SCRAM logs in with either', async () => {
    const h = new XMPPHarness();
    await h.service.register('alice', 'wonderland');
    const record = await h.service.store.getAccount('alice');
    assert.deepEqual(record?.scram?.map((c) => c.hash).sort(), ['sha1', 'sha256']);
    assert.ok(!JSON.stringify(record).includes('wonderland'));
    for (const hash of ['sha1', 'sha256'] as const) {
      const ok = (await scramTry(h.service, 'alice', 'wonderland', hash)) as { account: { name: string }; serverSignature: Uint8Array };
      assert.equal(ok.account.name, 'alice');
      assert.ok(ok.serverSignature.length >= 20);
      assert.ok((await scramTry(h.service, 'alice', 'wrong', hash)) instanceof AuthenticationError);
    }
  });

  test('changing the password replaces the keys: the old password no longer passes SCRAM', async () => {
    const h = new XMPPHarness();
    await h.service.register('alice', 'wonderland');
    await h.service.changePassword('alice', 'looking-glass');
    assert.ok((await scramTry(h.service, 'alice', 'wonderland')) instanceof AuthenticationError);
    assert.ok(!((await scramTry(h.service, 'alice', 'looking-glass')) instanceof Error));
  });

  test('an unknown name gets a salt that stays the same and looks like a real one, and fails like a wrong password', async () => {
    const h = new XMPPHarness();
    await h.service.register('alice', 'wonderland');
    const real = await h.service.scramLogin('alice', 'sha256');
    const first = await h.service.scramLogin('nobody', 'sha256');
    const again = await h.service.scramLogin('NoBody', 'sha256');
    const other = await h.service.scramLogin('someone', 'sha256');
    assert.equal(first.salt, again.salt, 'asking twice gives the same salt, as for a real account');
    assert.notEqual(first.salt, other.salt);
    assert.equal(Buffer.from(first.salt, 'base64').length, Buffer.from(real.salt, 'base64').length);
    assert.equal(first.iterations, real.iterations);
    assert.ok((await scramTry(h.service, 'nobody', 'anything')) instanceof AuthenticationError);
  });

  test('an account made before SCRAM keys gets them at its next password login, for that password only', async () => {
    const h = new XMPPHarness();
    await legacyAccount(h.service, 'old', 'timeworn');
    assert.ok((await scramTry(h.service, 'old', 'timeworn')) instanceof AuthenticationError, 'no keys yet: SCRAM cannot pass');
    await h.service.authenticate('old', 'timeworn');
    assert.equal((await h.service.store.getAccount('old'))?.scram?.length, 2);
    assert.ok(!((await scramTry(h.service, 'old', 'timeworn')) instanceof Error));
  });

  test('SCRAM failures count in the words login throttle: past the free ones even the right proof is refused unchecked', async () => {
    const h = new XMPPHarness();
    await h.service.register('alice', 'wonderland');
    for (let i = 0; i < 3; i++) assert.ok((await scramTry(h.service, 'alice', `guess${i}`)) instanceof AuthenticationError);
    assert.ok((await scramTry(h.service, 'alice', 'wonderland')) instanceof TooManyAttemptsError);
    assert.ok(!((await scramTry(h.service, 'alice', 'wonderland', 'sha256', '198.51.100.1')) instanceof Error), 'another address (the owner) still gets in');
    h.clock.advance(2);
    assert.ok(!((await scramTry(h.service, 'alice', 'wonderland')) instanceof Error), 'the delay over, the address may try again');
  });
});

describe('the XMPP door logs in with SCRAM', () => {
  test('an account with keys logs in with SCRAM-SHA-256 (the client checks the server signature)', async () => {
    const h = new XMPPHarness();
    await h.service.register('alice', 'wonderland');
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    assert.equal(alice.saslMechanism, 'SCRAM-SHA-256');
    alice.joinRoom('lobby@conference.localhost', 'alice');
    await h.until(() => h.service.findUser('alice'), 'the words session of the SCRAM login');
    assert.equal(h.service.findUser('alice')?.account, 'alice', 'the session is the verified account');
  });

  test('an account without keys fails SCRAM with an explanation, the client falls back to PLAIN, and the keys are made', async () => {
    const h = new XMPPHarness();
    await legacyAccount(h.service, 'old', 'timeworn');
    const first = h.xmpp('old', 'timeworn');
    const received: string[] = [];
    const dataReceived = first.dataReceived.bind(first);
    first.dataReceived = (data) => {
      received.push(text(data));
      dataReceived(data);
    };
    await h.until(() => first.jid, 'the PLAIN fallback');
    assert.equal(first.saslMechanism, 'PLAIN');
    assert.match(received.join(''), /<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized\/><text>wrong password, or this account has no SCRAM keys yet[^<]*<\/text><\/failure>/);
    assert.equal((await h.service.store.getAccount('old'))?.scram?.length, 2);
    const second = h.xmpp('old', 'timeworn', 'r2');
    await h.until(() => second.jid, 'the SCRAM login');
    assert.equal(second.saslMechanism, 'SCRAM-SHA-256');
  });

  test('a throttled address gets temporary-auth-failure even with the right password', async () => {
    const h = new XMPPHarness();
    await h.service.register('alice', 'wonderland');
    for (const guess of ['one-guess', 'two-guess']) {
      const wrong = h.xmpp('alice', guess, guess);
      await h.until(() => wrong.ready.called, 'the refusal');
      const err = failureResultOf(wrong.ready).value as XMPPAuthError;
      assert.equal(err.condition, 'not-authorized');
    }
    const right = h.xmpp('alice', 'wonderland');
    await h.until(() => right.ready.called, 'the throttled refusal');
    const err = failureResultOf(right.ready).value as XMPPAuthError;
    assert.equal(err.condition, 'temporary-auth-failure');
    assert.match(err.text ?? '', /try again/i);
  });
});
