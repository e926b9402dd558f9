/**
 * Real FTP servers for the client's interop tests: vsftpd (logging in a system user the test creates and
 * deletes) and pyftpdlib, each on a free 127.0.0.1 port.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, selfSignedCertificate, startPeerProgram, type PeerProgram } from '../../testing/index.js';

export interface PeerServer {
  readonly port: number;
  /** The server process (to pin it to a core in benchmarks). */
  readonly pid: number | undefined;
  readonly user: string;
  readonly password: string;
  /** The folder the user sees as `/`. */
  readonly home: string;
  /** The CA file (the server's self-signed certificate), for servers started with TLS. */
  readonly caFile: string | null;
  stop(): Promise<void>;
  log(): string;
}

/** vsftpd with a throw-away system user; `tls` turns on explicit FTPS. */
export async function startVsftpd(tls = false): Promise<PeerServer> {
  const vsftpd = requirePeer('vsftpd', 'vsftpd');
  const useradd = requirePeer('useradd', 'passwd');
  const userdel = requirePeer('userdel', 'passwd');
  const chpasswd = requirePeer('chpasswd', 'passwd');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-vsftpd-'));
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  const user = `tftp${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  execFileSync(useradd, ['-d', home, '-m', '-s', '/bin/bash', user]);
  let program: PeerProgram | undefined;
  try {
    execFileSync(chpasswd, [], { input: `${user}:${password}\n` });
    mkdirSync('/var/run/vsftpd/empty', { recursive: true });
    let caFile: string | null = null;
    const tlsLines: string[] = [];
    if (tls) {
      const cert = selfSignedCertificate('localhost');
      caFile = join(dir, 'cert.pem');
      writeFileSync(caFile, cert.cert);
      writeFileSync(join(dir, 'key.pem'), cert.key);
      // require_ssl_reuse (vsftpd's default) refuses data connections that do not resume the control connection's session.
      tlsLines.push('ssl_enable=YES', `rsa_cert_file=${caFile}`, `rsa_private_key_file=${join(dir, 'key.pem')}`, 'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'require_ssl_reuse=YES', 'ssl_tlsv1=YES');
    }
    const config = join(dir, 'vsftpd.conf');
    program = await startPeerProgram({
      name: 'vsftpd',
      executable: vsftpd,
      args: (port) => {
        writeFileSync(
          config,
          [
            'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
            'anonymous_enable=NO', 'local_enable=YES', 'write_enable=YES', 'local_umask=022',
            'chroot_local_user=YES', 'allow_writeable_chroot=YES', 'seccomp_sandbox=NO', 'pam_service_name=vsftpd',
            'secure_chroot_dir=/var/run/vsftpd/empty', 'userlist_enable=NO', 'xferlog_enable=NO', 'pasv_enable=YES',
            ...tlsLines,
          ].join('\n') + '\n',
        );
        return [config];
      },
    });
    const started = program;
    return {
      port: started.port,
      pid: started.transport.pid,
      user,
      password,
      home,
      caFile,
      log: () => started.output(),
      async stop() {
        await started.stop();
        execFileSync(userdel, ['-r', user], { stdio: 'ignore' });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await program?.stop();
    try {
      execFileSync(userdel, ['-r', user], { stdio: 'ignore' });
    } catch {
      // The mail spool userdel -r complains about is not there; the user is gone anyway.
    }
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** pyftpdlib (Debian python3-pyftpdlib) with one user and a writable home. */
export async function startPyftpdlib(): Promise<PeerServer> {
  const python = requirePeer('/usr/bin/python3', 'python3-pyftpdlib');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-pyftpdlib-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const script = `
import sys, logging
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
logging.basicConfig(level=logging.INFO)
auth = DummyAuthorizer()
auth.add_user('bob', 'hunter2', sys.argv[2], perm='elradfmwMT')
FTPHandler.authorizer = auth
FTPServer(('127.0.0.1', int(sys.argv[1])), FTPHandler).serve_forever()
`;
  const program = await startPeerProgram({ name: 'pyftpdlib', executable: python, args: (port) => ['-c', script, String(port), home] });
  return {
    port: program.port,
    pid: program.transport.pid,
    user: 'bob',
    password: 'hunter2',
    home,
    caFile: null,
    log: () => program.output(),
    async stop() {
      await program.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
