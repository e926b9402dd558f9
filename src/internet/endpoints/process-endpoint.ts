/**
 * `ProcessEndpoint` (Twisted's): "connecting" starts a child process and runs the factory's protocol over
 * its stdin and stdout, through a {@link ProcessStreamTransport}.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { ProcessAddress } from '../address.js';
import type { IProtocol, IProtocolFactory, IReactorProcess, SpawnOptions } from '../interfaces.js';
import { ProcessStreamProtocol, type StandardErrorBehavior } from '../process-stream.js';
import type { IStreamClientEndpoint } from './interfaces.js';

/** Options of a {@link ProcessEndpoint}: `spawnProcess`'s, and what becomes of the child's stderr. */
export interface ProcessEndpointOptions extends SpawnOptions {
  /** `'log'` (default): each line the child writes on stderr is logged; `'drain'`: read and dropped. */
  stderr?: StandardErrorBehavior;
}

/**
 * Runs a program and speaks to it as to a server: `connect(factory)` spawns `executable` with `args`
 * (`args[0]` is the name it sees as its own) and fires with the protocol once `connectionMade` has run.
 * A program that cannot be started shows as the connection being lost at once (with the reason).
 *
 * @example
 * const proto = await connectProtocol(new ProcessEndpoint(reactor, '/usr/bin/bc', ['bc', '-q']), new Lines());
 * proto.sendLine('2+2');
 */
export class ProcessEndpoint implements IStreamClientEndpoint {
  constructor(
    readonly reactor: IReactorProcess,
    readonly executable: string,
    readonly args: readonly string[] = [executable],
    readonly options: ProcessEndpointOptions = {},
  ) {}

  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    try {
      const protocol = factory.buildProtocol(new ProcessAddress());
      if (protocol === null) return Deferred.fail<IProtocol>(new Error('the factory refused to build a protocol'));
      const { stderr, ...spawn } = this.options;
      this.reactor.spawnProcess(new ProcessStreamProtocol(protocol, this.executable, stderr), this.executable, this.args, spawn);
      return Deferred.succeed(protocol);
    } catch (e) {
      return Deferred.fail<IProtocol>(e);
    }
  }
}
