import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../../defer/index.js';
import { Protocol } from '../../internet/protocol.js';
import { connectedServerAndClient, eventually } from '../../testing/index.js';
import { Manhole, ManholeFactory } from './manhole.js';

// First in this file: no manhole has opened yet in this process.
test('loading the manhole does not load node:repl (whose node:domain slows every EventEmitter in the process)', () => {
  assert.equal(typeof Manhole, 'function');
  const loaded = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
  assert.equal(loaded.includes('NativeModule domain'), false);
});

/** The far end of the manhole: collects what the REPL prints. */
class Terminal extends Protocol {
  output = '';
  override dataReceived(data: Uint8Array): void {
    this.output += Buffer.from(data).toString('utf8');
  }
  type(line: string): void {
    this.transport.write(`${line}\n`);
  }
}

function open(namespace: Record<string, unknown>) {
  const factory = new ManholeFactory({ namespace });
  const conn = connectedServerAndClient(factory, new Terminal());
  conn.pump.startAutoPump((e) => {
    throw e;
  });
  return conn;
}

test('the manhole evaluates lines against the namespace and prints results with util.inspect', async () => {
  const app = { name: 'demo', users: new Map([['alice', 1]]) };
  const { client, server, clientTransport } = open({ app });
  try {
    await eventually(() => client.output.includes('>>> '));
    client.type('app.name.toUpperCase()');
    await eventually(() => client.output.includes("'DEMO'"));
    client.type('app.users');
    await eventually(() => client.output.includes("Map(1) { 'alice' => 1 }"));
    client.type('app.count = 41 + 1');
    await eventually(() => (app as Record<string, unknown>).count === 42);
    client.type('app.missing.deeper');
    await eventually(() => client.output.includes("TypeError: Cannot read properties of undefined (reading 'deeper')"));
    client.type('1 + 1');
    await eventually(() => client.output.includes('2\n'), { message: 'the session goes on after an error' });
    assert.ok(server.repl);
  } finally {
    clientTransport.loseConnection();
  }
});

test('promises and Deferreds are awaited and their values printed; rejections are reported, the session goes on', async () => {
  const later = new Deferred<string>();
  const { client, clientTransport } = open({ later, wait: (v: number) => new Promise((r) => setTimeout(() => r(v * 2), 5)) });
  try {
    client.type('wait(21)');
    await eventually(() => client.output.includes('42'));
    assert.doesNotMatch(client.output, /Promise \{/);
    client.type('later');
    setTimeout(() => later.callback('fired later'), 10);
    await eventually(() => client.output.includes("'fired later'"));
    client.type('Promise.reject(new Error("nope"))');
    await eventually(() => client.output.includes('nope'));
    client.type('await wait(50)');
    await eventually(() => client.output.includes('100'));
  } finally {
    clientTransport.loseConnection();
  }
});

test('.exit closes the connection; the connection closing ends the REPL', async () => {
  const a = open({});
  a.client.type('.exit');
  await eventually(() => a.pump.closed);
  assert.equal(a.server.repl, undefined);

  const b = open({});
  b.clientTransport.loseConnection();
  await eventually(() => b.pump.closed);
  assert.equal(b.server.repl, undefined);
});

test('each connection gets its own context; the namespace objects are shared', async () => {
  const shared = { hits: 0 };
  const a = open({ shared });
  const b = open({ shared });
  try {
    a.client.type('let mine = 1; shared.hits++');
    await eventually(() => shared.hits === 1);
    b.client.type('typeof mine');
    await eventually(() => b.client.output.includes("'undefined'"));
    assert.ok(a.server instanceof Manhole);
  } finally {
    a.clientTransport.loseConnection();
    b.clientTransport.loseConnection();
  }
});

test('crlf: line ends go out as CR LF, for a raw terminal at the far end', async () => {
  const conn = connectedServerAndClient(new ManholeFactory({ namespace: { n: 6 }, crlf: true }), new Terminal());
  conn.pump.startAutoPump((e) => {
    throw e;
  });
  try {
    conn.client.type('n * 7');
    await eventually(() => conn.client.output.includes('42\r\n'));
    assert.doesNotMatch(conn.client.output, /[^\r]\n/);
  } finally {
    conn.clientTransport.loseConnection();
  }
});
