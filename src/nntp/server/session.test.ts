// AUTHINFO through torsion/cred, STARTTLS, and the connection limits (command length, idle time, failed
// logins, pipelined floods).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryUsernamePasswordDatabase, Portal } from '../../cred/index.js';
import { NewsRealm } from './realm.js';
import { seededServer, tick } from '../test-support/harness.js';

const portal = (): Portal => new Portal(new NewsRealm(), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);

test('AUTHINFO USER/PASS logs in through the portal; posting can require it', async () => {
  const h = await seededServer({ portal: portal(), postingRequiresAuth: true });
  const caps = await h.send('CAPABILITIES');
  assert.ok(caps.includes('\r\nAUTHINFO USER\r\n'));
  assert.ok(!caps.includes('\r\nPOST\r\n'));
  assert.match(await h.send('POST'), /^480 /);
  assert.match(await h.send('IHAVE <x@y>'), /^480 /);
  assert.match(await h.send('AUTHINFO PASS secret'), /^482 /);
  assert.equal(await h.send('AUTHINFO USER alice'), '381 Password required\r\n');
  assert.equal(await h.send('AUTHINFO PASS secret'), '281 Authentication accepted\r\n');
  assert.equal(h.protocol.reader?.name, 'alice');
  assert.match(await h.send('AUTHINFO USER alice'), /^502 /);
  assert.ok(!(await h.send('CAPABILITIES')).includes('AUTHINFO'), 'not offered once logged in');
  assert.equal(await h.send('POST'), '340 Send article to be posted\r\n');
});

test('a wrong password is 481; the limit of failures closes the connection', async () => {
  const h = await seededServer({ portal: portal(), limits: { maxFailedAuths: 2 } });
  await h.send('AUTHINFO USER alice');
  assert.equal(await h.send('AUTHINFO PASS wrong'), '481 Authentication failed\r\n');
  await h.send('AUTHINFO USER mallory');
  assert.match(await h.send('AUTHINFO PASS guess'), /^481 .*closing/);
  assert.equal(h.transport.connected, false);
});

test('without a portal AUTHINFO is 502; bad AUTHINFO syntax is 501', async () => {
  const h = await seededServer();
  assert.match(await h.send('AUTHINFO USER alice'), /^502 /);
  const p = await seededServer({ portal: portal() });
  assert.match(await p.send('AUTHINFO SASL PLAIN'), /^501 /);
  assert.match(await p.send('AUTHINFO USER'), /^501 /);
});

test('with TLS configured, AUTHINFO waits for STARTTLS (483)', async () => {
  const h = await seededServer({ portal: portal(), tls: { key: 'k', cert: 'c' } });
  const caps = await h.send('CAPABILITIES');
  assert.ok(caps.includes('\r\nSTARTTLS\r\n'));
  assert.ok(!caps.includes('AUTHINFO'));
  assert.match(await h.send('AUTHINFO USER alice'), /^483 /);
});

test('STARTTLS answers 382 and hands TLS the bytes after the command; a second STARTTLS is 502', async () => {
  const h = await seededServer({ tls: { key: 'k', cert: 'c' } });
  await h.send('GROUP local.test');
  const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x0a, 0x0d, 0x0a]);
  h.take();
  h.protocol.dataReceived(Buffer.concat([Buffer.from('STARTTLS\r\n'), hello]));
  await tick();
  assert.equal(h.take(), '382 Continue with TLS negotiation\r\n', 'the TLS hello was not read as commands');
  assert.deepEqual(h.transport.tls?.options, { key: 'k', cert: 'c' });
  assert.equal(h.transport.tls?.asServer, true);
  assert.equal(h.protocol.group, undefined, 'state learnt in the clear is forgotten');
  assert.match(await h.send('STARTTLS'), /^502 /);
  assert.ok(!(await h.send('CAPABILITIES')).includes('STARTTLS'));
});

test('STARTTLS without a certificate is 502 and the following commands are still answered', async () => {
  const h = await seededServer();
  const out = await h.send('STARTTLS\r\nDATE\r\n');
  assert.match(out, /^502 [^\r]*\r\n111 \d{14}\r\n$/);
  assert.equal(h.transport.tls, null);
});

test('a command line over the limit is 501 and closes', async () => {
  const h = await seededServer({ limits: { maxCommandLength: 50 } });
  assert.match(await h.send('GROUP ' + 'a'.repeat(60)), /^501 Line too long/);
  assert.equal(h.transport.connected, false);
});

test('an unterminated flood is cut at the line limit, not buffered', async () => {
  const h = await seededServer({ limits: { maxCommandLength: 50 } });
  assert.match(await h.send(new Uint8Array(60).fill(0x41)), /^501 /);
  assert.equal(h.transport.connected, false);
});

test('the idle timeout closes a silent connection with 400, and input resets it', async () => {
  const h = await seededServer({ limits: { idleTimeout: 60 } });
  h.clock.advance(50);
  await h.send('DATE');
  h.clock.advance(50);
  assert.equal(h.transport.connected, true);
  h.clock.advance(10);
  assert.match(h.take(), /^400 Idle timeout/);
  assert.equal(h.transport.connected, false);
});

test('pipelined input behind a slow command pauses the transport, and too much closes', async () => {
  const { MemoryNewsStorage } = await import('../memory-storage.js');
  const { ServerHarness } = await import('../test-support/harness.js');
  let release: () => void = () => {};
  class SlowStore extends MemoryNewsStorage {
    override listGroups() {
      return new Promise<void>((r) => (release = r)).then(() => super.listGroups());
    }
  }
  const h = new ServerHarness(new SlowStore(), { limits: { maxPipelinedBytes: 100 } });
  h.take();
  h.protocol.dataReceived(Buffer.from('LIST\r\n' + 'DATE\r\n'.repeat(20)));
  await tick();
  assert.equal(h.transport.producerState, 'paused');
  h.protocol.dataReceived(Buffer.from('DATE\r\n'.repeat(20)));
  assert.match(h.take(), /^400 Too much pipelined input/);
  assert.equal(h.transport.connected, false);
  release();
});

test('the pause is lifted once the queue drains', async () => {
  const { MemoryNewsStorage } = await import('../memory-storage.js');
  const { ServerHarness } = await import('../test-support/harness.js');
  let release: () => void = () => {};
  class SlowStore extends MemoryNewsStorage {
    override listGroups() {
      return new Promise<void>((r) => (release = r)).then(() => super.listGroups());
    }
  }
  const h = new ServerHarness(new SlowStore(), { limits: { maxPipelinedBytes: 100 } });
  h.take();
  h.protocol.dataReceived(Buffer.from('LIST\r\n' + 'DATE\r\n'.repeat(20)));
  await tick();
  assert.equal(h.transport.producerState, 'paused');
  release();
  await tick();
  assert.equal(h.transport.producerState, 'producing');
  assert.equal(h.take().split('\r\n111 ').length, 21, 'every DATE answered, in order after LIST');
});

test('answers wait while the write buffer is full (a client that pipelines and never reads)', async () => {
  const h = await seededServer();
  const producer = h.transport.producer as { pauseProducing(): void; resumeProducing(): void } | null;
  assert.ok(producer !== null && h.transport.streaming === true, 'the server registered as a streaming producer');
  producer.pauseProducing();
  assert.equal(await h.send('GROUP local.test\r\nOVER 1-3\r\n'), '', 'nothing more is written while the buffer is full');
  producer.resumeProducing();
  await tick();
  assert.match(h.take(), /^211 [^]*\r\n224 [^]*\r\n\.\r\n$/);
});
