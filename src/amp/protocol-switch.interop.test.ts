import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Factory, Protocol, reactor, type IListeningPort, type IPv4Address } from '../internet/index.js';
import { connectProtocol, TCPClientEndpoint } from '../internet/endpoints/index.js';
import { requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { AMP, ProtocolSwitchCommand, Unicode } from './index.js';

const script = fileURLToPath(new URL('./test-support/twisted_switch.py', import.meta.url));
class NotNow extends Error {}
const SwitchToUpper = ProtocolSwitchCommand.define({ name: 'SwitchToUpper', arguments: { greeting: new Unicode() }, errors: [[NotNow, 'NOT_NOW']] });
const text = new TextEncoder();

/** Sends `say` once connected; resolves `heard` with everything received once it ends with `until`. */
class Listener extends Protocol {
  #got = '';
  readonly heard: Promise<string>;
  #resolve!: (s: string) => void;
  constructor(private readonly say: string, private readonly until: string) {
    super();
    this.heard = new Promise((r) => (this.#resolve = r));
  }
  override connectionMade(): void {
    this.transport.write(text.encode(this.say));
  }
  override dataReceived(data: Uint8Array): void {
    this.#got += new TextDecoder().decode(data);
    if (this.#got.endsWith(this.until)) this.#resolve(this.#got);
  }
}

describe('ProtocolSwitchCommand against Python Twisted (python3-twisted)', { timeout: 60_000 }, () => {
  let python: string;
  before(() => {
    python = requirePeer('/usr/bin/python3', 'python3-twisted');
  });

  describe('Torsion calling a Twisted server', () => {
    let peer: PeerProgram;
    before(async () => {
      peer = await startPeerProgram({ executable: python, name: 'twisted amp switch', args: (port) => [script, 'server', String(port)], ready: /listening on/ });
    });
    after(async () => {
      await peer?.stop();
    });

    test('a declared error leaves AMP in place; then the switch, and Twisted greets and echoes on the same connection', async () => {
      const amp = await connectProtocol(new TCPClientEndpoint(reactor, '127.0.0.1', peer.port), new AMP());
      const refused = new Factory<Listener>();
      refused.buildProtocol = () => assert.fail('no protocol is built when the switch is refused');
      await assert.rejects(amp.callRemote(SwitchToUpper, { greeting: 'later', _protoToSwitchToFactory: refused }).asPromise(), NotNow);
      const listener = new Listener('torsion', 'TORSION');
      const factory = new Factory<Listener>();
      factory.buildProtocol = () => listener;
      await amp.callRemote(SwitchToUpper, { greeting: 'node', _protoToSwitchToFactory: factory }).asPromise();
      assert.equal(await listener.heard, 'welcome node\nTORSION');
      listener.transport.loseConnection();
    });
  });

  describe('Twisted calling a Torsion server', () => {
    let port: IListeningPort;
    before(() => {
      const factory = new Factory<AMP>();
      factory.buildProtocol = () => new AMP().addResponder(SwitchToUpper, ({ greeting }) => {
        if (greeting === 'later') throw new NotNow('not now');
        return new (class extends Protocol {
          override connectionMade(): void {
            this.transport.write(text.encode(`welcome ${greeting}\n`));
          }
          override dataReceived(data: Uint8Array): void {
            this.transport.write(text.encode(new TextDecoder().decode(data).toUpperCase()));
          }
        })();
      });
      port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    });
    after(async () => {
      await port?.stopListening();
    });

    test('Twisted sees the declared error, then switches and talks to the Torsion protocol', async () => {
      const output = await new Promise<string>((resolve, reject) => {
        execFile(python, [script, 'client', String((port.getHost() as IPv4Address).port)], { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
      });
      assert.deepEqual(JSON.parse(output.trim().split('\n').pop()!), { later: 'NotNow: not now', heard: 'welcome python\nPYTHON' });
    });
  });
});
