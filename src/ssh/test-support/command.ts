// The real `torsion ssh` command in a child process, on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SSHCommand {
  port: number;
  log(): string;
  stop(): Promise<number | null>;
}

/** Starts `torsion ssh ARGS --listen tcp:0:interface=127.0.0.1` in `cwd` and waits for its port in the log. */
export async function startSSHCommand(args: readonly string[], cwd: string): Promise<SSHCommand> {
  const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const child: ChildProcess = spawn(process.execPath, ['--import', tsx, main, 'ssh', ...args, '--listen', 'tcp:0:interface=127.0.0.1'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let port = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /listening on \S+ \(TCP:127\.0\.0\.1:(\d+)\)/.exec(log);
        if (m) {
          port = Number(m[1]);
          clearInterval(timer);
          clearTimeout(deadline);
          resolve();
        }
      }, 20);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`torsion ssh did not start in 60 s:\n${log}`));
      }, 60_000);
      void exited.then((code) => {
        clearInterval(timer);
        clearTimeout(deadline);
        reject(new Error(`torsion ssh exited with ${code}:\n${log}`));
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    port,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}
