/**
 * An SFTP server on this process's stdin and stdout, confined to one directory: what an SSH server runs
 * for the `sftp` subsystem, and what OpenSSH's client can talk to directly, without SSH:
 *
 *     sftp -D "node --import tsx examples/ssh/sftp-stdio.ts /srv/files" -b batch.txt
 *
 * (with NODE_OPTIONS=--conditions=torsion-source to run from the sources). Logs go to stderr, since stdout
 * carries the protocol.
 */
import { StandardIO } from 'torsion/internet';
import { RootFilesystem, SFTPServer } from 'torsion/ssh';

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write('usage: sftp-stdio.ts ROOT\n');
  process.exit(64);
}
new StandardIO(new SFTPServer(new RootFilesystem(root)));
