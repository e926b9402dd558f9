/**
 * `XMPPClient` stream management against Prosody's `mod_smacks` (Debian package `prosody`): the TCP
 * connection reset under the client, automatic reconnection and resumption, every message once each way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFromString, connectProtocol, reactor } from '../../internet/index.js';
import { startProsody, type ProsodyServer } from '../test-support/prosody.js';
import { XMPPClient, type XMPPClientOptions } from './client.js';

/** Resolves once `check` holds, polling; fails after 10 s so nothing hangs. */
async function until(check: () => boolean, what: string, log: () => string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}\nprosody log:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('XMPPClient stream management against Prosody (mod_smacks)', { timeout: 120_000 }, () => {
  let server: ProsodyServer;
  const clients: XMPPClient[] = [];

  before(async () => {
    server = await startProsody({ juliet: 'balcony-pass', romeo: 'orchard-pass' }, { modules: ['smacks'] });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server?.stop();
  });

  const dial = (c: XMPPClient) => connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${server.port}`), c);
  async function login(options: Omit<XMPPClientOptions, 'clock'>): Promise<XMPPClient> {
    const client = new XMPPClient({ clock: reactor, tlsOptions: { ca: server.cert }, ...options });
    clients.push(client);
    await dial(client);
    await client.ready;
    return client;
  }

  test('the connection is reset: the client reconnects, resumes, and nothing is lost or doubled', async () => {
    const juliet = await login({ jid: 'juliet@localhost', password: 'balcony-pass', resource: 'balcony', reconnect: dial, limits: { reconnectDelay: 0.5 } });
    const romeo = await login({ jid: 'romeo@localhost', password: 'orchard-pass', resource: 'garden' });
    const julietGot: string[] = [];
    const romeoGot: string[] = [];
    juliet.messageReceived = (m) => julietGot.push(m.getChildText('body') ?? '');
    romeo.messageReceived = (m) => romeoGot.push(m.getChildText('body') ?? '');
    let resumed = 0;
    juliet.sessionResumed = () => resumed++;
    await until(() => juliet.resumable, 'stream management enabled', server.log);

    romeo.sendMessage('juliet@localhost/balcony', 'm1');
    juliet.sendMessage('romeo@localhost/garden', 'j1');
    await until(() => julietGot.length === 1 && romeoGot.length === 1, 'the first messages', server.log);
    (juliet.transport as unknown as { abortConnection(): void }).abortConnection();
    juliet.sendMessage('romeo@localhost/garden', 'j2');
    romeo.sendMessage('juliet@localhost/balcony', 'm2');
    await until(() => resumed === 1 && julietGot.length >= 2 && romeoGot.length >= 2, 'the resumed session', server.log);
    await juliet.ping();
    await romeo.ping();
    assert.deepEqual(julietGot, ['m1', 'm2']);
    assert.deepEqual(romeoGot, ['j1', 'j2']);
    assert.equal(resumed, 1);
  });
});
