/**
 * `MakePair` functions over real sockets (TCP, TLS, Unix) for the conformance suite and other tests.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IAddress, IProtocol, IListeningPort, ITLSTransport, TLSOptions } from '../interfaces.js';
import { ClientFactory, Factory } from '../protocol.js';
import type { NodeReactor } from '../reactor.js';
import type { MakePair, PairHandle } from '../../testing/conformance/index.js';
import { connectedServerAndClient, eventually } from '../../testing/index.js';
import { wrapTLS } from '../tls-wrapper.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 2));

/** A factory that hands out one given protocol. */
export function factoryFor(p: IProtocol): Factory & ClientFactory {
  const f = new ClientFactory();
  f.buildProtocol = (_addr: IAddress) => p;
  return f;
}

type Connect = (reactor: NodeReactor, client: ClientFactory, port: IListeningPort) => void;
type Listen = (reactor: NodeReactor, server: Factory) => IListeningPort;

async function pairOver(reactor: NodeReactor, listen: Listen, connect: Connect, server: IProtocol, client: IProtocol, extraCleanup?: () => void): Promise<PairHandle> {
  const port = listen(reactor, factoryFor(server));
  const failed: string[] = [];
  const cf = factoryFor(client);
  cf.clientConnectionFailed = (_c, reason) => failed.push(reason.getErrorMessage());
  connect(reactor, cf, port);
  const s = server as { connected?: boolean };
  const c = client as { connected?: boolean };
  await eventually(
    () => {
      if (failed.length > 0) throw new Error(`connect failed: ${failed[0]}`);
      return s.connected && c.connected;
    },
    { message: 'both ends to connect', step: tick },
  );
  return {
    settle: tick,
    async cleanup() {
      for (const p of [client, server] as { transport?: { abortConnection?(): void }; connected?: boolean }[]) {
        if (p.connected) p.transport?.abortConnection?.();
      }
      await port.stopListening();
      extraCleanup?.();
    },
  };
}

function portOf(p: IListeningPort): number {
  return (p.getHost() as unknown as { port: number }).port;
}

/** TCP on 127.0.0.1 (or ::1 with `host`). */
export function tcpPair(reactor: NodeReactor, host = '127.0.0.1') {
  return (server: IProtocol, client: IProtocol): Promise<PairHandle> =>
    pairOver(
      reactor,
      (r, f) => r.listenTCP(0, f, { interface: host }),
      (r, f, port) => r.connectTCP(host, portOf(port), f),
      server,
      client,
    );
}

/** TLS on 127.0.0.1, the client verifying `serverOptions.cert` as its CA. */
export function tlsPair(reactor: NodeReactor, serverOptions: TLSOptions, clientOptions: TLSOptions) {
  return (server: IProtocol, client: IProtocol): Promise<PairHandle> =>
    pairOver(
      reactor,
      (r, f) => r.listenSSL(0, f, serverOptions, { interface: '127.0.0.1' }),
      (r, f, port) => r.connectSSL('127.0.0.1', portOf(port), f, clientOptions),
      server,
      client,
    );
}

/** A Unix socket in a fresh temporary directory. */
export function unixPair(reactor: NodeReactor) {
  return (server: IProtocol, client: IProtocol): Promise<PairHandle> => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-unix-'));
    const path = join(dir, 's.sock');
    return pairOver(
      reactor,
      (r, f) => r.listenUNIX(path, f),
      (r, f) => r.connectUNIX(path, f),
      server,
      client,
      () => rmSync(dir, { recursive: true, force: true }),
    );
  };
}

/**
 * A plain pair made by `plain`, switched to TLS with `startTLS` at both ends before the suite runs over it:
 * the server with `serverOptions`, the client verifying with `clientOptions`.
 */
export function startTLSPair(plain: (server: IProtocol, client: IProtocol) => Promise<PairHandle>, serverOptions: TLSOptions, clientOptions: TLSOptions) {
  return async (server: IProtocol, client: IProtocol): Promise<PairHandle> => {
    const pair = await plain(server, client);
    const s = (server as unknown as { transport: ITLSTransport }).transport;
    const c = (client as unknown as { transport: ITLSTransport }).transport;
    s.startTLS(serverOptions, true);
    c.startTLS(clientOptions, false);
    await eventually(() => c.getPeerCertificate() !== null && s.negotiatedProtocol === c.negotiatedProtocol, { message: 'the STARTTLS handshake', step: pair.settle });
    return pair;
  };
}

/**
 * TLS done by `TLSWrapperProtocol` on top of the plain pair `plain` makes (TCP, the loopback...): resolves
 * once the wrapped protocols are connected, that is once the handshake is done.
 */
export function wrapperPair(plain: MakePair, serverOptions: TLSOptions, clientOptions: TLSOptions) {
  return async (server: IProtocol, client: IProtocol): Promise<PairHandle> => {
    const outer = await plain(wrapTLS(server, serverOptions, false), wrapTLS(client, clientOptions, true));
    // The wrapper's TLS socket lives on Node's loop: let it turn too, not only the outer pair.
    const settle = async (): Promise<void> => {
      await outer.settle();
      await new Promise((r) => setImmediate(r));
    };
    await eventually(() => (server as { connected?: boolean }).connected && (client as { connected?: boolean }).connected, { message: 'the TLS wrapper to connect', step: settle });
    return { settle, cleanup: outer.cleanup };
  };
}

/** The in-memory loopback of `torsion/testing`; with `tls`, TLS from the start (and the handshake done before the suite runs). */
export function loopbackPair(withTLS?: { server: TLSOptions; client: TLSOptions }) {
  return async (server: IProtocol, client: IProtocol): Promise<PairHandle> => {
    const { pump, clientTransport } = connectedServerAndClient(server, client, withTLS ? { tls: withTLS } : {});
    const settle = () => pump.settle();
    const connected = (p: IProtocol) => (p as { connected?: boolean }).connected === true;
    // With TLS the loopback connects the protocols at once and handshakes behind them: wait for it, as
    // listenSSL and connectSSL do before connectionMade.
    await eventually(() => connected(server) && connected(client) && (withTLS === undefined || clientTransport.getPeerCertificate() !== null), {
      message: 'the loopback to connect',
      step: settle,
    });
    return { settle, cleanup: async () => {} };
  };
}
