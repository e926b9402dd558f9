/**
 * The client's stream management (XEP-0198) and automatic reconnection, against Torsion's own server
 * protocol over in-memory transports on the fake clock: a connection dropped mid-conversation is resumed with
 * nothing lost or sent twice, a session the server forgot is replaced by a fresh one, back-off and giving up,
 * and the refusals (an acknowledgement of more than was sent, too many stanzas waiting).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Failure, fail } from '../../defer/index.js';
import { ConnectionLost } from '../../internet/error.js';
import { Clock, StringTransport, failureResultOf, successResultOf } from '../../testing/index.js';
import { XMPPNotConnectedError, XMPPStreamManagementError } from '../errors.js';
import type { XMPPLimits } from '../limits.js';
import { XMPPServerProtocol } from '../server/c2s.js';
import { XMPPLocalRouter } from '../server/router.js';
import { StreamResumption } from '../server/stream-management.js';
import { XMPPClient, type XMPPClientOptions } from './client.js';

interface Link {
  client: XMPPClient;
  server: XMPPServerProtocol;
  ct: StringTransport;
  st: StringTransport;
}

/** Torsion's server and clients joined by pairs of StringTransports; bytes move only on `pump()`. */
class Net {
  readonly clock = new Clock();
  readonly router = new XMPPLocalRouter();
  readonly resumption = new StreamResumption<XMPPServerProtocol>();
  readonly links: Link[] = [];
  constructor(readonly serverLimits: Partial<XMPPLimits> = {}) {}

  connect(client: XMPPClient): Link {
    const server = new XMPPServerProtocol({ domain: 'example.com', authenticator: { checkPassword: (u, p) => p === `${u}-pw` }, router: this.router, resumption: this.resumption, clock: this.clock, limits: this.serverLimits });
    const st = new StringTransport({ secure: true });
    const ct = new StringTransport({ secure: true });
    const link = { client, server, ct, st };
    this.links.push(link);
    server.makeConnection(st);
    client.makeConnection(ct);
    return link;
  }

  client(user: string, options: Partial<XMPPClientOptions> = {}): XMPPClient {
    const client = new XMPPClient({ jid: `${user}@example.com`, password: `${user}-pw`, resource: 'r', clock: this.clock, reconnect: (c) => void this.connect(c), ...options });
    this.connect(client);
    this.pump();
    return client;
  }

  /** Moves bytes both ways until nothing is left, on links still up. */
  pump(): void {
    for (let moved = true, turns = 0; moved; turns++) {
      assert.ok(turns < 1000, 'the conversation settles');
      moved = false;
      for (const l of this.links) {
        if (!l.client.connected || !l.server.connected) continue;
        for (const [from, to] of [[l.ct, l.server], [l.st, l.client]] as const) {
          const bytes = from.value();
          if (bytes.length === 0) continue;
          from.clear();
          moved = true;
          to.dataReceived(bytes);
        }
      }
    }
  }

  /** The connection of `client` drops, both ends told; whatever was written and not pumped is lost. */
  drop(client: XMPPClient): void {
    const l = this.links.find((x) => x.client === client && x.client.connected)!;
    l.ct.clear();
    l.st.clear();
    l.server.connectionLost(new Failure(new ConnectionLost()));
    l.client.connectionLost(new Failure(new ConnectionLost()));
  }

  /** What `client` wrote on its newest connection (for checking what was sent again). */
  latest(client: XMPPClient): Link {
    return this.links.filter((x) => x.client === client).at(-1)!;
  }
}

function inbox(client: XMPPClient): string[] {
  const bodies: string[] = [];
  client.messageReceived = (m) => bodies.push(m.getChildText('body') ?? '');
  return bodies;
}

describe('XMPPClient stream management (XEP-0198) and reconnection', () => {
  test('a connection dropped mid-conversation is resumed: each side gets every stanza exactly once, IQs survive', () => {
    const net = new Net();
    const juliet = net.client('juliet');
    const romeo = net.client('romeo', { streamManagement: false });
    assert.equal(successResultOf(juliet.ready).toString(), 'juliet@example.com/r');
    assert.ok(juliet.resumable, 'enabled with resumption after binding');
    assert.equal(romeo.resumable, false);
    const julietGot = inbox(juliet);
    const romeoGot = inbox(romeo);
    const events: string[] = [];
    juliet.reconnecting = (attempt, delay) => events.push(`reconnecting ${attempt} in ${delay}s`);
    juliet.sessionResumed = () => events.push('resumed');

    for (const n of [1, 2, 3]) romeo.sendMessage('juliet@example.com/r', `m${n}`);
    juliet.sendMessage('romeo@example.com/r', 'j1');
    juliet.sendMessage('romeo@example.com/r', 'j2');
    net.pump();
    assert.deepEqual(julietGot, ['m1', 'm2', 'm3']);
    // Written, never delivered: the connection drops under them.
    juliet.sendMessage('romeo@example.com/r', 'j3');
    const ping = juliet.ping();
    net.drop(juliet);
    for (const n of [4, 5]) romeo.sendMessage('juliet@example.com/r', `m${n}`);
    juliet.sendMessage('romeo@example.com/r', 'j4');
    net.pump();
    assert.deepEqual(events, ['reconnecting 1 in 1s']);
    assert.equal(ping.called, false, 'an IQ waits for the resumed session');

    net.clock.advance(1);
    net.pump();
    assert.deepEqual(events, ['reconnecting 1 in 1s', 'resumed']);
    assert.deepEqual(julietGot, ['m1', 'm2', 'm3', 'm4', 'm5'], 'h=3 told the server m1-m3 arrived: only m4, m5 come again');
    assert.deepEqual(romeoGot, ['j1', 'j2', 'j3', 'j4'], 'the server acknowledged j1, j2: j3, j4 are sent again, once');
    assert.equal(successResultOf(ping).getAttribute('type'), 'result');
    assert.deepEqual(juliet.unacknowledged, [], 'the server acknowledged everything sent again');
    juliet.sendMessage('romeo@example.com/r', 'j5');
    net.pump();
    assert.deepEqual(romeoGot, ['j1', 'j2', 'j3', 'j4', 'j5'], 'the resumed session goes on');
  });

  test('when the server forgot the session, a fresh one is bound: unacknowledged messages sent again, IQs fail', () => {
    const net = new Net({ resumeTimeout: 0.5 });
    const juliet = net.client('juliet', { limits: { ackRequestEvery: 1 } });
    const romeo = net.client('romeo');
    const romeoGot = inbox(romeo);
    const starts: string[] = [];
    juliet.sessionStarted = (jid) => starts.push(jid.toString());
    juliet.sendPresence({ status: 'here' });
    juliet.sendMessage('romeo@example.com/r', 'j1');
    net.pump();
    juliet.sendMessage('romeo@example.com/r', 'j2');
    const roster = juliet.getRoster();
    net.drop(juliet);
    net.clock.advance(1);
    net.pump();
    assert.ok(failureResultOf(roster).value instanceof XMPPStreamManagementError, 'the old session is gone, and so is the answer');
    assert.deepEqual(starts, ['juliet@example.com/r'], 'a fresh session started');
    assert.ok(juliet.resumable, 'stream management enabled again');
    assert.deepEqual(romeoGot, ['j1', 'j2'], 'j1 was acknowledged; only j2 was sent again');
    assert.equal(net.router.sessions.length, 2, 'the forgotten session is not bound beside the fresh one');
  });

  test('the fresh session re-sends the last broadcast presence', () => {
    const net = new Net({ resumeTimeout: 0.5 });
    const juliet = net.client('juliet');
    juliet.sendPresence({ status: 'here' });
    net.pump();
    net.drop(juliet);
    net.clock.advance(1);
    const link = net.latest(juliet);
    const written: string[] = [];
    const write = link.ct.write.bind(link.ct);
    link.ct.write = (data) => (written.push(Buffer.from(typeof data === 'string' ? data : data).toString()), write(data));
    net.pump();
    const text = written.join('');
    assert.match(text, /<resume xmlns="urn:xmpp:sm:3" previd="[0-9a-f]+" h="\d+"\/>[\s\S]*<bind [\s\S]*<enable xmlns="urn:xmpp:sm:3" resume="true"\/><presence[^>]*><status>here<\/status><\/presence>/);
  });

  test('back-off doubles up to its limit, and the client gives up after the named number of attempts', () => {
    const net = new Net();
    let attempts = 0;
    const juliet = net.client('juliet', { limits: { maxReconnectAttempts: 4, reconnectMaxDelay: 3 } });
    (juliet.options as { reconnect?: unknown }).reconnect = () => (attempts++, fail(new Error('connection refused')));
    const delays: number[] = [];
    juliet.reconnecting = (_a, delay) => delays.push(delay);
    const failures: Error[] = [];
    juliet.streamFailed = (e) => failures.push(e);
    net.drop(juliet);
    for (let i = 0; i < 20; i++) net.clock.advance(1);
    assert.deepEqual(delays, [1, 2, 3, 3]);
    assert.equal(attempts, 4);
    assert.ok(failures[0] instanceof XMPPStreamManagementError);
    assert.match(failures[0]!.message, /gave up reconnecting after 4 failed attempts: connection refused/);
    assert.throws(() => juliet.sendMessage('romeo@example.com', 'x'), XMPPNotConnectedError);
  });

  test('a transient stream error (system-shutdown) reconnects; a final one (conflict) does not', () => {
    for (const [condition, expected] of [['system-shutdown', 1], ['conflict', 0]] as const) {
      const net = new Net();
      let reconnects = 0;
      const juliet = net.client('juliet', { reconnect: () => void reconnects++ });
      juliet.dataReceived(Buffer.from(`<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`));
      net.drop(juliet);
      net.clock.advance(1);
      assert.equal(reconnects, expected, condition);
    }
  });

  test('autoReconnect false: a drop ends the client, its IQs fail at once', () => {
    const net = new Net();
    let reconnects = 0;
    const juliet = net.client('juliet', { autoReconnect: false, reconnect: () => void reconnects++ });
    const ping = juliet.ping();
    net.drop(juliet);
    net.clock.advance(120);
    assert.equal(reconnects, 0);
    assert.ok(failureResultOf(ping).value instanceof XMPPNotConnectedError);
  });

  test('close() while waiting to reconnect cancels the reconnection', () => {
    const net = new Net();
    let reconnects = 0;
    const juliet = net.client('juliet', { reconnect: () => void reconnects++ });
    net.drop(juliet);
    juliet.close();
    net.clock.advance(120);
    assert.equal(reconnects, 0);
    assert.throws(() => juliet.sendMessage('romeo@example.com', 'x'), XMPPNotConnectedError);
  });

  test('an acknowledgement of more than was sent ends the stream with a clear error', () => {
    const net = new Net();
    const juliet = net.client('juliet', { autoReconnect: false });
    juliet.sendMessage('romeo@example.com', 'one');
    const link = net.latest(juliet);
    juliet.dataReceived(Buffer.from(`<a xmlns='urn:xmpp:sm:3' h='7'/>`));
    assert.ok(juliet.streamError instanceof XMPPStreamManagementError);
    assert.match(juliet.streamError.message, /acknowledged h=7/);
    assert.ok(link.ct.disconnecting);
  });

  test('too many stanzas waiting for acknowledgement: send refuses the next one; an idle client asks for acknowledgement', () => {
    const net = new Net();
    const juliet = net.client('juliet', { limits: { maxUnackedStanzas: 3, ackRequestEvery: 100 } });
    for (const n of [1, 2, 3]) juliet.sendMessage('romeo@example.com', `m${n}`);
    assert.throws(() => juliet.sendMessage('romeo@example.com', 'm4'), XMPPStreamManagementError);
    net.pump();
    assert.equal(juliet.unacknowledged.length, 3, 'nothing asked for an acknowledgement yet');
    net.clock.advance(60);
    net.pump();
    assert.deepEqual(juliet.unacknowledged, [], 'idle, the client asked for an acknowledgement instead of a whitespace keepalive');
    juliet.sendMessage('romeo@example.com', 'm4');
    juliet.dataReceived(Buffer.from(`<r xmlns='urn:xmpp:sm:3'/>`));
    assert.match(net.latest(juliet).ct.valueString(), /<a xmlns="urn:xmpp:sm:3" h="\d+"\/>/, 'the client answers a request with its count');
  });
});
