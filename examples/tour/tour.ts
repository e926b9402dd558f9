// The README's 60-second tour, kept runnable: `node -C torsion-source --import tsx examples/tour/tour.ts`, then `nc 127.0.0.1 8007`.
import { reactor, Factory, type IPv4Address } from 'torsion/internet';
import { LineReceiver } from 'torsion/protocols';

class Shout extends LineReceiver {
  override lineReceived(line: Uint8Array) {
    this.sendLine(new TextDecoder().decode(line).toUpperCase());
  }
}
const port = reactor.listenTCP(Number(process.env.PORT ?? 8007), Factory.forProtocol(Shout), { interface: '127.0.0.1' });
const { host, port: number } = port.getHost() as IPv4Address;
console.log(`shouting on ${host}:${number} (try: nc ${host} ${number})`);
reactor.run();
