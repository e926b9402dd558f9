import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMPPAuthError } from './errors.js';
import { chooseMechanism, PlainMechanism, ScramMechanism } from './sasl.js';

const s = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const b = (t: string) => Buffer.from(t, 'utf8');

test('SCRAM-SHA-1 matches the RFC 5802 §5 example exchange', () => {
  const m = new ScramMechanism('sha1', 'user', 'pencil', { nonce: 'fyko+d2lbbFgONRv9qkxdawL' });
  assert.equal(s(m.initialResponse()), 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
  const final = s(m.challenge(b('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096')));
  assert.equal(final, 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
  m.success(b('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='));
});

test('SCRAM-SHA-256 matches the RFC 7677 §3 example and refuses a forged server signature', () => {
  const make = () => new ScramMechanism('sha256', 'user', 'pencil', { nonce: 'rOprNGfwEbeRWgbNEkqO' });
  const m = make();
  const final = s(m.challenge(b('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')));
  assert.equal(final, 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
  m.success(b('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
  const forged = make();
  forged.challenge(b('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
  assert.throws(() => forged.success(b('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), XMPPAuthError);
});

test('SCRAM refuses a nonce that does not extend ours and an iteration count over the limit', () => {
  assert.throws(() => new ScramMechanism('sha1', 'u', 'p', { nonce: 'abc' }).challenge(b('r=xyz123,s=QSXCR+Q6sek8bf92,i=4096')), XMPPAuthError);
  assert.throws(() => new ScramMechanism('sha1', 'u', 'p', { nonce: 'abc', maxIterations: 10_000 }).challenge(b('r=abc123,s=QSXCR+Q6sek8bf92,i=2000000000')), /iterations/);
  assert.equal(s(new ScramMechanism('sha1', 'a,b=c', 'p', { nonce: 'n' }).initialResponse()), 'n,,n=a=2Cb=3Dc,r=n');
});

test('mechanism choice prefers SCRAM-SHA-256 and never sends PLAIN in the clear unless allowed', () => {
  const creds = { username: 'u', password: 'p' };
  assert.equal(chooseMechanism(['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'], creds, false)?.name, 'SCRAM-SHA-256');
  assert.equal(chooseMechanism(['PLAIN', 'SCRAM-SHA-1'], creds, false)?.name, 'SCRAM-SHA-1');
  assert.equal(chooseMechanism(['PLAIN'], creds, false), undefined);
  assert.equal(chooseMechanism(['PLAIN'], creds, true)?.name, 'PLAIN');
  assert.equal(s(new PlainMechanism('u', 'p').initialResponse()), '\0u\0p');
});

test('ScramServerExchange accepts the Torsion client with the right password and refuses a wrong one', async () => {
  const { scramCredentials, ScramServerExchange } = await import('./scram-server.js');
  const creds = scramCredentials('sha256', 'pencil', { iterations: 4096 });
  for (const [password, ok] of [['pencil', true], ['pen', false]] as const) {
    const server = new ScramServerExchange((u) => (u === 'user' ? creds : undefined));
    const client = new ScramMechanism('sha256', 'user', password);
    const { challenge } = server.start(s(client.initialResponse()));
    const final = s(client.challenge(b(challenge)));
    if (ok) client.success(b(server.finish(final)));
    else assert.throws(() => server.finish(final), /wrong password/);
  }
  const unknown = new ScramServerExchange(() => undefined);
  const client = new ScramMechanism('sha256', 'ghost', 'pencil');
  const final = s(client.challenge(b(unknown.start(s(client.initialResponse())).challenge)));
  assert.throws(() => unknown.finish(final), /wrong password/);
});

test('ScramServerExchange accepts the "y" GS2 flag (slixmpp sends it) and refuses channel binding it cannot do', async () => {
  const { scramCredentials, ScramServerExchange } = await import('./scram-server.js');
  const creds = scramCredentials('sha1', 'pencil', { iterations: 1024 });
  assert.match(new ScramServerExchange(() => creds).start('y,,n=user,r=abc').challenge, /^r=abc/);
  assert.throws(() => new ScramServerExchange(() => creds).start('p=tls-unique,,n=user,r=abc'), XMPPAuthError);
  const server = new ScramServerExchange(() => creds);
  server.start('y,,n=user,r=abc');
  assert.throws(() => server.finish('c=biws,r=abc,p=AAAA'), /malformed/, 'the final message must repeat the GS2 header it began with');
});
