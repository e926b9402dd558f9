/**
 * OpenSSH's `sftp-server` (Debian package openssh-sftp-server) run as a child process, with an
 * {@link SFTPClient} on its stdin and stdout.
 * @module
 */
import { ProcessStreamProtocol, reactor, spawnProcess } from '../../../internet/index.js';
import { SFTPClient, type SFTPClientOptions } from '../client/client.js';

export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

/**
 * Starts `sftp-server` (`exe`, from `requirePeer(SFTP_SERVER, 'openssh-sftp-server')` in the test, which
 * keeps the test out of the quick loop) with `cwd` as its working directory; resolves once its VERSION arrived.
 */
export async function openSSHServer(exe: string, cwd: string, options: SFTPClientOptions = {}): Promise<{ client: SFTPClient; stop(): void }> {
  const client = new SFTPClient(options);
  const proto = new ProcessStreamProtocol(client, 'sftp-server', 'drain');
  spawnProcess(reactor, proto, exe, ['sftp-server', '-d', cwd], { path: cwd, env: { PATH: '/usr/bin:/bin' } });
  await client.whenReady();
  return { client, stop: () => proto.transport?.loseConnection() };
}
