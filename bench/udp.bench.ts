/**
 * UDP datagrams per second over loopback: a Torsion `DatagramProtocol` echo pair vs the same pair on raw
 * `node:dgram`. A client keeps WINDOW datagrams in flight to an echo server; every echo received is counted
 * and answered with a new datagram, so both the send and the receive path of each side are measured, and
 * a bounded window keeps the kernel from dropping datagrams. Rounds alternate to even out machine noise.
 */
import dgram from 'node:dgram';
import { DatagramProtocol } from '../src/internet/protocol.js';
import { listenUDP } from '../src/internet/udp.js';
import type { BenchCase } from './harness.js';

const WINDOW = 32;
const PAYLOAD = Buffer.alloc(64, 0x78);
const HOST = '127.0.0.1';
const WARM_MS = 300;
const MEASURE_MS = 1500;
const ROUNDS = 3;

interface Pair {
  /** Sends the initial window; every echo after that is counted and answered. */
  start(): void;
  count(): number;
  close(): Promise<void>;
}

function torsionPair(): Pair {
  let received = 0;
  class Echo extends DatagramProtocol {
    override datagramReceived(data: Uint8Array, addr: { host: string; port: number }): void {
      this.transport!.write(data, addr);
    }
  }
  let target = { host: HOST, port: 0 };
  class Client extends DatagramProtocol {
    override datagramReceived(data: Uint8Array): void {
      received++;
      this.transport!.write(data, target);
    }
  }
  const server = listenUDP(null, 0, new Echo(), { interface: HOST });
  const client = listenUDP(null, 0, new Client(), { interface: HOST });
  target = { host: HOST, port: server.getHost().port };
  return {
    start: () => { for (let i = 0; i < WINDOW; i++) client.write(PAYLOAD, target); },
    count: () => received,
    close: async () => { await server.stopListening(); await client.stopListening(); },
  };
}

async function rawPair(): Promise<Pair> {
  let received = 0;
  const server = dgram.createSocket('udp4');
  const client = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((r) => server.bind(0, HOST, () => r()));
  await new Promise<void>((r) => client.bind(0, HOST, () => r()));
  const port = server.address().port;
  client.on('message', (msg) => {
    received++;
    client.send(msg, port, HOST);
  });
  return {
    start: () => { for (let i = 0; i < WINDOW; i++) client.send(PAYLOAD, port, HOST); },
    count: () => received,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => client.close(() => r()));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Datagrams echoed per second over MEASURE_MS, after a warm-up. */
async function measure(make: () => Pair | Promise<Pair>): Promise<number> {
  const pair = await make();
  pair.start();
  await sleep(WARM_MS);
  const before = pair.count();
  const t0 = performance.now();
  await sleep(MEASURE_MS);
  const rate = (pair.count() - before) / ((performance.now() - t0) / 1000);
  await pair.close();
  return rate;
}

export default async function udpBench(): Promise<BenchCase[]> {
  let torsion = 0;
  let raw = 0;
  for (let i = 0; i < ROUNDS; i++) {
    raw = Math.max(raw, await measure(rawPair));
    torsion = Math.max(torsion, await measure(torsionPair));
  }
  return [
    {
      name: `UDP echo over loopback, ${PAYLOAD.length}-byte datagrams, ${WINDOW} in flight`,
      higherIsBetter: true,
      goal: '>= 0.95x raw dgram',
      measurements: [
        { subject: 'torsion', value: torsion, unit: 'datagrams/s' },
        { subject: 'raw dgram', value: raw, unit: 'datagrams/s' },
      ],
    },
  ];
}
