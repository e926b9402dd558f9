import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Failure } from '../defer/index.js';
import { capturedLogEvents } from '../logger/index.js';
import { ProcessEndpoint } from './endpoints/process-endpoint.js';
import { ConnectionDone, ConnectionLost } from './error.js';
import { ProcessSpawnError } from './process.js';
import type { ProcessStreamTransport } from './process-stream.js';
import { Protocol } from './protocol.js';
import { NodeReactor } from './reactor.js';

const reactor = new NodeReactor();

class Collect extends Protocol<ProcessStreamTransport> {
  text = '';
  readonly lost: Promise<Failure>;
  #lost!: (f: Failure) => void;
  constructor() {
    super();
    this.lost = new Promise((resolve) => (this.#lost = resolve));
  }
  override dataReceived(data: Uint8Array): void {
    this.text += Buffer.from(data).toString();
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#lost(reason);
  }
}

describe('ProcessEndpoint', () => {
  test('a stream protocol talks to a program over its stdin and stdout; half-closing ends it cleanly', async () => {
    const p = new Collect();
    const proto = await new ProcessEndpoint(reactor, '/bin/cat', ['cat']).connect({ buildProtocol: () => p, doStart() {}, doStop() {} });
    assert.equal(proto, p);
    assert.equal(p.transport.getPeer().type, 'PROCESS');
    p.transport.writeSequence(['one ', 'two']);
    p.transport.loseWriteConnection();
    const reason = await p.lost;
    assert.ok(reason.check(ConnectionDone), reason.getErrorMessage());
    assert.equal(p.text, 'one two');
  });

  test('a program that fails is a lost connection naming its exit; its stderr is logged line by line', async () => {
    const logs = capturedLogEvents();
    try {
      const p = new Collect();
      await new ProcessEndpoint(reactor, '/bin/sh', ['sh', '-c', 'echo oops >&2; echo half >&2; exit 3']).connect({ buildProtocol: () => p, doStart() {}, doStop() {} });
      const reason = await p.lost;
      assert.ok(reason.check(ConnectionLost) && !reason.check(ConnectionDone), reason.getErrorMessage());
      assert.match(reason.getErrorMessage(), /exit code 3|code 3/);
      assert.deepEqual(logs.messages().filter((m) => m.includes('stderr')), ['/bin/sh stderr: oops', '/bin/sh stderr: half']);
    } finally {
      logs.stop();
    }
  });

  test('a program that cannot be started is a lost connection caused by ProcessSpawnError', async () => {
    const p = new Collect();
    await new ProcessEndpoint(reactor, '/nonexistent/program').connect({ buildProtocol: () => p, doStart() {}, doStop() {} });
    const reason = await p.lost;
    assert.ok(reason.check(ConnectionLost), reason.getErrorMessage());
    assert.ok((reason.value as Error).cause instanceof ProcessSpawnError);
  });
});
