/**
 * Two `torsion words` processes on one redis-server behind a {@link startSpreadingProxy}, and a Chromium
 * page logged in through it: the set-up of the tests of live pages across nodes.
 * @module
 */
import type { Page } from 'playwright-core';
import { requirePeer, startPeerProgram, type PeerProgram } from '../../../testing/index.js';
import { startWordsNode, type WordsNode } from './node-process.js';
import { startSpreadingProxy, type SpreadingProxy } from './spreading-proxy.js';

/** The running set-up. */
export interface PageNodes {
  redis: PeerProgram;
  nodes: WordsNode[];
  proxy: SpreadingProxy;
  /** Stops the proxy, kills the nodes that live and stops Redis. */
  close(): Promise<void>;
}

/** Starts redis-server, then two nodes side by side (each start is mostly compiling), then the proxy. */
export async function startPageNodes(nodeTimeout: number): Promise<PageNodes> {
  const redis = await startPeerProgram({
    executable: requirePeer('redis-server', 'redis-server'),
    args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
  });
  const url = `redis://127.0.0.1:${redis.port}/0`;
  const started = await Promise.allSettled([0, 1].map((i) => startWordsNode(['--redis', url, '--node-timeout', String(nodeTimeout), '--name', `node${i}.test`])));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    for (const n of nodes) await n.kill();
    await redis.stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const proxy = await startSpreadingProxy(nodes.map((n) => n.web));
  return {
    redis,
    nodes,
    proxy,
    async close() {
      await proxy.close();
      for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) await n.kill();
      await redis.stop();
    },
  };
}

/** Opens the chat through the proxy and logs in as `nick`. */
export async function logIn(page: Page, proxyPort: number, nick: string): Promise<void> {
  await page.goto(`http://127.0.0.1:${proxyPort}/`);
  // Before the page's script runs, Enter would submit the form as a plain GET and load the page again.
  await page.waitForSelector('html[data-live-state=connected]', { timeout: 60_000 });
  await page.fill('input[name=nick]', nick);
  await page.press('input[name=nick]', 'Enter');
  await page.waitForSelector('input[name=message]', { state: 'visible', timeout: 60_000 });
}

/** The texts of the lines from `nick` the page shows, in order. */
export function linesFrom(page: Page, nick: string): Promise<(string | null | undefined)[]> {
  return page.evaluate((n) => [...document.querySelectorAll('.message')].filter((m) => m.querySelector('.nick')?.textContent === n).map((m) => m.querySelector('.text')?.textContent), nick);
}
