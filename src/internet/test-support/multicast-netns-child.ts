/**
 * Run by `multicast.test.ts` inside a throwaway network namespace (`ip netns exec`): two listeners on one
 * port join a 239.0.0.0/8 group and each must hear one datagram sent to it; then a UDP broadcast on the
 * namespace's loopback. Prints a JSON report and exits. Never run it outside such a namespace: it sends to a
 * multicast group and a broadcast address.
 */
import { Deferred } from '../../defer/index.js';
import { DatagramProtocol } from '../protocol.js';
import { capturedLogEvents } from '../../logger/index.js';
import { listenMulticast } from '../multicast.js';
import { listenUDP } from '../udp.js';

const GROUP = '239.255.42.99';

class Listener extends DatagramProtocol {
  got: string[] = [];
  #next: Deferred<void> | undefined;
  override datagramReceived(data: Uint8Array): void {
    this.got.push(Buffer.from(data).toString());
    this.#next?.callback(undefined);
    this.#next = undefined;
  }
  /** Resolves once `count` datagrams arrived. */
  async waitFor(count: number): Promise<void> {
    while (this.got.length < count) {
      this.#next ??= new Deferred<void>();
      await this.#next;
    }
  }
}

async function main(): Promise<Record<string, unknown>> {
  const a = new Listener();
  const b = new Listener();
  const portA = listenMulticast(null, 0, a, { listenMultiple: true });
  await portA.whenListening();
  const port = portA.getHost().port;
  const portB = listenMulticast(null, port, b, { listenMultiple: true });
  await portB.whenListening();
  await portA.joinGroup(GROUP, '127.0.0.1');
  await portB.joinGroup(GROUP, '127.0.0.1');

  const sender = listenMulticast(null, 0, new Listener(), { interface: '127.0.0.1' });
  await sender.setOutgoingInterface('127.0.0.1');
  sender.setTTL(1);
  sender.write('to both', { host: GROUP, port });
  await a.waitFor(1);
  await b.waitFor(1);

  await portB.leaveGroup(GROUP, '127.0.0.1');
  // The kernel refuses to drop a membership that is not held: proof the first leave took effect.
  let leaveAgainError = '';
  await portB.leaveGroup(GROUP, '127.0.0.1').addErrback((f) => { leaveAgainError = f.value.name; });

  let joinError = '';
  await portA.joinGroup('10.1.2.3', '127.0.0.1').addErrback((f) => { joinError = f.value.name; });

  // Broadcast (loopback's 127.255.255.255 here): refused by the kernel until setBroadcastAllowed(true).
  const bcListener = new Listener();
  const bcPort = listenUDP(null, 0, bcListener);
  const bcSender = listenUDP(null, 0, new Listener());
  const logs = capturedLogEvents();
  const target = { host: '127.255.255.255', port: bcPort.getHost().port };
  bcSender.write('refused', target);
  bcSender.setBroadcastAllowed(true);
  bcSender.write('allowed', target);
  await bcListener.waitFor(1);
  logs.stop();
  const broadcastErrors = logs.messages().filter((m) => m.includes('EACCES')).length;

  await Promise.all([portA.stopListening(), portB.stopListening(), sender.stopListening(), bcPort.stopListening(), bcSender.stopListening()]);
  return {
    broadcast: bcListener.got,
    broadcastErrors, a: a.got, b: b.got, ttl: sender.getTTL(), outgoing: sender.getOutgoingInterface(), joinError, leaveAgainError };
}

const timer = setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: 'timed out waiting for multicast datagrams' }) + '\n');
  process.exit(1);
}, 20_000);
main().then(
  (report) => {
    clearTimeout(timer);
    process.stdout.write(JSON.stringify(report) + '\n');
  },
  (err) => {
    clearTimeout(timer);
    process.stdout.write(JSON.stringify({ error: String(err?.stack ?? err) }) + '\n');
    process.exitCode = 1;
  },
);
