import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { connectedServerAndClient, failureResultOf, successResultOf, StringTransport } from '../testing/index.js';
import { AMP, Command, Integer, Unicode, responder, serializeBox } from './index.js';
import { UnhandledCommandError, UnknownRemoteError } from './errors.js';

class DivideByZero extends Error {}
class Fatal extends Error {}
const Divide = Command.define({
  name: 'Divide',
  arguments: { numerator: new Integer(), denominator: new Integer() },
  response: { result: new Integer() },
  errors: [[DivideByZero, 'ZERO_DIVISION']],
  fatalErrors: [[Fatal, 'FATAL']],
});
const Echo = Command.define({ name: 'Echo', arguments: { text: new Unicode() }, response: { text: new Unicode() } });
const Note = Command.define({ name: 'Note', arguments: { text: new Unicode() }, requiresAnswer: false });

function divider(): AMP {
  return new AMP().addResponder(Divide, ({ numerator, denominator }) => {
    if (denominator === 0) throw new DivideByZero('by zero');
    if (denominator === -1) throw new Fatal('stop');
    if (denominator === -2) throw new RangeError('undeclared');
    return { result: Math.trunc(Number(numerator) / Number(denominator)) };
  });
}

describe('AMP protocol, in memory', () => {
  test('callRemote gets the response; a declared error comes back as its class', () => {
    const { client, pump } = connectedServerAndClient(divider(), new AMP());
    const ok = client.callRemote(Divide, { numerator: 7, denominator: 2 });
    const bad = client.callRemote(Divide, { numerator: 7, denominator: 0 });
    pump.flush();
    assert.deepEqual(successResultOf(ok), { result: 3 });
    const f = failureResultOf(bad, DivideByZero);
    assert.equal((f.value as Error).message, 'by zero');
    assert.ok(!pump.closed);
  });

  test('an unknown command fails with TORSION_AMP_UNHANDLED and the connection stays', () => {
    const { client, pump } = connectedServerAndClient(new AMP(), new AMP());
    const d = client.callRemote(Echo, { text: 'x' });
    pump.flush();
    assert.equal((failureResultOf(d, UnhandledCommandError).value as UnhandledCommandError).code, 'TORSION_AMP_UNHANDLED');
    assert.ok(!pump.closed);
  });

  test('an undeclared error answers UNKNOWN and closes, as Twisted does; a fatal one closes too', () => {
    for (const [denominator, cls] of [[-2, UnknownRemoteError], [-1, Fatal]] as const) {
      const { client, pump } = connectedServerAndClient(divider(), new AMP());
      const d = client.callRemote(Divide, { numerator: 1, denominator });
      pump.flush();
      const f = failureResultOf(d, cls);
      if (f.value instanceof UnknownRemoteError) assert.equal(f.value.code, 'TORSION_AMP_UNKNOWN');
      assert.ok(pump.closed);
    }
  });

  test('responders may return a Promise or a Deferred; answers may come out of order', async () => {
    const later = new Deferred<{ text: string }>();
    const server = new AMP().addResponder(Echo, ({ text }) => (text === 'slow' ? later : Promise.resolve({ text: text.toUpperCase() })));
    const { client, pump } = connectedServerAndClient(server, new AMP());
    const slow = client.callRemote(Echo, { text: 'slow' });
    const fast = client.callRemote(Echo, { text: 'fast' });
    pump.flush();
    await new Promise((r) => setImmediate(r));
    pump.flush();
    assert.deepEqual(successResultOf(fast), { text: 'FAST' });
    later.callback({ text: 'done' });
    pump.flush();
    assert.deepEqual(successResultOf(slow), { text: 'done' });
  });

  test('@responder methods and requiresAnswer: false', () => {
    const seen: string[] = [];
    class Server extends AMP {
      @responder(Note)
      note({ text }: { text: string }) {
        seen.push(text);
        return {};
      }
      @responder(Echo)
      echo({ text }: { text: string }) {
        return { text: `${text}!` };
      }
    }
    const { client, pump } = connectedServerAndClient(new Server(), new AMP());
    assert.deepEqual(successResultOf(client.callRemote(Note, { text: 'n' })), {});
    const d = client.callRemote(Echo, { text: 'hi' });
    pump.flush();
    assert.deepEqual(seen, ['n']);
    assert.deepEqual(successResultOf(d), { text: 'hi!' });
  });

  test('outstanding calls fail when the connection is lost', () => {
    const { client, pump, clientTransport } = connectedServerAndClient(new AMP(), new AMP());
    const d = client.callRemote(Echo, { text: 'x' });
    clientTransport.loseConnection();
    pump.flush();
    failureResultOf(d);
  });

  test('a box answering a question never asked drops the connection', () => {
    const amp = new AMP();
    const t = new StringTransport();
    amp.makeConnection(t);
    amp.dataReceived(serializeBox(new Map([['_answer', new TextEncoder().encode('99')]])));
    assert.ok(t.disconnecting);
  });

  test('more commands waiting than maxPendingCommands drops the connection (slow-call flood)', () => {
    const never = new Deferred<{ text: string }>();
    const amp = new AMP({ limits: { maxPendingCommands: 3 } }).addResponder(Echo, () => never);
    const t = new StringTransport();
    amp.makeConnection(t);
    const call = (n: number) => serializeBox(new Map([['_command', 'Echo'], ['_ask', String(n)], ['text', 'x']]));
    for (let i = 1; i <= 3; i++) amp.dataReceived(call(i));
    assert.ok(!t.disconnecting);
    amp.dataReceived(call(4));
    assert.ok(t.disconnecting);
  });
});
