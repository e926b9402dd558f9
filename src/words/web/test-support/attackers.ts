/**
 * The attackers of the web chat's loopback attack test, in a process of their own so that the test process
 * (which times a message between two IRC users) does not share their work. Arguments: `webPort ircPort`.
 * It prints `{"ready": true}`, then answers each command on stdin with one JSON line:
 *
 * - `pages <n> <prefix>`: opens `n` chat pages, each from a client address of its own (127.0.x.y) over a
 *   hand-made WebSocket that says HELLO, logs in as
 *   `<prefix><i>` (joining `#lobby`) and never reads its socket again, though it sends a PING every 2 s (so
 *   the heartbeat alone would not notice); answers `{"opened": n}`;
 * - `leave <prefix>`: those pages log out (the chat's `leave`) and close their sockets;
 * - `irc <n>`: connects `n` IRC users `churn<i>`, answers once all are registered;
 * - `churn <seconds> <reasonChars>`: each IRC user joins and parts `#lobby` in turn, one line every
 *   {@link CHURN_INTERVAL} seconds (under the server's input flood rate), parting with a reason of
 *   `reasonChars` characters; answers with the joins and parts sent and the IRC users still connected.
 *
 * When stdin ends every connection is aborted and the process exits.
 * @module
 */
import { request } from 'node:http';
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { encodeHello } from '../../../live/shared/frames.js';
import { chatBootOf } from './boot.js';

const [webPort, ircPort] = [Number(process.argv[2]), Number(process.argv[3])];

/** Seconds between two lines of one churning IRC user (the server allows 4 a second after a burst). */
const CHURN_INTERVAL = 0.3;
/** Seconds between a stalled page's PINGs. */
const PING_INTERVAL = 2;

const sleep = (seconds: number) => new Promise<void>((r) => setTimeout(r, seconds * 1000));
const sockets: net.Socket[] = [];
const timers: ReturnType<typeof setInterval>[] = [];

/** A masked text frame with an all-zero mask: the payload goes as it is. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([Buffer.from([0x81]), length, Buffer.from([0, 0, 0, 0]), payload]);
}

function connect(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** The stalled pages' sockets, by nick prefix. */
const pages = new Map<string, { socket: net.Socket; pings: ReturnType<typeof setInterval> }[]>();

/** GETs the chat page from `localAddress`: its status and body. */
function getPage(localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: webPort, path: '/', localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

/**
 * Loads a chat page from `localAddress` (one of 127/8, so that each page is a client address of its own, as
 * separate users would be), connects it, logs it in as `nick`, and stops reading.
 */
async function stalledPage(prefix: string, nick: string, localAddress: string): Promise<void> {
  const res = await getPage(localAddress);
  if (res.status !== 200) throw new Error(`GET / answered ${res.status}`);
  const { page } = chatBootOf(res.body);
  const socket = await connect(webPort, localAddress);
  socket.on('error', () => undefined);
  socket.write(
    'GET /_live/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  socket.write(textFrame(encodeHello(page, 0)));
  // The root widget (1) is the WebChat: call its `login` as the page's first message.
  socket.write(textFrame(`[1,1,0,${JSON.stringify(['c', 1, 1, 'login', [nick, null, false]])}]`));
  socket.pause();
  const pings = setInterval(() => socket.write(textFrame('[3,0]')), PING_INTERVAL * 1000);
  timers.push(pings);
  pages.set(prefix, [...(pages.get(prefix) ?? []), { socket, pings }]);
}

function leave(prefix: string): { left: number } {
  const left = pages.get(prefix) ?? [];
  for (const { socket, pings } of left) {
    clearInterval(pings);
    socket.end(textFrame(`[1,2,0,${JSON.stringify(['c', 2, 1, 'leave', []])}]`));
  }
  pages.delete(prefix);
  return { left: left.length };
}

/** An IRC user that reads and discards everything but PING. */
class IRCUser {
  closed = false;
  #pending = '';
  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      const lines = (this.#pending + d).split('\r\n');
      this.#pending = lines.pop()!;
      for (const l of lines) if (l.startsWith('PING ')) this.send(`PONG ${l.slice(5)}`);
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static async connect(nick: string): Promise<IRCUser> {
    const user = new IRCUser(await connect(ircPort));
    const welcomed = new Promise<void>((resolve) => {
      let text = '';
      const seen = (d: string) => {
        text += d;
        if (!text.includes(` 001 ${nick} `)) return;
        user.socket.off('data', seen);
        resolve();
      };
      user.socket.on('data', seen);
    });
    user.send(`NICK ${nick}`, `USER ${nick} 0 * :churning`);
    await welcomed;
    return user;
  }

  send(...lines: string[]): void {
    if (!this.closed) this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }
}

const ircUsers: IRCUser[] = [];
/** The prefixes `pages` was given, in order: each gets its own range of client addresses. */
const prefixes: string[] = [];

async function churn(seconds: number, reasonChars: number): Promise<{ joins: number; parts: number; connected: number }> {
  const reason = 'r'.repeat(reasonChars);
  let joins = 0;
  let parts = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    ircUsers.map(async (user, i) => {
      await sleep((CHURN_INTERVAL * i) / ircUsers.length); // spread the users over one interval
      for (let inRoom = false; performance.now() < deadline && !user.closed; inRoom = !inRoom) {
        if (inRoom) {
          user.send(reasonChars > 0 ? `PART #lobby :${reason}` : 'PART #lobby');
          parts++;
        } else {
          user.send('JOIN #lobby');
          joins++;
        }
        await sleep(CHURN_INTERVAL);
      }
      user.send('PART #lobby');
    }),
  );
  return { joins, parts, connected: ircUsers.filter((u) => !u.closed).length };
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, ...args] = line.trim().split(/\s+/);
  const n = Number(args[0]);
  let answer: Promise<unknown>;
  if (command === 'pages') {
    prefixes.push(args[1]!);
    answer = Promise.all(Array.from({ length: n }, (_, i) => stalledPage(args[1]!, `${args[1]}${i + 1}`, `127.0.${prefixes.indexOf(args[1]!) + 1}.${i + 1}`))).then(() => ({ opened: n }));
  } else if (command === 'leave') {
    answer = Promise.resolve(leave(args[0]!));
  } else if (command === 'irc') {
    answer = Promise.all(Array.from({ length: n }, (_, i) => IRCUser.connect(`churn${i + 1}`))).then((users) => {
      ircUsers.push(...users);
      return { registered: users.length };
    });
  } else if (command === 'churn') {
    answer = churn(n, Number(args[1] ?? 0));
  } else answer = Promise.reject(new Error(`unknown command ${line}`));
  answer.then(
    (a) => process.stdout.write(`${JSON.stringify(a)}\n`),
    (e: unknown) => process.stdout.write(`${JSON.stringify({ error: String(e) })}\n`),
  );
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.stdin.on('end', () => {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  process.exit(0);
});
