/**
 * Serves a small zone on a free loopback port (UDP and TCP), then asks it with Torsion's resolver:
 * `node --import tsx examples/dns/zone-and-resolver.ts`.
 */
import { reactor } from 'torsion/internet';
import { DNSDatagramProtocol, DNSServerFactory, FileAuthority, QueryHandler, createResolver, parseZone, txtStrings, type RecordMX, type RecordTXT } from 'torsion/dns';

const zone = parseZone(`$ORIGIN example.test.
$TTL 300
@     IN SOA ns1 hostmaster ( 1 3600 600 86400 60 )
      IN NS  ns1
      IN MX  10 mail
      IN TXT "hello from torsion"
ns1   IN A   127.0.0.1
mail  IN A   192.0.2.25
www   IN CNAME mail
`);
const handler = new QueryHandler([new FileAuthority(zone)]);
const tcp = reactor.listenTCP(0, new DNSServerFactory(handler, reactor), { interface: '127.0.0.1' });
const port = (tcp.getHost() as unknown as { port: number }).port;
const udp = reactor.listenUDP(port, new DNSDatagramProtocol(handler, reactor), { interface: '127.0.0.1' });
console.log(`dns server on 127.0.0.1:${port}`);

const resolver = createResolver({ servers: [['127.0.0.1', port]], hosts: null, reactor });
const [mx] = await resolver.lookupMailExchange('example.test');
for (const rr of mx) console.log(`MX ${(rr.payload as RecordMX).preference} ${(rr.payload as RecordMX).name}`);
const [text] = await resolver.lookupText('example.test');
console.log(`TXT ${txtStrings(text[0]!.payload as RecordTXT).join(' ')}`);
console.log(`www.example.test is ${await resolver.getHostByName('www.example.test')}`);
try {
  await resolver.lookupAddress('nope.example.test');
} catch (e) {
  console.log(`nope.example.test: ${(e as { code: string }).code}`);
}
await udp.stopListening();
await tcp.stopListening();
