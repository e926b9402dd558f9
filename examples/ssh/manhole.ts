/**
 * A manhole in your own application: an SSH server whose shell, for authorised keys only, is a JavaScript
 * REPL with the application's objects in scope. Whoever logs in can do anything this process can.
 * `node -C torsion-source --import tsx examples/ssh/manhole.ts AUTHORIZED_KEY_LINE`, then `ssh -T -p PORT admin@127.0.0.1`
 */
import { InMemorySSHKeyDB, Portal, SSHPublicKeyChecker } from 'torsion/cred';
import { Factory, reactor } from 'torsion/internet';
import { ConchRealm, ConchUser, Key, Manhole, SSHServerTransport, SSHUserAuthServer } from 'torsion/ssh';

// The application: whatever state it has, shared by reference with the REPL.
const app = { started: new Date().toISOString(), hits: 0, hit() { return ++this.hits; } };

const [adminKey = ''] = process.argv.slice(2);
const hostKey = await Key.generate('ed25519');
// Each login gets a user whose shell is the manhole; no exec of commands, no SFTP, no forwarding.
const realm = new ConchRealm((username) => new ConchUser(username, { shell: () => new Manhole({ namespace: { app, reactor } }), session: () => ({ openShell() { throw new Error('no shell'); }, execCommand() { throw new Error('no commands here'); }, closed() {} }) }));
const portal = new Portal(realm, [new SSHPublicKeyChecker(new InMemorySSHKeyDB({ admin: [adminKey] }))]);
const factory = new Factory();
factory.buildProtocol = () => new SSHServerTransport({ hostKeys: [hostKey], services: { 'ssh-userauth': () => new SSHUserAuthServer({ portal }) } });
const listening = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
console.log(`manhole on ${(listening.getHost() as unknown as { port: number }).port} ${hostKey.publicKey.toString()}`);
