/**
 * A client and server `SSHConnection` joined by the memory transport pair, with a fake clock and a wire
 * log of every payload in the order sent, plus a fake session and process for avatars. Not public API.
 * @module
 */
import { Failure } from '../../defer/index.js';
import { ProcessDone, ProcessTerminated } from '../../internet/error.js';
import type { IProcessTransport, IPullProducer, IPushProducer } from '../../internet/interfaces.js';
import { Clock } from '../../testing/index.js';
import { ConchUser, type ConchUserOptions } from '../connection/avatar.js';
import { SSHConnection } from '../connection/connection.js';
import type { IConchUser, ISession, PtyRequest, WindowSize } from '../connection/interfaces.js';
import type { ConnectionLimits } from '../connection/limits.js';
import type { SSHSessionProcessProtocol } from '../connection/session-protocol.js';
import { memoryTransportPair, type MemorySSHTransport } from './memory-transport.js';

/** One payload on the wire, and who sent it. */
export interface WireEntry {
  from: 'client' | 'server';
  payload: Uint8Array;
}

export interface ConnectionWorld {
  clock: Clock;
  client: MemorySSHTransport;
  server: MemorySSHTransport;
  clientConnection: SSHConnection;
  serverConnection: SSHConnection;
  wire: WireEntry[];
}

/** Starts both connection services; `avatar` decides on the server, `clientAvatar` on the client. */
export function connectionWorld(
  options: { avatar?: IConchUser; clientAvatar?: IConchUser; serverLimits?: Partial<ConnectionLimits>; clientLimits?: Partial<ConnectionLimits> } = {},
): ConnectionWorld {
  const clock = new Clock();
  const { client, server } = memoryTransportPair();
  const wire: WireEntry[] = [];
  for (const [side, transport] of [
    ['client', client],
    ['server', server],
  ] as const) {
    const send = transport.sendPacket.bind(transport);
    transport.sendPacket = (payload) => {
      if (transport.disconnected === undefined) wire.push({ from: side, payload });
      send(payload);
    };
  }
  const serverConnection = new SSHConnection({ avatar: options.avatar, clock, limits: options.serverLimits });
  const clientConnection = new SSHConnection({ avatar: options.clientAvatar, clock, limits: options.clientLimits });
  server.setService(serverConnection);
  client.setService(clientConnection);
  return { clock, client, server, clientConnection, serverConnection, wire };
}

/** A process stand-in: records stdin, and lets a test end it. */
export class FakeProcess implements Partial<IProcessTransport> {
  readonly pid = 1;
  readonly stdin: Uint8Array[] = [];
  stdinClosed = false;
  readonly signals: string[] = [];
  producer: IPushProducer | IPullProducer | undefined;
  paused = false;
  onStdinClosed: (() => void) | undefined;

  write(data: Uint8Array | string): void {
    this.stdin.push(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }
  closeStdin(): void {
    this.stdinClosed = true;
    this.onStdinClosed?.();
  }
  signalProcess(signal: string | number): void {
    this.signals.push(String(signal));
  }
  registerProducer(producer: IPushProducer | IPullProducer): void {
    this.producer = producer;
  }
  unregisterProducer(): void {
    this.producer = undefined;
  }
  pauseProducing(): void {
    this.paused = true;
  }
  resumeProducing(): void {
    this.paused = false;
  }
  stopProducing(): void {}
  loseConnection(): void {}
}

/** The end of a fake process: exit status, or a signal. */
export function exited(status: number | string): Failure {
  if (typeof status === 'string') return new Failure(new ProcessTerminated(null, status));
  return new Failure(status === 0 ? new ProcessDone() : new ProcessTerminated(status, null));
}

/** A session whose commands a test scripts: `run(protocol, command, process)` decides what happens. */
export class FakeSession implements ISession {
  readonly commands: string[] = [];
  readonly env: Array<[string, string]> = [];
  readonly sizes: WindowSize[] = [];
  readonly signalsReceived: string[] = [];
  pty: PtyRequest | undefined;
  closedCalls = 0;
  readonly process = new FakeProcess();
  protocol: SSHSessionProcessProtocol | undefined;

  constructor(readonly run: (protocol: SSHSessionProcessProtocol, command: string, process: FakeProcess) => void) {}

  getPty(request: PtyRequest): void {
    this.pty = request;
  }
  setEnv(name: string, value: string): void {
    this.env.push([name, value]);
  }
  openShell(protocol: SSHSessionProcessProtocol): void {
    this.execCommand(protocol, '');
  }
  execCommand(protocol: SSHSessionProcessProtocol, command: string): void {
    this.commands.push(command);
    this.protocol = protocol;
    protocol.makeConnection(this.process as unknown as IProcessTransport);
    this.run(protocol, command, this.process);
  }
  windowChanged(size: WindowSize): void {
    this.sizes.push(size);
  }
  signal(name: string): void {
    this.signalsReceived.push(name);
  }
  closed(): void {
    this.closedCalls++;
  }
}

/** A `ConchUser` whose sessions are `session` (one instance for every channel, for inspection). */
export function fakeUser(session: FakeSession | (() => FakeSession), options: ConchUserOptions = {}): ConchUser {
  return new ConchUser('alice', { ...options, session: typeof session === 'function' ? session : () => session });
}
