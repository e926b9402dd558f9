/**
 * The heartbeat server as a program: `node -C torsion-source --import tsx examples/testing/server.ts [endpoint]` (default
 * tcp:7007:interface=127.0.0.1). `real-peer.test.ts` starts it as a peer program on a free port.
 */
import { Factory, reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { HeartbeatServer } from './heartbeat.js';

const port = await serverFromString(reactor, process.argv[2] ?? 'tcp:7007:interface=127.0.0.1').listen(Factory.forProtocol(HeartbeatServer));
console.log(`heartbeat server on 127.0.0.1:${(port.getHost() as IPv4Address).port}`);
process.once('SIGTERM', () => reactor.stop());
await reactor.run();
