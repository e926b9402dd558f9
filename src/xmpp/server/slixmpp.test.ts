/**
 * Torsion's XMPP server (`XMPPServerProtocol` + `XMPPLocalRouter`) with slixmpp (Debian `python3-slixmpp`)
 * as the client: STARTTLS against a certificate slixmpp verifies, SCRAM login, roster, and a chat message
 * to a Torsion client and its answer back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Factory, clientFromString, connectProtocol, reactor, type IListeningPort } from '../../internet/index.js';
import { requirePeer, selfSignedCertificate } from '../../testing/index.js';
import { XMPPClient } from '../client/client.js';
import { scramCredentials } from '../scram-server.js';
import { XMPPServerProtocol } from './c2s.js';
import { XMPPLocalRouter } from './router.js';

const SCRIPT = fileURLToPath(new URL('../test-support/slixmpp_client.py', import.meta.url));

describe('XMPP server with slixmpp as the client', { timeout: 60_000 }, () => {
  let port: IListeningPort;
  let dir: string;
  const { key, cert } = selfSignedCertificate('localhost');
  const creds = new Map([['juliet', 'balcony'], ['romeo', 'orchard']].map(([u, p]) => [u!, { sha1: scramCredentials('sha1', p!), sha256: scramCredentials('sha256', p!) }]));
  const router = new XMPPLocalRouter();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-slixmpp-'));
    writeFileSync(join(dir, 'ca.pem'), cert);
    const factory = new Factory<XMPPServerProtocol>();
    factory.buildProtocol = () => new XMPPServerProtocol({ domain: 'localhost', router, tls: { key, cert }, authenticator: { scramCredentials: (u, h) => creds.get(u)?.[h] } });
    port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  });
  after(async () => {
    await port?.stopListening();
    rmSync(dir, { recursive: true, force: true });
  });

  test('slixmpp logs in with STARTTLS and SCRAM, gets the roster, and chats with a Torsion client', async () => {
    const python = requirePeer('/usr/bin/python3', 'python3-slixmpp');
    const portNumber = (port.getHost() as unknown as { port: number }).port;
    const romeo = new XMPPClient({ jid: 'romeo@localhost', password: 'orchard', resource: 'garden', clock: reactor, tlsOptions: { ca: cert } });
    romeo.messageReceived = (m) => romeo.sendMessage(m.getAttribute('from')!, `echo: ${m.getChildText('body') ?? ''}`);
    await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${portNumber}`), romeo);
    await romeo.ready;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(python, [SCRIPT, 'juliet@localhost/slix', 'balcony', String(portNumber), join(dir, 'ca.pem'), 'romeo@localhost/garden'], { timeout: 40_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const results = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(results.end, 'replied', out);
    assert.equal(results.bound, 'juliet@localhost/slix');
    assert.match(String(results.mechanism), /^SCRAM-SHA-(1|256)$/);
    assert.equal(results.roster, 0);
    assert.equal(results.reply, 'echo: hello from slixmpp & co <3');
    assert.equal(results.reply_from, 'romeo@localhost/garden');
    romeo.close();
  });
});
