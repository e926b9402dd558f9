/**
 * An SSH server and client with `torsion/ssh`, in one process: the server checks a password and a public
 * key through a `torsion/cred` portal and runs commands with `/bin/sh -c`; the client logs in both ways
 * over loopback TCP and runs a command.
 * `node -C torsion-source --import tsx examples/ssh/exec.ts`
 */
import { InMemorySSHKeyDB, InMemoryUsernamePasswordDatabase, Portal, SSHPublicKeyChecker } from 'torsion/cred';
import { Factory, clientFromString, connectProtocol, reactor } from 'torsion/internet';
import { ConchRealm, Key, SSHClientTransport, SSHServerTransport, SSHUserAuthServer, sshClientServices } from 'torsion/ssh';

const hostKey = await Key.generate('ed25519');
const userKey = await Key.generate('ed25519');

// The server: who may log in (a password, an authorized key), and what they get (a ConchUser per login:
// sessions running /bin/sh -c as this process's OS user; no forwarding unless `forwardAllow` says so).
const portal = new Portal(new ConchRealm(), [
  new InMemoryUsernamePasswordDatabase({ alice: 'secret' }),
  new SSHPublicKeyChecker(new InMemorySSHKeyDB({ alice: [userKey.publicKey.toString()] })),
]);
const factory = new Factory();
factory.buildProtocol = () => new SSHServerTransport({ hostKeys: [hostKey], services: { 'ssh-userauth': () => new SSHUserAuthServer({ portal }) } });
const listening = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
const { port } = listening.getHost() as unknown as { port: number };

// The client: the transport checks the host key, then the services log in and give the exec API.
async function run(login: { keys?: Key[]; password?: string }, command: string): Promise<void> {
  const transport = new SSHClientTransport({ verifyHostKey: (key) => key.equals(hostKey.publicKey) });
  await connectProtocol(clientFromString(reactor, `tcp:host=127.0.0.1:port=${port}`), transport);
  const { userauth, ready } = sshClientServices({ username: 'alice', ...login });
  void transport.requestService(userauth);
  const client = await ready;
  const { stdout, stderr, exitStatus } = await client.exec(command);
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  console.log(`${login.keys ? 'key' : 'password'}: stdout=${text(stdout)} stderr=${text(stderr)} exit=${exitStatus}`);
  client.close();
}

await run({ keys: [userKey] }, 'echo "hello $USER"; echo oops >&2; exit 3');
await run({ password: 'secret' }, 'echo "hello again $USER"');
await listening.stopListening();
