import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Failure } from '../defer/index.js';
import { Factory, Protocol } from '../internet/protocol.js';
import { connectedServerAndClient, failureResultOf, successResultOf } from '../testing/index.js';
import { AMP, Command, Integer, ProtocolSwitchCommand, Unicode } from './index.js';
import { AMPProtocolSwitchedError, UnknownRemoteError } from './errors.js';

class NotNow extends Error {}
const SwitchToUpper = ProtocolSwitchCommand.define({ name: 'SwitchToUpper', arguments: { greeting: new Unicode() }, errors: [[NotNow, 'NOT_NOW']] });
const Add = Command.define({ name: 'Add', arguments: { a: new Integer(), b: new Integer() }, response: { sum: new Integer() } });
const text = new TextEncoder();
const decode = (chunks: Uint8Array[]): string => chunks.map((c) => new TextDecoder().decode(c)).join('');

/** The server's protocol after the switch: says "welcome <greeting>" at once, then echoes in upper case. */
class UpperEcho extends Protocol {
  lost: Failure | undefined;
  constructor(private readonly greeting: string) {
    super();
  }
  override connectionMade(): void {
    this.transport.write(text.encode(`welcome ${this.greeting}\n`));
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(text.encode(new TextDecoder().decode(data).toUpperCase()));
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

/** The client's protocol after the switch: records what it hears, sends "hello" when connected. */
class Listener extends Protocol {
  heard: Uint8Array[] = [];
  override connectionMade(): void {
    this.transport.write(text.encode('hello'));
  }
  override dataReceived(data: Uint8Array): void {
    this.heard.push(data);
  }
}

class ListenerFactory extends Factory<Listener> {
  built: Listener[] = [];
  failed: Failure[] = [];
  lost: Failure[] = [];
  override buildProtocol(): Listener {
    const p = new Listener();
    this.built.push(p);
    return p;
  }
  clientConnectionFailed(_c: unknown, reason: Failure): void {
    this.failed.push(reason);
  }
  clientConnectionLost(_c: unknown, reason: Failure): void {
    this.lost.push(reason);
  }
}

function server(): { amp: AMP; inner: UpperEcho[] } {
  const inner: UpperEcho[] = [];
  const amp = new AMP()
    .addResponder(SwitchToUpper, ({ greeting }) => {
      if (greeting === 'later') throw new NotNow('not now');
      const p = new UpperEcho(greeting);
      inner.push(p);
      return p;
    })
    .addResponder(Add, ({ a, b }) => ({ sum: Number(a) + Number(b) }));
  return { amp, inner };
}

describe('ProtocolSwitchCommand', () => {
  test('after the answer both ends speak the new protocols; bytes right behind the answer reach the new protocol', () => {
    const { amp, inner } = server();
    const { client, pump } = connectedServerAndClient(amp, new AMP());
    const factory = new ListenerFactory();
    const d = client.callRemote(SwitchToUpper, { greeting: 'friend', _protoToSwitchToFactory: factory });
    pump.flush();
    assert.deepEqual(successResultOf(d), {});
    assert.equal(inner.length, 1);
    assert.equal(amp.innerProtocol, inner[0]);
    assert.equal(client.innerProtocol, factory.built[0]);
    assert.equal(decode(factory.built[0]!.heard), 'welcome friend\nHELLO', 'the welcome came in the same flush as the answer box');
    factory.built[0]!.transport.write(text.encode('more'));
    pump.flush();
    assert.equal(decode(factory.built[0]!.heard), 'welcome friend\nHELLOMORE');
  });

  test('while the switch is pending, and after it, AMP calls fail with TORSION_AMP_PROTOCOL_SWITCHED', () => {
    const { amp } = server();
    const { client, pump } = connectedServerAndClient(amp, new AMP());
    client.callRemote(SwitchToUpper, { greeting: 'x', _protoToSwitchToFactory: new ListenerFactory() });
    const during = client.callRemote(Add, { a: 1, b: 2 });
    assert.equal((failureResultOf(during, AMPProtocolSwitchedError).value as AMPProtocolSwitchedError).code, 'TORSION_AMP_PROTOCOL_SWITCHED');
    pump.flush();
    failureResultOf(client.callRemote(Add, { a: 1, b: 2 }), AMPProtocolSwitchedError);
  });

  test('a declared error: no switch, the factory told clientConnectionFailed, AMP goes on', () => {
    const { amp, inner } = server();
    const { client, pump } = connectedServerAndClient(amp, new AMP());
    const factory = new ListenerFactory();
    const d = client.callRemote(SwitchToUpper, { greeting: 'later', _protoToSwitchToFactory: factory });
    pump.flush();
    failureResultOf(d, NotNow);
    assert.deepEqual([inner.length, factory.built.length, factory.failed.length], [0, 0, 1]);
    const sum = client.callRemote(Add, { a: 2, b: 3 });
    pump.flush();
    assert.deepEqual(successResultOf(sum), { sum: 5 });
  });

  test('losing the connection tells the switched-to protocols (and the client factory)', () => {
    const { amp, inner } = server();
    const { client, pump } = connectedServerAndClient(amp, new AMP());
    const factory = new ListenerFactory();
    client.callRemote(SwitchToUpper, { greeting: 'x', _protoToSwitchToFactory: factory });
    pump.flush();
    client.transport.loseConnection();
    pump.flush();
    assert.ok(inner[0]!.lost !== undefined);
    assert.equal(factory.lost.length, 1);
  });

  test('a responder that returns no protocol answers UNKNOWN; a call without a factory is refused locally', () => {
    const amp = new AMP().addResponder(SwitchToUpper, () => ({}) as never);
    const { client, pump } = connectedServerAndClient(amp, new AMP());
    const d = client.callRemote(SwitchToUpper, { greeting: 'x', _protoToSwitchToFactory: new ListenerFactory() });
    pump.flush();
    failureResultOf(d, UnknownRemoteError);
    const { client: c2 } = connectedServerAndClient(server().amp, new AMP());
    failureResultOf(c2.callRemote(SwitchToUpper, { greeting: 'x' } as never));
  });

  test('a peer that sends half an AMP box while the switch is pending is dropped, not switched', () => {
    let answer: ((p: UpperEcho) => void) | undefined;
    const amp = new AMP().addResponder(SwitchToUpper, () => new Promise<UpperEcho>((resolve) => (answer = resolve)));
    const { client, pump } = connectedServerAndClient(amp, new AMP());
    client.callRemote(SwitchToUpper, { greeting: 'x', _protoToSwitchToFactory: new ListenerFactory() });
    pump.flush();
    amp.dataReceived(Uint8Array.of(0, 1, 0x6b, 0, 5, 0x61));
    const p = new UpperEcho('x');
    answer!(p);
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      pump.flush();
      assert.equal(amp.innerProtocol, undefined);
      assert.ok(pump.closed);
    });
  });
});
