// Dovecot's POP3 or IMAP server on a free loopback port with its own config, users file and maildirs in a temp folder.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';

/** Dovecot runs mail processes as `nobody` (it refuses uid 0), so the maildirs are given to that user. */
const NOBODY = 65534;

export interface Dovecot {
  dir: string;
  port: number;
  /** The maildir of `user`, to put messages in before a session. */
  maildir(user: string): string;
  program: PeerProgram;
  /** Dovecot's log so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function chownTree(path: string): void {
  chownSync(path, NOBODY, NOBODY);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name));
}

/**
 * Starts Dovecot's `protocol` server for `users` (name to password); `prepare` fills the maildirs before it
 * starts; `extraConfig` lines are added to its configuration; its folder goes below `parent`.
 */
export async function startDovecot(
  users: Record<string, string>,
  prepare: (maildir: (user: string) => string) => void | Promise<void>,
  protocol: 'pop3' | 'imap' = 'pop3',
  extraConfig: readonly string[] = [],
  parent = tmpdir(),
): Promise<Dovecot> {
  const dovecot = requirePeer('/usr/sbin/dovecot', protocol === 'pop3' ? 'dovecot-pop3d' : 'dovecot-imapd');
  const dir = mkdtempSync(join(parent, 'torsion-dovecot-'));
  // Its auth process (user dovecot) and mail processes (nobody) read below this folder.
  chmodSync(dir, 0o755);
  const maildir = (user: string): string => join(dir, 'mail', user);
  for (const user of Object.keys(users)) for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir(user), sub), { recursive: true });
  mkdirSync(join(dir, 'home'));
  await prepare(maildir);
  chownTree(join(dir, 'mail'));
  chownTree(join(dir, 'home'));
  writeFileSync(join(dir, 'passwd'), Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}\n`).join(''));
  const config = (port: number): string =>
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/dovecot.log`,
      `protocols = ${protocol}`,
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain',
      `mail_location = maildir:${dir}/mail/%n`,
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%n ${dir}/passwd\n}`,
      `userdb {\n  driver = static\n  args = uid=${NOBODY} gid=${NOBODY} home=${dir}/home/%n\n}`,
      `service ${protocol}-login {\n  inet_listener ${protocol} {\n    port = ${port}\n    address = 127.0.0.1\n  }\n  inet_listener ${protocol}s {\n    port = 0\n  }\n}`,
      'pop3_uidl_format = %08Xu%08Xv',
      ...extraConfig,
      '',
    ].join('\n');
  // Dovecot's helper processes inherit its output and may hold it open after the master exits; with the
  // output in a file, the peer ends when the master does.
  const shell = requirePeer('/bin/sh', 'dash');
  const program = await startPeerProgram({
    executable: shell,
    name: 'dovecot',
    args: (port) => {
      writeFileSync(join(dir, 'dovecot.conf'), config(port));
      return ['-c', 'exec "$0" -F -c "$1" >"$2" 2>&1', dovecot, join(dir, 'dovecot.conf'), join(dir, 'dovecot.out')];
    },
  });
  return {
    dir,
    port: program.port,
    maildir,
    program,
    log: () => {
      try {
        return readFileSync(join(dir, 'dovecot.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      await program.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
