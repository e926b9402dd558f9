/**
 * The IRC message layer against irc-framework's (the npm client library): parsing a mix of real-world
 * lines, serializing messages, and a whole stream framed, decoded and parsed by `IRCLineReceiver` against
 * irc-framework's parser behind a plain string split.
 */
import { createRequire } from 'node:module';
import type { BenchCase } from './harness.js';
import { opsPerSecond } from './harness.js';
import { formatMessage, parseMessage, type IRCMessage } from '../src/irc/index.js';
import { IRCLineReceiver } from '../src/irc/receiver.js';

const require = createRequire(import.meta.url);
const parseIrcLine = require('irc-framework/src/irclineparser.js') as (line: string) => { command: string; params: string[] };
const IrcFrameworkMessage = require('irc-framework/src/ircmessage.js') as new (command: string, ...args: string[]) => {
  prefix: string;
  tags: Record<string, string>;
  to1459(): string;
};

const LINES = [
  '@time=2026-11-26T01:00:00.000Z;msgid=abc123 :alice!~alice@host.example.org PRIVMSG #torsion :hello there, how is everyone doing today?',
  ':irc.example.org 353 bob = #torsion :@alice +bob carol dave erin frank',
  'PING :irc.example.org',
  ':bob!~bob@10.0.0.1 JOIN #torsion',
  ':irc.example.org 005 bob CHANTYPES=# PREFIX=(ov)@+ CASEMAPPING=rfc1459 NICKLEN=30 :are supported by this server',
  ':carol!c@h MODE #torsion +ov alice bob',
];

function parseCase(): Promise<BenchCase> {
  return (async () => ({
    name: 'irc: parse a line (mixed, with tags)',
    higherIsBetter: true,
    measurements: [
      { subject: 'torsion', value: await opsPerSecond(() => LINES.forEach((l) => parseMessage(l)), LINES.length, 2), unit: 'lines/s' },
      { subject: 'irc-framework', value: await opsPerSecond(() => LINES.forEach((l) => parseIrcLine(l)), LINES.length, 2), unit: 'lines/s' },
    ],
  }))();
}

async function formatCase(): Promise<BenchCase> {
  const msg: IRCMessage = { tags: { msgid: 'abc 123' }, prefix: 'alice!~alice@host', command: 'PRIVMSG', params: ['#torsion', 'hello there, how is everyone?'] };
  return {
    name: 'irc: serialize a message',
    higherIsBetter: true,
    measurements: [
      { subject: 'torsion', value: await opsPerSecond(() => formatMessage(msg), 1, 2), unit: 'msgs/s' },
      {
        subject: 'irc-framework',
        value: await opsPerSecond(
          () => {
            const m = new IrcFrameworkMessage('PRIVMSG', '#torsion', 'hello there, how is everyone?');
            m.prefix = 'alice!~alice@host';
            m.tags = { msgid: 'abc 123' };
            return m.to1459();
          },
          1,
          2,
        ),
        unit: 'msgs/s',
      },
    ],
  };
}

async function streamCase(): Promise<BenchCase> {
  const text = Array.from({ length: 20_000 }, (_, i) => `${LINES[i % LINES.length]}\r\n`).join('');
  const bytes = new TextEncoder().encode(text);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
  class Count extends IRCLineReceiver {
    n = 0;
    override messageReceived(): void {
      this.n++;
    }
  }
  const torsion = await opsPerSecond(
    () => {
      const p = new Count();
      p.makeConnection({ disconnecting: false } as never);
      for (const c of chunks) p.dataReceived(c);
      if (p.n !== 20_000) throw new Error(`parsed ${p.n}`);
    },
    20_000,
    3,
  );
  const decoder = new TextDecoder();
  const framework = await opsPerSecond(
    () => {
      let rest = '';
      let n = 0;
      for (const c of chunks) {
        const parts = (rest + decoder.decode(c, { stream: true })).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) if (parseIrcLine(line)) n++;
      }
      if (n !== 20_000) throw new Error(`parsed ${n}`);
    },
    20_000,
    3,
  );
  return {
    name: 'irc: 4 KiB chunks framed, decoded and parsed',
    higherIsBetter: true,
    measurements: [
      { subject: 'torsion', value: torsion, unit: 'msgs/s' },
      { subject: 'irc-framework (split + parse)', value: framework, unit: 'msgs/s' },
    ],
  };
}

export default async function (): Promise<BenchCase[]> {
  return [await parseCase(), await formatCase(), await streamCase()];
}
