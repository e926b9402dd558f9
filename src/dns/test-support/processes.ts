/** `torsion dns` and BIND 9 as child processes, for the interop tests. */
import { spawn, type ChildProcess } from 'node:child_process';

const main = new URL('../../cli/main.ts', import.meta.url).pathname;

/** A running `torsion dns`. */
export interface TorsionDNS {
  child: ChildProcess;
  port: number;
  log(): string;
}

/** `torsion dns ARGS` on `port` (0: a free one); resolves once `ready` is in its log. */
export async function startTorsionDNS(args: string[], ready: RegExp, port = 0): Promise<TorsionDNS> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'dns', '--port', String(port), '--interface', '127.0.0.1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const found = await new Promise<number>((resolve, reject) => {
    let listening = 0;
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      listening ||= Number(/listening on udp 127\.0\.0\.1:(\d+)/.exec(log)?.[1] ?? 0);
      if (listening !== 0 && ready.test(log)) resolve(listening);
    });
    child.once('exit', (code) => reject(new Error(`torsion dns exited with ${code}:\n${log}`)));
  });
  return { child, port: found, log: () => log };
}

/** A `named.conf` for one zone block on 127.0.0.1:`port`, transfers allowed to loopback, NOTIFY off unless the zone turns it on. */
export function namedConf(dir: string, port: number, zone: string): string {
  return `options { directory "${dir}"; pid-file none; listen-on port ${port} { 127.0.0.1; }; listen-on-v6 { none; }; recursion no;
  allow-transfer { 127.0.0.1; }; notify no; };
controls { };
${zone}
`;
}
