/**
 * One server of bench/scale.bench.ts's room fan-out, in its own process (bundled, run under plain `node`):
 *   argv: torsion|socketio  none|redis:<url>|workers:<n>
 * Torsion: a `torsion/words` service with its IRC server on 127.0.0.1 (no flood limit: the load is the
 * point), alone, joined to other nodes through Redis (a `WordsCluster`), or as n `node:cluster` workers
 * sharing one port and joined through the primary's bus (what `torsion words --workers n` runs). Socket.IO:
 * a Socket.IO server (WebSocket only), alone or with `@socket.io/redis-adapter`; each connection joins the
 * room. Prints `port <n>` once every worker listens; on stdin `send M` the node's own sender says M lines
 * to the room (in bursts of 100, letting I/O run between them), and `pids` prints the server's process ids.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { connectRedisBus, WorkerBus, WorkerBusHost, type IBus } from '../../src/bus/index.js';
import { NodeReactor } from '../../src/internet/reactor.js';
import { FilteringLogObserver, globalLogBeginner, LogLevelFilterPredicate, textFileLogObserver } from '../../src/logger/index.js';
import { WordsCluster } from '../../src/words/cluster/index.js';
import { IRCServerFactory } from '../../src/words/irc/index.js';
import { createWordsService, type ChatUser, type IChatClient } from '../../src/words/index.js';

const [kind, via] = process.argv.slice(2) as ['torsion' | 'socketio', string];
const ROOM = '#bench';
const now = (): number => performance.timeOrigin + performance.now();

globalLogBeginner.beginLoggingTo([new FilteringLogObserver(textFileLogObserver(process.stderr), [new LogLevelFilterPredicate('warn')])]);

/** Says `total` lines with `say`, 100 at a time. */
function burst(total: number, say: (text: string) => void): void {
  let i = 0;
  const next = (): void => {
    for (const end = Math.min(total, i + 100); i < end; i++) say(`${i} ${now()}`);
    if (i < total) setImmediate(next);
  };
  next();
}

/** Starts the server of this process; resolves with its port and how to say lines. */
async function serve(bus: () => Promise<IBus | undefined>, sharedStore = false): Promise<{ port: number; say: (text: string) => void }> {
  if (kind === 'socketio') {
    const { Server } = await import('socket.io');
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'], serveClient: false });
    if (via.startsWith('redis:')) {
      const { Redis } = await import('ioredis');
      const { createAdapter } = await import('@socket.io/redis-adapter');
      const pub = new Redis(via.slice('redis:'.length));
      io.adapter(createAdapter(pub, pub.duplicate()));
    }
    io.on('connection', (socket) => void socket.join(ROOM));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { port: (http.address() as { port: number }).port, say: (text) => void io.to(ROOM).emit('m', text) };
  }
  const reactor = new NodeReactor();
  const service = createWordsService({ clock: reactor, name: 'scale.bench', scrypt: { N: 1024, r: 8, p: 1 } });
  await service.start().asPromise();
  const joined = await bus();
  if (joined) await new WordsCluster(service, joined, { clock: reactor, sharedStore }).start();
  const factory = new IRCServerFactory(service, { clock: reactor, flood: false, pingInterval: 600, motd: ['bench'] });
  const listening = reactor.listenTCP(0, factory, { interface: '127.0.0.1', backlog: 4096 });
  const quiet: IChatClient = {
    receive: () => undefined,
    userJoined: () => undefined,
    userLeft: () => undefined,
    userQuit: () => undefined,
    nickChanged: () => undefined,
    topicChanged: () => undefined,
    roomChanged: () => undefined,
    invited: () => undefined,
    disconnect: () => undefined,
  };
  const sender: ChatUser = await service.login(`s${process.pid}`, { client: quiet }).asPromise();
  sender.join(ROOM);
  // The sender stands for an IRC client whose input chunk held many lines: what they fan out is written once
  // per member per turn (as the IRC front door does for a chunk of input), on one process as on workers.
  const say = (text: string): void => {
    service.output.hold();
    sender.send(ROOM, text);
  };
  return { port: (listening.getHost() as unknown as { port: number }).port, say };
}

function commands(onLine: (line: string) => void): void {
  createInterface({ input: process.stdin }).on('line', onLine);
}

if (via.startsWith('workers:') && cluster.isPrimary) {
  const count = Number(via.slice('workers:'.length));
  const host = new WorkerBusHost(new NodeReactor());
  const workers: Worker[] = [];
  let port = 0;
  // The port as the primary holds it (a worker's own view of a shared port-0 listener may say 0).
  cluster.on('listening', (_worker, address) => (port ||= address.port));
  await Promise.all(
    Array.from({ length: count }, () => {
      const worker = cluster.fork();
      workers.push(worker);
      host.attach(worker);
      return new Promise<void>((resolve) => worker.on('message', (m: { ready?: boolean }) => m.ready === true && resolve()));
    }),
  );
  process.stdout.write(`port ${port}\n`);
  commands((line) => {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'send') workers[0]!.send({ send: Number(arg) });
    else if (cmd === 'exit') {
      for (const w of workers) w.send({ exit: true });
      setTimeout(() => process.exit(0), 2000);
    }
    else if (cmd === 'pids') process.stdout.write(`${JSON.stringify([process.pid, ...workers.map((w) => w.process.pid)])}\n`);
  });
} else if (cluster.isWorker) {
  // As the workers of `torsion words --workers n`, which share the data folder's SQLite file: a line is stored
  // once, by the worker it was said on (each worker here has a store in memory, as the one process has).
  const { say } = await serve(async () => new WorkerBus(process), true);
  process.on('message', (m: { send?: number; exit?: boolean }) => (m.exit === true ? process.exit(0) : m.send !== undefined && burst(m.send, say)));
  process.send!({ ready: true });
} else {
  const redis = via.startsWith('redis:') ? via.slice('redis:'.length) : undefined;
  const reactor = new NodeReactor();
  const { port, say } = await serve(async () => (redis === undefined ? undefined : connectRedisBus(redis, { reactor })));
  process.stdout.write(`port ${port}\n`);
  commands((line) => {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'send') burst(Number(arg), say);
    else if (cmd === 'pids') process.stdout.write(`${JSON.stringify([process.pid])}\n`);
    else if (cmd === 'exit') process.exit(0);
  });
}
