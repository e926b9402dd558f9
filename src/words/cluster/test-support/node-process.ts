/**
 * `torsion words` as a child process on loopback ports, for the tests of several nodes on one Redis.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../../testing/index.js';

const LOOPBACK = 'tcp:0:interface=127.0.0.1';

/** A running `torsion words` node. */
export interface WordsNode {
  readonly child: ChildProcess;
  readonly irc: number;
  readonly web: number;
  /** Its log so far (stderr). */
  log(): string;
  /** Kills it (SIGKILL) and removes its data folder. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `torsion words` on loopback ports with `args` added; resolves once both front doors listen. */
export async function startWordsNode(args: string[]): Promise<WordsNode> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-words-node-'));
  const main = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--import', tsx, main, 'words', '--irc', LOOPBACK, '--web', LOOPBACK, '--data', dir, ...args], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const [irc, web] = await eventually(
      () => {
        if (gone) throw new Error(`torsion words exited:\n${log}`);
        const i = /IRC server on \S+: connect an IRC client to port (\d+)/.exec(log);
        const w = /web chat at http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
        return i && w ? [Number(i[1]), Number(w[1])] : undefined;
      },
      { timeout: 90, interval: 0.05, message: () => `torsion words did not start:\n${log}` },
    );
    return {
      child,
      irc: irc!,
      web: web!,
      log: () => log,
      async kill() {
        child.kill('SIGKILL');
        await exited;
        cleanup();
      },
      async stop() {
        child.kill('SIGTERM');
        const code = await exited;
        cleanup();
        return code;
      },
    };
  } catch (e) {
    child.kill('SIGKILL');
    cleanup();
    throw e;
  }
}
