// A SOCKS proxy in code: `node -C torsion-source --import tsx examples/socks/proxy.ts [endpoint] [allowed-cidr...]`
// (default tcp:1080:interface=127.0.0.1). The same as `torsion socks --listen ... --allow ...`, without logins.
import { Factory, reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { SOCKSServerFactory } from 'torsion/socks';

const [description = 'tcp:1080:interface=127.0.0.1', ...allow] = process.argv.slice(2);
const factory: Factory = new SOCKSServerFactory({ reactor, allow });
const port = await serverFromString(reactor, description).listen(factory);
const host = port.getHost() as IPv4Address;
console.log(`socks proxy on ${host.host}:${host.port}`);
await reactor.run();
