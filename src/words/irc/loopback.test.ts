/**
 * Torsion's own IRCClient against the server over the in-memory loopback (`connectedServerAndClient`),
 * with one fake clock for both ends: the two halves of `torsion/irc` agree without a socket.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedServerAndClient, type IOPump } from '../../testing/index.js';
import { IRCClient } from '../../irc/client.js';
import { Harness } from './test-support/harness.js';

class Recorder extends IRCClient {
  readonly events: string[] = [];
  override signedOn(): void {
    this.events.push('signedOn');
  }
  override joined(channel: string): void {
    this.events.push(`joined ${channel}`);
  }
  override userJoined(user: string, channel: string): void {
    this.events.push(`userJoined ${user} ${channel}`);
  }
  override privmsg(user: string, channel: string, message: string): void {
    this.events.push(`privmsg ${user} ${channel} ${message}`);
  }
  override modeChanged(user: string, channel: string, set: boolean, modes: string, args: Array<string | undefined>): void {
    this.events.push(`mode ${user} ${channel} ${set ? '+' : '-'}${modes} ${args.join(',')}`);
  }
  override kickedFrom(channel: string, kicker: string, message: string): void {
    this.events.push(`kickedFrom ${channel} ${kicker} ${message}`);
  }
}

describe('IRCClient against the IRC server in memory', () => {
  // Every exchange again with bytes delivered in chunks of 1, 3 and 17 bytes, as for every framing.
  for (const chunkSize of [undefined, 1, 3, 17]) {
    test(`sign on, join, messages both ways, a mode and a kick (chunks: ${chunkSize ?? 'whole'})`, () => {
      const h = new Harness();
      const pumps: IOPump[] = [];
      const connect = (nickname: string): Recorder => {
        const client = new Recorder({ nickname, clock: h.clock });
        pumps.push(connectedServerAndClient(h.factory, client, { clock: h.clock, chunkSize }).pump);
        return client;
      };
      const settle = (): void => {
        for (let i = 0; i < 5; i++) {
          h.clock.advance(1);
          for (const p of pumps) p.flush();
        }
      };
      const alice = connect('alice');
      const bob = connect('bob');
      settle();
      assert.deepEqual([alice.events.shift(), bob.events.shift()], ['signedOn', 'signedOn']);

      alice.join('#loop');
      settle();
      bob.join('#loop');
      settle();
      assert.deepEqual(alice.events.splice(0), ['joined #loop', 'userJoined bob #loop']);
      assert.deepEqual(bob.events.splice(0), ['joined #loop']);

      bob.say('#loop', 'hi alice');
      alice.msg('bob', 'hi bob, privately');
      settle();
      assert.deepEqual(alice.events.splice(0), ['privmsg bob!bob@192.168.1.1 #loop hi alice']);
      assert.deepEqual(bob.events.splice(0), ['privmsg alice!alice@192.168.1.1 bob hi bob, privately']);

      alice.mode('#loop', true, 'v', 'bob');
      settle();
      assert.deepEqual(bob.events.splice(0), ['mode alice!alice@192.168.1.1 #loop +v bob']);
      alice.kick('#loop', 'bob', 'that is all');
      settle();
      assert.deepEqual(bob.events.splice(0), ['kickedFrom #loop alice that is all']);
      assert.equal(h.service.findRoom('#loop')?.size, 1);
    });
  }

  test('a client that stops reading is dropped with SendQ exceeded once its unread bytes pass sendQ', () => {
    const h = new Harness({ sendQ: 16 * 1024, flood: false });
    const connect = (nickname: string) => {
      const client = new Recorder({ nickname, clock: h.clock, floodRate: Infinity });
      const { pump, serverTransport, clientTransport } = connectedServerAndClient(h.factory, client, { clock: h.clock });
      return { client, pump, serverTransport, clientTransport };
    };
    const talker = connect('talker');
    const stalled = connect('stalled');
    const settle = (): void => {
      for (let i = 0; i < 5; i++) {
        h.clock.advance(1);
        talker.pump.flush();
        stalled.pump.flush();
      }
    };
    settle();
    talker.client.join('#busy');
    stalled.client.join('#busy');
    settle();
    stalled.clientTransport.pauseProducing();
    for (let i = 0; i < 200 && !stalled.serverTransport.disconnected; i++) {
      talker.client.say('#busy', `${'filler '.repeat(60)}${i}`);
      talker.pump.flush();
      stalled.pump.flush();
    }
    assert.equal(stalled.serverTransport.disconnected, true, 'dropped over a transport with no Node socket under it');
    assert.equal(h.service.findRoom('#busy')?.size, 1);
  });
});
