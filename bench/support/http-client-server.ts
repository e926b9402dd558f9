// Child process for http-client.bench.ts: a keep-alive node:http hello-world server on 127.0.0.1.
// Sends its port over IPC.
import { createServer } from 'node:http';

const body = Buffer.from('hello, world\n');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as { port: number }).port });
});
process.on('disconnect', () => process.exit(0));
