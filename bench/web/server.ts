/**
 * A benchmark server in its own process: `torsion` (Site), `node` (node:http), `fastify`, or `net` (a raw
 * `net` server that answers every request head with a canned response without parsing anything: the
 * ceiling for any HTTP server on Node), serving a hello-world at `/` and, when given a directory, its files
 * under `/files/`. Sends its port over IPC. Answers `{cmd:'mem'}` IPC messages with memory figures after a
 * full GC. Exits normally on SIGTERM, SIGINT or `{cmd:'exit'}`, so that `--cpu-prof` writes its profile.
 * @module
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
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
  if (kind === 'net') return rawNet();
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

const CANNED = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${HELLO.length}\r\n\r\n${HELLO}`);
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** One canned response per request head end (CRLFCRLF) seen, a head split across reads included. */
async function rawNet(): Promise<number> {
  const server = createNetServer({ noDelay: true }, (socket: Socket & { tail?: number }) => {
    socket.on('data', (d: Buffer) => {
      let n = 0;
      // A CRLFCRLF split across two reads: the previous read's last bytes are kept as a count of a partial match.
      let at = 0;
      const tail = socket.tail ?? 0;
      if (tail > 0 && d.length >= 4 - tail && CRLFCRLF.subarray(tail).equals(d.subarray(0, 4 - tail))) {
        n++;
        at = 4 - tail;
      }
      for (let i = d.indexOf(CRLFCRLF, at); i !== -1; i = d.indexOf(CRLFCRLF, i + 4)) n++;
      let t = 0;
      for (let k = 3; k >= 1; k--) if (d.length >= k && CRLFCRLF.subarray(0, k).equals(d.subarray(d.length - k))) { t = k; break; }
      socket.tail = t;
      if (n === 1) socket.write(CANNED);
      else if (n > 1) socket.write(Buffer.concat(Array.from({ length: n }, () => CANNED)));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

const port = await start();
const exit = (): never => process.exit(0);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'exit') exit();
  if (msg.cmd === 'mem') {
    for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.send!({ rss: m.rss, heap: m.heapUsed, external: m.external });
  }
});
process.send!({ port });
