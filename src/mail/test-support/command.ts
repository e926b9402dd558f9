// The real `torsion mail` command in a child process, on free loopback ports, with a temp maildir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOOPBACK = 'tcp:0:interface=127.0.0.1';

export interface MailCommand {
  dir: string;
  maildir: string;
  ports: Record<string, number>;
  log(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `torsion mail ARGS --maildir <temp>/mail` and waits for each front door in `doors` to log its port;
 * `args` gets the temp folder, to put files there first.
 */
export async function startMailCommand(args: readonly string[] | ((dir: string) => readonly string[]), doors: readonly string[]): Promise<MailCommand> {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-mail-cli-'));
  const argv = typeof args === 'function' ? args(dir) : args;
  const maildir = join(dir, 'mail');
  const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const child: ChildProcess = spawn(process.execPath, ['--import', tsx, main, 'mail', ...argv, '--maildir', maildir], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ports: Record<string, number> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        for (const door of doors) {
          const m = new RegExp(`${door.toUpperCase()} listening on \\S+ port (\\d+)`).exec(log);
          if (m) ports[door] = Number(m[1]);
        }
        if (doors.every((d) => ports[d] !== undefined)) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`torsion mail did not start in 60 s:\n${log}`));
      }, 60_000);
      void exited.then((code) => {
        clearInterval(timer);
        clearTimeout(deadline);
        reject(new Error(`torsion mail exited with ${code}:\n${log}`));
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    maildir,
    ports,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(kill);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
