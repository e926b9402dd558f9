/**
 * `MakePair` functions over pipes, for the conformance suite: `StandardIO` at both ends of two `cat`
 * processes (real pipes both ways), and a stream protocol over a child process (`ProcessEndpoint`) whose
 * program relays its stdin and stdout to a TCP connection.
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { IListeningPort, IProtocol } from '../interfaces.js';
import { ProcessEndpoint } from '../endpoints/process-endpoint.js';
import type { NodeReactor } from '../reactor.js';
import { StandardIO } from '../stdio.js';
import type { PairHandle } from '../../testing/conformance/index.js';
import { eventually } from '../../testing/index.js';
import { factoryFor } from './real-pairs.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 2));

function connected(server: IProtocol, client: IProtocol, failed: () => string | undefined = () => undefined): Promise<unknown> {
  const s = server as { connected?: boolean };
  const c = client as { connected?: boolean };
  return eventually(
    () => {
      const why = failed();
      if (why !== undefined) throw new Error(`connect failed: ${why}`);
      return s.connected && c.connected;
    },
    { message: 'both ends to connect', step: tick },
  );
}

/**
 * `StandardIO` at both ends: the client writes into one `cat`, whose output the server reads, and the other
 * `cat` carries the answers back.
 */
export function stdioPair() {
  return async (server: IProtocol, client: IProtocol): Promise<PairHandle> => {
    const cats: ChildProcess[] = [spawn('cat'), spawn('cat')];
    const [up, down] = cats as [ChildProcess, ChildProcess];
    for (const cat of cats) for (const s of [cat.stdin, cat.stdout]) s!.on('error', () => {});
    new StandardIO(server, { stdin: up.stdout!, stdout: down.stdin! });
    new StandardIO(client, { stdin: down.stdout!, stdout: up.stdin! });
    await connected(server, client);
    return {
      settle: tick,
      async cleanup() {
        for (const cat of cats) if (cat.exitCode === null && cat.signalCode === null) cat.kill('SIGKILL');
      },
    };
  };
}

/**
 * The child's program: relays its stdin to a TCP connection to 127.0.0.1:argv[1] (end of input half-closes
 * it), and the connection to its stdout; it exits once the server has closed (stdout cannot be half-closed).
 */
const RELAY = `
const net = require('node:net');
const socket = net.connect({ host: '127.0.0.1', port: Number(process.argv[1]), allowHalfOpen: true });
process.stdin.pipe(socket);
socket.pipe(process.stdout, { end: false });
const exit = () => process.stdout.write('', () => process.exit(0));
socket.on('end', exit);
socket.on('close', exit);
socket.on('error', () => process.exit(1));
`;

/**
 * Node, to run the relay: this process's own binary when the tests run on Node; under Deno or Bun (see
 * src/testing/runtimes) the `node` on the PATH, as the relay is a Node program.
 */
function nodeBinary(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (!g.Deno && !g.Bun) return process.execPath;
  return execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim();
}

/** The client over a child process (`ProcessEndpoint`) relaying to the server over TCP on 127.0.0.1. */
export function processPair(reactor: NodeReactor) {
  return async (server: IProtocol, client: IProtocol): Promise<PairHandle> => {
    const port: IListeningPort = reactor.listenTCP(0, factoryFor(server), { interface: '127.0.0.1' });
    const number = (port.getHost() as unknown as { port: number }).port;
    let failure: string | undefined;
    new ProcessEndpoint(reactor, nodeBinary(), ['node', '-e', RELAY, String(number)], { stderr: 'drain' })
      .connect(factoryFor(client))
      .addErrback((f) => {
        failure = f.getErrorMessage();
      });
    await connected(server, client, () => failure);
    return {
      settle: tick,
      async cleanup() {
        for (const p of [client, server] as { transport?: { abortConnection?(): void }; connected?: boolean }[]) {
          if (p.connected) p.transport?.abortConnection?.();
        }
        await port.stopListening();
      },
    };
  };
}
