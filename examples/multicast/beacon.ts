/**
 * Multicast beacons: two listeners on one port join group 239.255.10.10 and a sender announces itself to the
 * group every half second (with a LoopingCall); both listeners hear every beacon.
 *
 *   node -C torsion-source --import tsx examples/multicast/beacon.ts [count] [port]
 *
 * Needs a multicast route (most LANs have one). To try it on loopback only, in a private network namespace:
 *
 *   ip netns add demo && ip netns exec demo sh -c 'ip link set lo up multicast on && ip route add 239.0.0.0/8 dev lo'
 *   ip netns exec demo node -C torsion-source --import tsx examples/multicast/beacon.ts
 *   ip netns del demo
 */
import { Deferred } from 'torsion/defer';
import { DatagramProtocol, reactor, LoopingCall, react } from 'torsion/internet';

const GROUP = '239.255.10.10';

class BeaconListener extends DatagramProtocol {
  heard = 0;
  readonly done = new Deferred<void>();

  constructor(readonly name: string, readonly want: number) {
    super();
  }

  override datagramReceived(data: Uint8Array, addr: { host: string; port: number }): void {
    console.log(`${this.name} heard "${Buffer.from(data).toString()}" from ${addr.host}`);
    if (++this.heard === this.want) this.done.callback(undefined);
  }
}

react(async () => {
  const count = Number(process.argv[2] ?? 3);
  const port = Number(process.argv[3] ?? 8005);
  const listeners = [new BeaconListener('listener-1', count), new BeaconListener('listener-2', count)];
  // listenMultiple lets both sockets bind the same port; each joins the group on the loopback interface.
  const ports = listeners.map((l) => reactor.listenMulticast(port, l, { listenMultiple: true }));
  for (const p of ports) await p.joinGroup(GROUP, '127.0.0.1');

  const sender = reactor.listenMulticast(0, new DatagramProtocol(), { interface: '127.0.0.1' });
  await sender.setOutgoingInterface('127.0.0.1');
  sender.setTTL(1);
  let n = 0;
  const beacon = new LoopingCall(() => sender.write(`beacon ${++n}`, { host: GROUP, port }));
  beacon.start(0.5);

  await Promise.all(listeners.map((l) => l.done));
  beacon.stop();
  await Promise.all([...ports, sender].map((p) => p.stopListening()));
});
