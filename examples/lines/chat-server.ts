/**
 * Runs the chat server on the reactor: `node -C torsion-source --import tsx examples/lines/chat-server.ts [port]`
 * (default 0: an ephemeral port, printed on stdout). Ctrl-C or SIGTERM stops it cleanly.
 */
import { reactor } from 'torsion/internet';
import { ChatFactory } from './chat.js';

const port = reactor.listenTCP(Number(process.argv[2] ?? 0), new ChatFactory(reactor), { interface: '127.0.0.1' });
console.log(`chat server on port ${(port.getHost() as unknown as { port: number }).port}`);
await reactor.run();
console.log('chat server stopped');
