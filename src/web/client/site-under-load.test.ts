/**
 * Interop under load: `wrk` (Debian package wrk) hammers a torsion Site for two seconds over keep-alive
 * connections; every response must be a 2xx and no socket may error. Then Torsion's own Agent checks the
 * site still answers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { IListeningPort } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import { requirePeer } from '../../testing/index.js';
import type { Request } from '../request.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { Agent } from './agent.js';
import { readBody } from './read-body.js';

class Hello extends Resource {
  override isLeaf = true;
  override render(r: Request): string {
    r.setHeader('content-type', 'text/plain');
    return 'hello under load\n';
  }
}

let port: IListeningPort | null = null;
after(() => port?.stopListening());

function run(program: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${program} exited with ${code}:\n${out}`))));
  });
}

test('wrk against a Site: many keep-alive requests, no socket errors, only 2xx', { timeout: 60_000 }, async () => {
  const wrk = requirePeer('wrk', 'wrk');
  port = reactor.listenTCP(0, new Site(new Hello(), { accessLog: false }), { interface: '127.0.0.1' });
  const url = `http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}/`;
  const out = await run(wrk, ['-t1', '-c16', '-d2s', '--timeout', '10s', url]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  // No rate threshold: on a loaded machine that measures the machine, not the Site; more requests than connections is enough.
  assert.ok(requests > 16, `wrk made only ${requests} requests over 16 connections:\n${out}`);
  assert.doesNotMatch(out, /Socket errors/, out);
  assert.doesNotMatch(out, /Non-2xx or 3xx responses/, out);
  const response = await new Agent(reactor).request('GET', url);
  assert.equal(Buffer.from(await readBody(response)).toString(), 'hello under load\n');
});
