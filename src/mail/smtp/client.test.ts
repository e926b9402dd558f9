// The ESMTP client against Torsion's own server, in memory: pipelining, refused recipients, AUTH,
// STARTTLS through the loopback's TLS, and line ends normalised before dot-stuffing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport, loopbackAsync, selfSignedCertificate } from '../../testing/index.js';
import { SMTPReplyError, TLSRequiredError, MailProtocolError } from '../errors.js';
import { smtpFactory, testPortal } from '../test-support/smtp.js';
import { ESMTPClient, type SMTPClientOptions } from './client.js';

const MESSAGE = Buffer.from('Subject: hi\n\n.leading dot\nbare CR\rend\n');

async function send(options: Partial<SMTPClientOptions>, server: Parameters<typeof smtpFactory>[0] = {}) {
  const s = smtpFactory(server);
  const client = new ESMTPClient({ from: 'bob@other.example', to: ['alice@example.test'], message: MESSAGE, clock: new Clock(), ...options });
  const closed = loopbackAsync(s.factory, client);
  const result = await client.result.asPromise().then(
    (r) => r,
    (e: unknown) => e as Error,
  );
  await closed.asPromise().catch(() => undefined);
  return { result, delivered: s.delivered };
}

test('sends a message: the envelope pipelined, line ends normalised to CRLF, dots stuffed', async () => {
  const { result, delivered } = await send({ to: ['alice@example.test', 'nobody@example.test', 'carol@example.test'] });
  assert.ok(!(result instanceof Error), String(result));
  assert.deepEqual(result.accepted, ['alice@example.test', 'carol@example.test']);
  assert.deepEqual(result.rejected.map((r) => [r.address, r.code]), [['nobody@example.test', 550]]);
  assert.match(result.response, /^250 2\.0\.0 OK: queued as/);
  assert.equal(delivered.length, 2);
  assert.ok(delivered[0]!.text.endsWith('Subject: hi\r\n\r\n.leading dot\r\nbare CR\r\nend\r\n'), JSON.stringify(delivered[0]!.text));
});

test('every recipient refused fails with the reply; a refused relay is 550', async () => {
  const { result } = await send({ to: ['victim@elsewhere.example'] });
  assert.ok(result instanceof SMTPReplyError);
  assert.equal(result.replyCode, 550);
});

test('a username without TLS on offer is refused before any password is sent', async () => {
  const { result, delivered } = await send({ username: 'alice', password: 'secret' }, { portal: testPortal(), allowPlaintextAuth: true });
  assert.ok(result instanceof TLSRequiredError);
  assert.equal(delivered.length, 0);
});

test('AUTH when allowed in the clear, then relaying works', async () => {
  const { result, delivered } = await send({ to: ['friend@elsewhere.example'], username: 'alice', password: 'secret', requireTransportSecurity: false }, { portal: testPortal(), allowPlaintextAuth: true });
  assert.ok(!(result instanceof Error), String(result));
  assert.equal(delivered[0]!.to, 'friend@elsewhere.example');
});

test('STARTTLS with the certificate verified, then AUTH over TLS', async () => {
  const { key, cert } = selfSignedCertificate('mx.example.test');
  const { result, delivered } = await send(
    { to: ['friend@elsewhere.example'], username: 'alice', password: 'secret', tls: { ca: cert, servername: 'mx.example.test' } },
    { portal: testPortal(), tls: { key, cert } },
  );
  assert.ok(!(result instanceof Error), String(result));
  assert.match(delivered[0]!.text, /with ESMTPSA id/);
});

test('a certificate that does not verify fails the send', async () => {
  const { key, cert } = selfSignedCertificate('mx.example.test');
  const { result, delivered } = await send({ tls: { servername: 'mx.example.test' } }, { tls: { key, cert } });
  assert.ok(result instanceof Error);
  assert.equal(delivered.length, 0);
});

test('a reply line past the limit and a silent server both fail the send', () => {
  const clock = new Clock();
  const client = new ESMTPClient({ from: 'a@b.example', to: ['c@d.example'], message: MESSAGE, clock, limits: { maxReplyLength: 100, timeout: 30 } });
  const t = new StringTransport();
  client.makeConnection(t);
  client.dataReceived(Buffer.from(`220 ${'x'.repeat(500)}\r\n`));
  assert.ok(client.result.called);
  client.result.addErrback((f) => assert.ok(f.value instanceof MailProtocolError));

  const silent = new ESMTPClient({ from: 'a@b.example', to: ['c@d.example'], message: MESSAGE, clock, limits: { timeout: 30 } });
  silent.makeConnection(new StringTransport());
  clock.advance(30);
  assert.ok(silent.result.called);
  silent.result.addErrback((f) => assert.match(f.getErrorMessage(), /no reply within 30 seconds/));
});

test('with PIPELINING the envelope and DATA leave in one write; without it, one command per reply', async () => {
  for (const pipelining of [true, false]) {
    const t = new StringTransport();
    const writes: string[] = [];
    const write = t.write.bind(t);
    t.write = (data) => {
      writes.push(Buffer.from(data as Uint8Array).toString());
      write(data);
    };
    const client = new ESMTPClient({ from: 'a@b.example', to: ['c@d.example', 'e@f.example'], message: MESSAGE, clock: new Clock() });
    client.makeConnection(t);
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    client.dataReceived(Buffer.from('220 hi\r\n'));
    await tick();
    client.dataReceived(Buffer.from(`250-mx\r\n${pipelining ? '250-PIPELINING\r\n' : ''}250 SIZE 1000000\r\n`));
    await tick();
    const envelope = writes.slice(1);
    if (pipelining) assert.deepEqual(envelope, [`MAIL FROM:<a@b.example> SIZE=${envelope[0]!.match(/SIZE=(\d+)/)![1]}\r\nRCPT TO:<c@d.example>\r\nRCPT TO:<e@f.example>\r\nDATA\r\n`]);
    else assert.match(envelope.join(''), /^MAIL FROM:<a@b\.example> SIZE=\d+\r\n$/, 'only MAIL until its reply');
  }
});
