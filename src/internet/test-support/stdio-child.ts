/**
 * Run by `stdio.test.ts` as a child process: a protocol over this process's stdin/stdout that answers each
 * chunk upper-cased. With `--half-close` it is told of end of input, writes a last word and closes.
 */
import type { Failure } from '../../defer/index.js';
import { Protocol } from '../protocol.js';
import { StandardIO } from '../stdio.js';

class Upper extends Protocol {
  override connectionMade(): void {
    this.transport.write('ready\n');
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(Buffer.from(data).toString().toUpperCase());
  }
  override connectionLost(reason: Failure): void {
    process.stderr.write(`lost: ${reason.value.name}\n`);
  }
}

class HalfClose extends Upper {
  readConnectionLost(): void {
    this.transport.write('input ended\n');
    this.transport.loseConnection();
  }
}

new StandardIO(process.argv.includes('--half-close') ? new HalfClose() : new Upper());
