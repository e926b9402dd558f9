/**
 * `XMPPClient` stream management over real sockets on 127.0.0.1 against Torsion's own server: STARTTLS,
 * SCRAM, the TCP connection reset under the client, automatic reconnection and resumption, with every
 * message arriving once each way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Factory, clientFromString, connectProtocol, reactor, type IListeningPort } from '../../internet/index.js';
import { Clock, selfSignedCertificate } from '../../testing/index.js';
import { scramCredentials } from '../scram-server.js';
import { XMPPServerProtocol } from '../server/c2s.js';
import { XMPPLocalRouter } from '../server/router.js';
import { StreamResumption } from '../server/stream-management.js';
import { XMPPClient, type XMPPClientOptions } from './client.js';

/** Resolves once `check` holds, polling; fails after 10 s so nothing hangs. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('XMPPClient reconnection against Torsion\'s server over TCP', { timeout: 60_000 }, () => {
  let port: IListeningPort;
  let portNumber = 0;
  const { key, cert } = selfSignedCertificate('localhost');
  const creds = new Map([['juliet', 'balcony'], ['romeo', 'orchard']].map(([u, p]) => [u!, { sha1: scramCredentials('sha1', p!), sha256: scramCredentials('sha256', p!) }]));
  const router = new XMPPLocalRouter();
  const resumption = new StreamResumption<XMPPServerProtocol>();
  const clients: XMPPClient[] = [];
  // The server's resumption timers run on a clock of their own, so a session held after the test keeps nothing alive.
  const serverClock = new Clock();

  before(() => {
    const factory = new Factory<XMPPServerProtocol>();
    factory.buildProtocol = () => new XMPPServerProtocol({ domain: 'localhost', router, resumption, clock: serverClock, tls: { key, cert }, authenticator: { scramCredentials: (u, h) => creds.get(u)?.[h] } });
    port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    portNumber = (port.getHost() as unknown as { port: number }).port;
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of resumption.drain()) s.endDetached();
    await port?.stopListening();
  });

  const dial = (c: XMPPClient) => connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${portNumber}`), c);
  async function login(options: Omit<XMPPClientOptions, 'clock'>): Promise<XMPPClient> {
    const client = new XMPPClient({ clock: reactor, tlsOptions: { ca: cert }, ...options });
    clients.push(client);
    await dial(client);
    await client.ready;
    return client;
  }

  test('the connection is reset: the client reconnects, resumes, and nothing is lost or doubled', async () => {
    const juliet = await login({ jid: 'juliet@localhost', password: 'balcony', resource: 'balcony', reconnect: dial, limits: { reconnectDelay: 0.5 } });
    const romeo = await login({ jid: 'romeo@localhost', password: 'orchard', resource: 'garden' });
    const julietGot: string[] = [];
    const romeoGot: string[] = [];
    juliet.messageReceived = (m) => julietGot.push(m.getChildText('body') ?? '');
    romeo.messageReceived = (m) => romeoGot.push(m.getChildText('body') ?? '');
    let resumed = 0;
    juliet.sessionResumed = () => resumed++;
    await until(() => juliet.resumable, 'stream management enabled');

    romeo.sendMessage('juliet@localhost/balcony', 'm1');
    juliet.sendMessage('romeo@localhost/garden', 'j1');
    await until(() => julietGot.length === 1 && romeoGot.length === 1, 'the first messages');
    // The server must notice the reset before the resumption arrives (it does not resume a session it still
    // thinks connected): the reconnection delay of 0.5 s gives it time.
    (juliet.transport as unknown as { abortConnection(): void }).abortConnection();
    juliet.sendMessage('romeo@localhost/garden', 'j2');
    romeo.sendMessage('juliet@localhost/balcony', 'm2');
    await until(() => resumed === 1 && julietGot.length >= 2 && romeoGot.length >= 2, 'the resumed session');
    // A round trip on each session, so anything sent twice would have arrived by now.
    await juliet.ping();
    await romeo.ping();
    assert.deepEqual(julietGot, ['m1', 'm2']);
    assert.deepEqual(romeoGot, ['j1', 'j2']);
    assert.equal(resumed, 1);
  });
});
