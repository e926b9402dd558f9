/**
 * An SSH client: log in with a key file, checking the server's key against a known_hosts file (a new host
 * is refused unless `--accept-new`), run a command, then put, get and list files over SFTP.
 * `node -C torsion-source --import tsx examples/ssh/client.ts HOST PORT USER KEY_FILE KNOWN_HOSTS [--accept-new]`
 */
import { readFileSync } from 'node:fs';
import { SSHClient } from 'torsion/ssh';

const [host = '127.0.0.1', port = '22', username = 'alice', keyFile = './id_ed25519', knownHosts = './known_hosts', flag] = process.argv.slice(2);
const ssh = await SSHClient.connect({ host, port: Number(port), username, privateKey: readFileSync(keyFile, 'utf8'), knownHosts, acceptNewHostKeys: flag === '--accept-new' });
const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();

const { stdout, stderr, exitStatus } = await ssh.exec('echo "hello $USER"; echo oops >&2; exit 3');
console.log(`exec: stdout=${text(stdout)} stderr=${text(stderr)} exit=${exitStatus}`);

const sftp = await ssh.sftp();
await sftp.writeFile('notes.txt', 'written over SFTP\n');
console.log(`sftp: read back ${JSON.stringify(text(await sftp.readFile('notes.txt')))}`);
const names = (await sftp.readdir('.')).map((e) => e.filename).filter((n) => !n.startsWith('.'));
console.log(`sftp: ls ${names.sort().join(' ')}`);
await ssh.close();
