/**
 * One `torsion/words` node for bench/scale.bench.ts, in its own process: RECEIVERS users in #bench that
 * count lines and time them, and on `send M` one sender that sends M lines at once (in bursts of 100), on
 * `pace M MS` one line every MS milliseconds. With a Redis URL it joins the
 * others through a `WordsCluster`; with `none` it stands alone. Talks on stdin/stdout, one line each way.
 *   argv: redisUrl|none receivers
 */
import { createInterface } from 'node:readline';
import { connectRedisBus } from '../../src/bus/index.js';
import { reactor } from '../../src/internet/index.js';
import { WordsCluster } from '../../src/words/cluster/index.js';
import { createWordsService, type ChatMessage, type ChatUser, type IChatClient } from '../../src/words/index.js';

const [redisUrl, receiversArg] = process.argv.slice(2);
const receivers = Number(receiversArg);
const now = (): number => performance.timeOrigin + performance.now();
const latencies: number[] = [];
let deliveries = 0;
let lastAt = 0;

const noop = (): void => undefined;
const counting: IChatClient = {
  receive(m: ChatMessage) {
    deliveries++;
    lastAt = now();
    latencies.push(lastAt - Number(m.text.split(' ')[1]));
  },
  userJoined: noop,
  userLeft: noop,
  userQuit: noop,
  nickChanged: noop,
  topicChanged: noop,
  roomChanged: noop,
  invited: noop,
  disconnect: noop,
};

const service = createWordsService({ clock: reactor, scrypt: { N: 1024, r: 8, p: 1 } });
await service.start().asPromise();
if (redisUrl !== 'none') await new WordsCluster(service, await connectRedisBus(redisUrl, { reactor }), { clock: reactor }).start();
const tag = Math.random().toString(36).slice(2, 8);
for (let i = 0; i < receivers; i++) (await service.login(`r${tag}${i}`, { client: counting }).asPromise()).join('#bench');
const sender: ChatUser = await service.login(`s${tag}`, { client: { ...counting, receive: noop } }).asPromise();
sender.join('#bench');
process.stdout.write('ready\n');

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.split(' ');
  if (cmd === 'send') {
    const total = Number(arg);
    let i = 0;
    // Bursts of 100 lines, letting the node's I/O run between them as a real sender's reads would.
    const burst = (): void => {
      for (const end = Math.min(total, i + 100); i < end; i++) sender.send('#bench', `${i} ${now()}`);
      if (i < total) setImmediate(burst);
    };
    burst();
  } else if (cmd === 'pace') {
    const total = Number(arg);
    const every = Number(line.split(' ')[2]);
    let i = 0;
    const one = (): void => {
      sender.send('#bench', `${i++} ${now()}`);
      if (i < total) setTimeout(one, every);
    };
    one();
  } else if (cmd === 'stats') {
    const sorted = [...latencies].sort((a, b) => a - b);
    process.stdout.write(`${JSON.stringify({ deliveries, lastAt, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) })}\n`);
  } else if (cmd === 'reset') {
    latencies.length = 0;
    deliveries = 0;
  } else if (cmd === 'exit') {
    process.exit(0);
  }
});
