/**
 * An SSH server in 20 lines: keys from one authorized_keys file per user, `/bin/sh` sessions and SFTP in a
 * folder (as this process's own OS user: a working directory, not a privilege boundary).
 * `node -C torsion-source --import tsx examples/ssh/server.ts ROOT KEYS_DIR HOST_KEY_FILE [PORT]`
 */
import { existsSync } from 'node:fs';
import { AuthorizedKeysFiles, Portal, SSHPublicKeyChecker, authorizedKeysDirectory } from 'torsion/cred';
import { Factory, reactor } from 'torsion/internet';
import { ConchRealm, Key, RootFilesystem, SFTPServer, SSHServerTransport, SSHUserAuthServer } from 'torsion/ssh';

const [root = '.', keysDir = './keys', hostKeyFile = './ssh_host_ed25519_key', port = '0'] = process.argv.slice(2);
const hostKey = existsSync(hostKeyFile) ? await Key.fromFile(hostKeyFile) : await Key.generate('ed25519');
if (!existsSync(hostKeyFile)) await hostKey.writeFile(hostKeyFile);
const realm = new ConchRealm({ path: root, subsystems: { sftp: () => new SFTPServer(new RootFilesystem(root)) } });
const portal = new Portal(realm, [new SSHPublicKeyChecker(new AuthorizedKeysFiles(authorizedKeysDirectory(keysDir)))]);
const factory = new Factory();
factory.buildProtocol = () => new SSHServerTransport({ hostKeys: [hostKey], services: { 'ssh-userauth': () => new SSHUserAuthServer({ portal }) } });
const listening = reactor.listenTCP(Number(port), factory, { interface: '127.0.0.1' });
console.log(`listening on ${(listening.getHost() as unknown as { port: number }).port}, host key ${hostKey.fingerprint()}`);
