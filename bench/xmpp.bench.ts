/**
 * XMPP server: logins per second (STARTTLS, SASL, resource binding) and groupchat deliveries per second
 * through one MUC room, Torsion's words XMPP door (in a child process) against Prosody (Debian package
 * `prosody`, with its MUC component) in the same run, both driven by the same client: Torsion's
 * `XMPPClient` in this process. The mechanisms differ as each server's accounts allow: Torsion's door logs in
 * with PLAIN inside TLS against a scrypt hash (its default cost), Prosody with SCRAM-SHA-1 (4,096 PBKDF2
 * iterations) — the login figure compares each server as configured out of the box, not one mechanism.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { clientFromString, connectProtocol, reactor } from '../src/internet/index.js';
import { XMPPClient } from '../src/xmpp/client/client.js';
import type { Element } from '../src/xmpp/element.js';
import { startProsody } from '../src/xmpp/test-support/prosody.js';
import { interleaved, type BenchCase } from './harness.js';

const ACCOUNTS = Number(process.env.XMPP_BENCH_OCCUPANTS ?? 20);
const LOGINS = Number(process.env.XMPP_BENCH_LOGINS ?? 20);
const MESSAGES = Number(process.env.XMPP_BENCH_MESSAGES ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Target {
  port: number;
  cert: string;
  stop(): Promise<void> | void;
}

async function startTorsion(): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./support/xmpp-server.ts', import.meta.url).pathname, String(ACCOUNTS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const { port, cert } = JSON.parse(line) as { port: number; cert: string };
  return { port, cert, stop: () => void child.kill() };
}

async function login(target: Target, i: number, resource: string): Promise<XMPPClient> {
  const client = new XMPPClient({ jid: `user${i}@localhost`, password: `pw${i}`, resource, clock: reactor, tlsOptions: { ca: target.cert } });
  await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${target.port}`), client);
  await client.ready;
  return client;
}

/** Logins per second: LOGINS full logins, 4 at a time, each closed once bound. */
async function loginRate(target: Target, round: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < LOGINS) {
        const i = next++;
        const c = await login(target, i % ACCOUNTS, `login-${round}-${i}`);
        c.close();
      }
    }),
  );
  return LOGINS / ((performance.now() - start) / 1000);
}

/** Groupchat deliveries per second: ACCOUNTS occupants in one room, one of them sends MESSAGES lines, until every occupant has them all. */
async function mucRate(target: Target, round: number): Promise<number> {
  const room = `bench${round}@conference.localhost`;
  const clients = await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => login(target, i, `muc-${round}`)));
  const received = new Array<number>(ACCOUNTS).fill(0);
  const joined = clients.map(
    (c, i) =>
      new Promise<void>((resolve) => {
        c.presenceReceived = (p: Element) => {
          if (p.getAttribute('from') === `${room}/u${i}` && p.toXML().includes('code="110"')) resolve();
        };
      }),
  );
  clients.forEach((c, i) => c.joinRoom(room, `u${i}`));
  await Promise.all(joined);
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  let complete = 0;
  clients.forEach((c, i) => {
    c.messageReceived = (m: Element) => {
      if (m.getAttribute('type') !== 'groupchat' || !m.getChildText('body')?.startsWith('line ')) return;
      if (++received[i]! === MESSAGES && ++complete === ACCOUNTS) done();
    };
  });
  const start = performance.now();
  for (let n = 0; n < MESSAGES; n++) clients[0]!.sendGroupMessage(room, `line ${n}`);
  await all;
  const rate = (MESSAGES * ACCOUNTS) / ((performance.now() - start) / 1000);
  for (const c of clients) c.close();
  await new Promise((r) => setTimeout(r, 300));
  return rate;
}

export default async function xmppBench(): Promise<BenchCase[]> {
  const prosodyAccounts = Object.fromEntries(Array.from({ length: ACCOUNTS }, (_, i) => [`user${i}`, `pw${i}`]));
  const targets: Record<'torsion' | 'prosody', Target> = { torsion: await startTorsion(), prosody: await startProsody(prosodyAccounts) };
  try {
    const logins = await interleaved(['torsion', 'prosody'] as const, (s, round) => loginRate(targets[s], round), ROUNDS);
    const muc = await interleaved(['torsion', 'prosody'] as const, (s, round) => mucRate(targets[s], round), ROUNDS);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return [
      {
        name: `XMPP logins/s (STARTTLS + SASL + bind, 4 at a time; Torsion PLAIN+scrypt, Prosody SCRAM-SHA-1)`,
        higherIsBetter: true,
        measurements: (['torsion', 'prosody'] as const).map((s) => ({ subject: s, value: median(logins[s]), unit: 'logins/s', samples: logins[s] })),
      },
      {
        name: `XMPP MUC groupchat deliveries/s (${ACCOUNTS} occupants, ${MESSAGES} lines from one)`,
        higherIsBetter: true,
        goal: '>= 1x Prosody',
        measurements: (['torsion', 'prosody'] as const).map((s) => ({ subject: s, value: median(muc[s]), unit: 'deliveries/s', samples: muc[s] })),
      },
    ];
  } finally {
    await targets.torsion.stop();
    await targets.prosody.stop();
  }
}
