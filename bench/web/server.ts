/**
 * A benchmark server in its own process: `torsion` (Site), `node` (node:http) or `fastify`, serving a
 * hello-world at `/` and, when given a directory, its files under `/files/`. Prints the port on stdout.
 * Answers `{cmd:'mem'}` IPC messages with memory figures after a full GC.
 * @module
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { reactor } from '../../src/internet/index.js';
import { File, Resource, Site, type Request } from '../../src/web/index.js';

const [kind, dir] = process.argv.slice(2);
const HELLO = 'Hello, world!';

async function start(): Promise<number> {
  if (kind === 'torsion') {
    class Hello extends Resource {
      renderGET(request: Request): string {
        request.setHeader('Content-Type', 'text/plain');
        return HELLO;
      }
    }
    const root = new Hello();
    if (dir) root.putChild('files', new File(dir));
    const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
    return (port.getHost() as unknown as { port: number }).port;
  }
  if (kind === 'node') {
    const server = createServer((req, res) => {
      if (dir && req.url!.startsWith('/files/')) {
        const path = join(dir, req.url!.slice(7));
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', statSync(path).size);
        createReadStream(path).pipe(res);
        return;
      }
      res.setHeader('Content-Type', 'text/plain');
      res.end(HELLO);
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as { port: number }).port;
  }
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/', (_req, reply) => {
    reply.header('Content-Type', 'text/plain').send(HELLO);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

const port = await start();
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'mem') {
    for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.send!({ rss: m.rss, heap: m.heapUsed, external: m.external });
  }
});
process.send!({ port });
