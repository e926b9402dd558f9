/**
 * The live chat: `node -C torsion-source --import tsx examples/live-chat/main.ts [port]`, then open http://127.0.0.1:8080/
 * in several browsers. The first line printed is the URL.
 * @module
 */
import { reactor, type IPv4Address } from 'torsion/internet';
import { LivePage } from 'torsion/live';
import { Site } from 'torsion/web';
import { ChatRoom, Chatter } from './chat.js';

const room = new ChatRoom();
const page = new LivePage({
  title: 'Torsion live chat',
  element: () => new Chatter(room),
  gracePeriod: 30,
});
const port = reactor.listenTCP(Number(process.argv[2] ?? 8080), new Site(page), { interface: '127.0.0.1' });
console.log(`live chat on http://127.0.0.1:${(port.getHost() as IPv4Address).port}/`);
await reactor.run();
