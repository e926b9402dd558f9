/**
 * The words service against password guessing and registration floods, and the owner of a nick taking it
 * back (REGAIN), with no front door: what every front door gets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AccountExistsError,
  AuthenticationError,
  NickInUseError,
  REGAINED,
  TooManyAttemptsError,
  TooManyRegistrationsError,
  createWordsService,
  type WordsService,
  type WordsServiceOptions,
} from './index.js';
import { assertFailure, Clock } from '../testing/index.js';
import { RecordingClient } from './test-support/recording-client.js';

const GUESSER = '198.51.100.7';
const OWNER_HOST = '203.0.113.9';

/** A service on a fake time (seconds, moved with `advance`). */
async function setup(options: WordsServiceOptions = {}): Promise<{ service: WordsService; advance(seconds: number): void }> {
  const clock = new Clock();
  clock.advance(1_800_000_000);
  const service = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 }, clock, ...options });
  await service.start();
  return {
    service,
    advance: (seconds) => clock.advance(seconds),
  };
}

describe('WordsService password guessing', () => {
  test('guesses from one address get growing delays and no check; the owner elsewhere logs in first try', async () => {
    const { service, advance } = await setup();
    await service.register('owner', 'rightpass');
    const guess = async (): Promise<Error> => assertFailure(service.login('owner', { client: new RecordingClient(), password: 'guess', host: GUESSER }));
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) assert.ok((await guess()) instanceof AuthenticationError, `free guess ${i + 1} is checked`);
    for (let round = 0; round < 5; round++) {
      const refused = await guess();
      assert.ok(refused instanceof TooManyAttemptsError, String(refused));
      waits.push(refused.retryAfter);
      assert.match(refused.message, /^Too many failed logins: try again in \d+ seconds?$/);
      assert.ok((await guess()) instanceof TooManyAttemptsError, 'asking again during the delay is refused too');
      advance(refused.retryAfter);
      assert.ok((await guess()) instanceof AuthenticationError, 'checked once the delay is over');
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 16]);
    const owner = await service.login('owner', { client: new RecordingClient(), password: 'rightpass', host: OWNER_HOST });
    assert.equal(owner.account, 'owner');
  });

  test('guesses started together from one address: only a few are checked', async () => {
    const { service } = await setup();
    await service.register('owner', 'rightpass');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => assertFailure(service.authenticate('owner', 'guess', { host: GUESSER }))),
    );
    assert.equal(results.filter((e) => e instanceof AuthenticationError).length, service.limits.login.maxChecksInFlight);
    assert.ok(results.every((e) => e instanceof AuthenticationError || e instanceof TooManyAttemptsError));
  });

  test('guessing one account from many addresses: each gets one check while the account is under attack', async () => {
    const { service } = await setup();
    await service.register('owner', 'rightpass');
    for (let i = 1; i <= 3; i++) {
      assert.ok((await assertFailure(service.authenticate('owner', 'guess', { host: `192.0.2.${i}` }))) instanceof AuthenticationError);
    }
    const again = await assertFailure(service.authenticate('owner', 'guess', { host: '192.0.2.1' }));
    assert.ok(again instanceof TooManyAttemptsError, 'an address that failed before waits for the account');
    assert.ok((await service.authenticate('OWNER', 'rightpass', { host: OWNER_HOST })).name === 'owner', 'the owner is checked');
  });
});

describe('WordsService REGAIN: the owner takes a registered nick back', () => {
  test('the right password takes the nick from its holder, who is told and leaves; a wrong one changes nothing', async () => {
    const { service } = await setup();
    await service.register('owner', 'rightpass');
    const oldClient = new RecordingClient();
    const old = await service.login('owner', { client: oldClient, password: 'rightpass', host: OWNER_HOST });
    const peer = new RecordingClient();
    const bob = await service.login('bob', { client: peer });
    old.join('#room');
    bob.join('#room');
    oldClient.take();
    peer.take();
    assert.ok((await assertFailure(service.login('owner', { client: new RecordingClient(), password: 'guess', host: GUESSER }))) instanceof AuthenticationError);
    assert.ok((await assertFailure(service.login('owner', { client: new RecordingClient(), host: GUESSER }))) instanceof NickInUseError);
    assert.equal(service.findUser('owner'), old);
    assert.deepEqual(oldClient.take(), []);
    const client = new RecordingClient();
    const back = await service.login('Owner', { client, password: 'rightpass', host: '192.0.2.44' });
    assert.deepEqual(oldClient.take(), [`disconnect: ${REGAINED}`]);
    assert.equal(old.online, false);
    assert.deepEqual(peer.take(), [`quit owner: ${REGAINED}`]);
    assert.equal(service.findUser('owner'), back);
    assert.equal(back.account, 'owner');
  });

  test('an account proven by SASL takes it too, also by a nick change; an unregistered nick is never taken', async () => {
    const { service } = await setup();
    await service.register('owner', 'rightpass');
    const oldClient = new RecordingClient();
    await service.login('owner', { client: oldClient, password: 'rightpass' });
    const account = await service.authenticate('owner', 'rightpass');
    const fallback = await service.login('owner_', { client: new RecordingClient(), account });
    await fallback.setNick('owner');
    assert.deepEqual(oldClient.take(), [`disconnect: ${REGAINED}`]);
    assert.equal(service.findUser('owner'), fallback);
    await service.login('free', { client: new RecordingClient() });
    assert.ok((await assertFailure(service.login('free', { client: new RecordingClient(), password: 'anything' }))) instanceof NickInUseError);
    assert.ok((await assertFailure(service.login('free', { client: new RecordingClient(), account }))) instanceof NickInUseError);
  });
});

describe('WordsService registration limits', () => {
  test('per connection and per address per window, with a clear error; a taken name does not count', async () => {
    const { service, advance } = await setup({ registration: { perConnection: 2, perAddress: 3, window: 600 } });
    const conn = {};
    await service.register('one', 'password', { host: GUESSER, connection: conn });
    assert.ok((await assertFailure(service.register('one', 'password', { host: GUESSER, connection: conn }))) instanceof AccountExistsError);
    await service.register('two', 'password', { host: GUESSER, connection: conn });
    const perConn = await assertFailure(service.register('three', 'password', { host: GUESSER, connection: conn }));
    assert.ok(perConn instanceof TooManyRegistrationsError);
    assert.equal(perConn.message, 'Too many accounts registered from this connection');
    await service.register('three', 'password', { host: GUESSER, connection: {} });
    const perAddress = await assertFailure(service.register('four', 'password', { host: GUESSER, connection: {} }));
    assert.ok(perAddress instanceof TooManyRegistrationsError);
    assert.equal(perAddress.message, 'Too many accounts registered from your address: try again in 10 minutes');
    assert.equal(await service.isRegistered('four'), false);
    await service.register('elsewhere', 'password', { host: OWNER_HOST });
    advance(600);
    await service.register('four', 'password', { host: GUESSER, connection: {} });
  });
});
