/**
 * A minimal in-memory stream transport: what one side writes goes to a callback. `Site.request` runs a
 * real `HTTPChannel` over it, so a test exercises the same code as a socket does.
 * @module
 */
import { connectionDone } from '../internet/protocol.js';
import { PipeAddress } from '../internet/address.js';
import type { Data, IAddress, IProtocol, IPullProducer, IPushProducer, IStreamTransport } from '../internet/interfaces.js';

/** The server end of an in-memory connection. */
export class MemoryTransport implements IStreamTransport {
  disconnecting = false;
  #producer: IPushProducer | IPullProducer | null = null;
  #closed = false;

  constructor(
    readonly protocol: IProtocol,
    readonly onWrite: (data: Uint8Array) => void,
    readonly onClose: () => void,
    readonly peer: IAddress = new PipeAddress(),
  ) {}

  write(data: Data): void {
    if (this.#closed) return;
    this.onWrite(typeof data === 'string' ? Buffer.from(data) : data);
  }

  writeSequence(data: readonly Data[]): void {
    for (const d of data) this.write(d);
  }

  loseConnection(): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    if (this.#producer === null) this.#close();
  }

  abortConnection(): void {
    this.disconnecting = true;
    this.#close();
  }

  getPeer(): IAddress {
    return this.peer;
  }

  getHost(): IAddress {
    return this.peer;
  }

  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#producer = producer;
    if (!streaming) {
      const pull = (): void => {
        if (this.#producer !== producer || this.#closed) return;
        producer.resumeProducing();
        setImmediate(pull);
      };
      setImmediate(pull);
    }
  }

  unregisterProducer(): void {
    this.#producer = null;
    if (this.disconnecting) this.#close();
  }

  pauseProducing(): void {}

  resumeProducing(): void {}

  stopProducing(): void {
    this.abortConnection();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    queueMicrotask(() => {
      const producer = this.#producer;
      this.#producer = null;
      producer?.stopProducing();
      this.protocol.connectionLost(connectionDone());
      this.onClose();
    });
  }
}
