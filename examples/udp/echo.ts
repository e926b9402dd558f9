/**
 * A UDP echo server and a client that pings it, in one script:
 *
 *   node -C torsion-source --import tsx examples/udp/echo.ts [count]
 *
 * The server echoes every datagram back to its sender; the client sends `count` pings (default 3), prints
 * each echo and exits once all have come back.
 */
import { Deferred } from 'torsion/defer';
import { DatagramProtocol, reactor, react, type DatagramAddress } from 'torsion/internet';

class Echo extends DatagramProtocol {
  override datagramReceived(data: Uint8Array, addr: DatagramAddress): void {
    this.transport!.write(data, addr);
  }
}

class Pinger extends DatagramProtocol {
  readonly done = new Deferred<void>();
  #left: number;

  constructor(readonly server: DatagramAddress, readonly count: number) {
    super();
    this.#left = count;
  }

  override startProtocol(): void {
    // Connected UDP: only the server is heard, and a closed server port shows up as connectionRefused.
    this.transport!.connect(this.server.host, this.server.port);
    for (let i = 1; i <= this.count; i++) this.transport!.write(`ping ${i}`);
  }

  override datagramReceived(data: Uint8Array): void {
    console.log(`echo: ${Buffer.from(data).toString()}`);
    if (--this.#left === 0) this.done.callback(undefined);
  }

  override connectionRefused(): void {
    this.done.errback(new Error('nobody is listening on the server port'));
  }
}

react(async () => {
  const count = Number(process.argv[2] ?? 3);
  const server = reactor.listenUDP(0, new Echo(), { interface: '127.0.0.1' });
  const { host, port } = server.getHost();
  console.log(`echo server on ${host}:${port}`);
  const pinger = new Pinger({ host, port }, count);
  const client = reactor.listenUDP(0, pinger, { interface: '127.0.0.1' });
  await pinger.done;
  await client.stopListening();
  await server.stopListening();
});
