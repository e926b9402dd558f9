/**
 * `SSHAgentClient` over an in-memory transport: requests framed as the draft says, answers read in any
 * chunking, and every way an agent can misbehave (failure, garbage, oversized or unasked-for messages,
 * silence, a wrong signature, hanging up) fails the requests instead of hanging or crashing.
 */
import { test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { WireReader, WireWriter, concatBytes } from '../../cred/ssh-wire.js';
import { ConnectionDone } from '../../internet/error.js';
import { Failure } from '../../defer/index.js';
import { Clock, StringTransport, failureResultOf, seededRandom, splitRandom, successResultOf } from '../../testing/index.js';
import { SSHAgentClient } from './agent.js';
import { AgentConnectionError, AgentFailureError, AgentProtocolError } from './errors.js';
import type { Key } from './key.js';
import { testKey } from './test-support.js';

function connected(limits = {}): { agent: SSHAgentClient; transport: StringTransport; clock: Clock } {
  const clock = new Clock();
  const agent = new SSHAgentClient({ clock, limits });
  const transport = new StringTransport();
  agent.makeConnection(transport);
  return { agent, transport, clock };
}

const frame = (type: number, body: Uint8Array = new Uint8Array(0)): Uint8Array => new WireWriter().string(concatBytes(Uint8Array.of(type), body)).bytes();

function identitiesAnswer(keys: Key[]): Uint8Array {
  const w = new WireWriter().uint32(keys.length);
  for (const k of keys) w.string(k.blob()).string(k.comment);
  return frame(12, w.bytes());
}

/** The one request written to `transport`, as a reader after its type byte (which is checked). */
function request(transport: StringTransport, type: number): WireReader {
  const r = new WireReader(transport.value());
  const body = r.string();
  r.end();
  transport.clear();
  assert.equal(body[0], type);
  return new WireReader(body.subarray(1));
}

test('requestIdentities and sign: the request is framed per the draft, the answer read in any chunking', async () => {
  const rsa = await testKey('rsa-2048');
  const ed = await testKey('ed25519');
  for (let seed = 1; seed <= 20; seed++) {
    const { agent, transport } = connected();
    const listed = agent.requestIdentities();
    request(transport, 11);
    // An unknown key type in the answer is skipped, not an error.
    const unknown = new WireWriter().string('ssh-dss').string('x').bytes();
    const answer = frame(12, new WireWriter().uint32(3).string(rsa.blob()).string('rsa').string(unknown).string('dss').string(ed.blob()).string('ed').bytes());
    for (const chunk of splitRandom(seededRandom(seed), answer, 7)) agent.dataReceived(chunk);
    const keys = successResultOf(listed);
    assert.deepEqual(keys.map((k) => k.comment), ['rsa', 'ed']);
    assert.ok(keys[0].key.equals(rsa));

    const data = new TextEncoder().encode('session id and userauth request');
    const signed = keys[0].sign('rsa-sha2-512', data);
    const r = request(transport, 13);
    assert.deepEqual(Uint8Array.from(r.string()), rsa.blob());
    assert.deepEqual(Uint8Array.from(r.string()), data);
    assert.equal(r.uint32(), 4, 'SSH_AGENT_RSA_SHA2_512');
    const signature = rsa.sign('rsa-sha2-512', data);
    agent.dataReceived(frame(14, new WireWriter().string(signature).bytes()));
    assert.deepEqual(successResultOf(signed), signature);
  }
});

test('rsa-sha2-256 sets flag 2, other keys flag 0', async () => {
  const { agent, transport } = connected();
  agent.signData(await testKey('rsa-2048'), 'rsa-sha2-256', new Uint8Array(1));
  const r = request(transport, 13);
  r.string();
  r.string();
  assert.equal(r.uint32(), 2);
  agent.signData(await testKey('ecdsa-256'), 'ecdsa-sha2-nistp256', new Uint8Array(1));
  const r2 = request(transport, 13);
  r2.string();
  r2.string();
  assert.equal(r2.uint32(), 0);
});

test('a signature of another algorithm, or one that does not verify, is refused', async () => {
  const rsa = await testKey('rsa-2048');
  const data = new Uint8Array([1, 2, 3]);
  const { agent } = connected();
  // An old agent that ignores the flags answers with SHA-1.
  const sha1 = agent.signData(rsa, 'rsa-sha2-512', data);
  agent.dataReceived(frame(14, new WireWriter().string(rsa.sign('ssh-rsa', data)).bytes()));
  failureResultOf(sha1, AgentProtocolError);
  const wrong = agent.signData(rsa, 'rsa-sha2-512', data);
  agent.dataReceived(frame(14, new WireWriter().string(rsa.sign('rsa-sha2-512', new Uint8Array([9]))).bytes()));
  failureResultOf(wrong, AgentProtocolError);
});

test('SSH_AGENT_FAILURE fails that request only; the connection stays', async () => {
  const { agent, transport } = connected();
  const first = agent.removeAllIdentities();
  const second = agent.requestIdentities();
  agent.dataReceived(frame(5));
  failureResultOf(first, AgentFailureError);
  agent.dataReceived(identitiesAnswer([]));
  assert.deepEqual(successResultOf(second), []);
  assert.equal(transport.disconnecting, false);
});

test('an oversized length, an unasked-for message, a malformed answer or an unexpected type drop the connection', () => {
  const cases: [string, Uint8Array, boolean][] = [
    ['oversized', new WireWriter().uint32(0x7fffffff).bytes(), true],
    ['empty', new WireWriter().uint32(0).bytes(), true],
    ['truncated identities', frame(12, new WireWriter().uint32(5).bytes()), true],
    ['trailing bytes', frame(12, new WireWriter().uint32(0).uint32(0).bytes()), true],
    ['unexpected type', frame(14, new WireWriter().string('x').bytes()), true],
    ['unasked-for', frame(6), false],
  ];
  for (const [name, bytes, ask] of cases) {
    const { agent, transport } = connected();
    const d = ask ? agent.requestIdentities() : undefined;
    agent.dataReceived(bytes);
    assert.equal(transport.disconnecting, true, name);
    if (d) failureResultOf(d, AgentProtocolError);
    failureResultOf(agent.requestIdentities(), AgentProtocolError);
  }
});

test('too many identities for maxAgentIdentities is a protocol error', () => {
  const { agent } = connected({ maxAgentIdentities: 2 });
  const d = agent.requestIdentities();
  agent.dataReceived(frame(12, new WireWriter().uint32(3).bytes()));
  failureResultOf(d, AgentProtocolError);
});

test('a silent agent: the request fails after agentTimeout seconds and the connection is dropped', () => {
  const { agent, transport, clock } = connected({ agentTimeout: 10 });
  const d = agent.requestIdentities();
  clock.advance(9);
  assert.equal(transport.disconnecting, false);
  clock.advance(1);
  failureResultOf(d, AgentConnectionError);
  assert.equal(transport.disconnecting, true);
});

test('requests over maxAgentPendingRequests fail at once; the connection closing fails the waiting ones', () => {
  const { agent } = connected({ maxAgentPendingRequests: 2 });
  const waiting = [agent.requestIdentities(), agent.requestIdentities()];
  failureResultOf(agent.requestIdentities(), AgentConnectionError);
  agent.connectionLost(new Failure(new ConnectionDone()));
  for (const d of waiting) failureResultOf(d, AgentConnectionError);
  assert.equal(agent.clock.getDelayedCalls().length, 0, 'no timer left behind');
});

test('addIdentity sends the private fields and comment; a public key is refused', async () => {
  const key = await testKey('ed25519');
  const { agent, transport } = connected();
  const added = agent.addIdentity(key, 'given');
  const r = request(transport, 17);
  assert.equal(r.text(), 'ssh-ed25519');
  assert.equal(r.string().length, 32);
  assert.equal(r.string().length, 64);
  assert.equal(new TextDecoder().decode(r.string()), 'given');
  r.end();
  agent.dataReceived(frame(6));
  successResultOf(added);
  failureResultOf(agent.addIdentity(key.public()), AgentFailureError);
});

test('connect to a socket nobody listens on fails with AgentConnectionError naming it', async () => {
  const path = join(tmpdir(), `torsion-no-agent-${process.pid}.sock`);
  await assert.rejects(SSHAgentClient.connect({ path }).asPromise(), (e: Error) => e instanceof AgentConnectionError && e.message.includes(path));
});

test('connect with no SSH_AUTH_SOCK fails with AgentConnectionError', () => {
  const saved = process.env.SSH_AUTH_SOCK;
  delete process.env.SSH_AUTH_SOCK;
  try {
    failureResultOf(SSHAgentClient.connect(), AgentConnectionError);
  } finally {
    if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
  }
});
