// A private INN2 (innd, which hands readers to nnrpd after MODE READER) in a temporary folder on a free
// loopback port, run as the `news` user: what PEERS.md describes, for the interop tests and the benchmark.
import { execFile } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';

const NEWS_UID = 9;
const NEWS_GID = 9;
const BIN = '/usr/lib/news/bin';

/** A running private INN. */
export interface InnServer {
  readonly port: number;
  readonly dir: string;
  /** Runs `ctlinnd` with these arguments. */
  ctlinnd(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function run(file: string, args: string[], env: Record<string, string>, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd, uid: NEWS_UID, gid: NEWS_GID, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${String(error)}\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

function chownTree(path: string): void {
  chownSync(path, NEWS_UID, NEWS_GID);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry));
}

/** inn.conf with every path under `dir`, our port, loopback only, and no load limit on readers. */
function innConf(dir: string, port: number, extra: Record<string, string>): string {
  const keys: Record<string, string> = {
    ...extra,
    patharchive: `${dir}/spool/archive`,
    patharticles: `${dir}/spool/articles`,
    pathdb: `${dir}/db`,
    pathetc: `${dir}/etc`,
    pathfilter: `${dir}/etc/filter`,
    pathhttp: `${dir}/http`,
    pathincoming: `${dir}/spool/incoming`,
    pathlog: `${dir}/log`,
    pathoutgoing: `${dir}/spool/outgoing`,
    pathoverview: `${dir}/spool/overview`,
    pathrun: `${dir}/run`,
    pathspool: `${dir}/spool`,
    pathtmp: `${dir}/spool/incoming/tmp`,
    pathhost: 'inn.example.org',
    port: String(port),
    bindaddress: '127.0.0.1',
    // The shared test machine's load is often above INN's default limit of 16, which makes nnrpd refuse readers.
    nnrpdloadlimit: '0',
  };
  let text = readFileSync('/etc/news/inn.conf', 'utf8');
  for (const [key, value] of Object.entries(keys)) {
    const re = new RegExp(`^${key}:.*$`, 'm');
    text = re.test(text) ? text.replace(re, `${key}: ${value}`) : `${text}\n${key}: ${value}\n`;
  }
  return text;
}

/** The pids of the processes whose parent is `parent` (from /proc). */
function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Starts a private INN with the given groups; `conf` sets more inn.conf keys. */
export async function startInn(groups: readonly string[], conf: Record<string, string> = {}): Promise<InnServer> {
  const innd = requirePeer(`${BIN}/innd`, 'inn2');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-inn-'));
  chmodSync(dir, 0o755);
  for (const sub of ['etc', 'db', 'log', 'run', 'http', 'spool/articles', 'spool/overview', 'spool/incoming/tmp', 'spool/outgoing', 'spool/archive']) mkdirSync(join(dir, sub), { recursive: true });
  for (const name of readdirSync('/etc/news')) {
    if (statSync(join('/etc/news', name)).isFile()) copyFileSync(join('/etc/news', name), join(dir, 'etc', name));
  }
  writeFileSync(
    join(dir, 'etc/readers.conf'),
    'auth "local" {\n  hosts: "localhost, 127.0.0.1, ::1, stdin"\n  default: "<local>"\n}\naccess "local" {\n  users: "<local>"\n  newsgroups: "*"\n  access: RPNA\n}\n',
  );
  writeFileSync(join(dir, 'db/active'), 'control 0000000000 0000000001 n\ncontrol.cancel 0000000000 0000000001 n\njunk 0000000000 0000000001 n\n');
  writeFileSync(join(dir, 'db/active.times'), 'control 0 news\ncontrol.cancel 0 news\njunk 0 news\n');
  writeFileSync(join(dir, 'db/newsgroups'), '');
  writeFileSync(join(dir, 'db/history'), '');
  writeFileSync(join(dir, 'etc/inn.conf'), innConf(dir, 0, conf));
  chownTree(dir);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', INNCONF: join(dir, 'etc/inn.conf'), HOME: dir };
  await run(`${BIN}/makedbz`, ['-i', '-o'], env, join(dir, 'db'));
  let program: PeerProgram;
  try {
    program = await startPeerProgram({
      executable: innd,
      name: 'innd',
      args: (port) => {
        writeFileSync(join(dir, 'etc/inn.conf'), innConf(dir, port, conf));
        chownSync(join(dir, 'etc/inn.conf'), NEWS_UID, NEWS_GID);
        return ['-f'];
      },
      env,
      cwd: dir,
      uid: NEWS_UID,
      gid: NEWS_GID,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const ctlinnd = (...args: string[]) => run(`${BIN}/ctlinnd`, args, env, dir);
  for (const g of groups) await ctlinnd('newgroup', g, 'y');
  return {
    port: program.port,
    dir,
    ctlinnd,
    async stop() {
      // innd takes controlchan down on a proper shutdown, but the nnrpd it forked for readers may outlive
      // it: those (and only those, found by parent pid) are ended here.
      const children = program.transport.pid === undefined ? [] : childPids(program.transport.pid);
      await ctlinnd('shutdown', 'test done').catch(() => undefined);
      await program.stop();
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
