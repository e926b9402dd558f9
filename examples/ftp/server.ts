// An FTP server where each user has a home folder of their own and guests may read a shared one:
// `node -C torsion-source --import tsx examples/ftp/server.ts [root] [port]` (default ./ftp-root, 2121, 127.0.0.1 only).
// Users: alice/secret and bob/hunter2; `anonymous` reads <root>/pub. Ctrl-C (or SIGTERM) stops it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ANONYMOUS, AllowAnonymousAccess, InMemoryUsernamePasswordDatabase, Portal, type AvatarId, type IRealm, type LoginResult } from 'torsion/cred';
import { FTPFactory, FilesystemShell, IFTPShell } from 'torsion/ftp';
import { reactor, type IPv4Address } from 'torsion/internet';

const root = resolve(process.argv[2] ?? 'ftp-root');
const port = Number(process.argv[3] ?? 2121);

/** Gives alice and bob a shell on <root>/home/<name>, and guests a read-only one on <root>/pub. */
class HomesRealm implements IRealm {
  requestAvatar(avatarId: AvatarId): LoginResult {
    const folder = avatarId === ANONYMOUS ? join(root, 'pub') : join(root, 'home', avatarId as string);
    mkdirSync(folder, { recursive: true });
    const shell = new FilesystemShell(folder, { readOnly: avatarId === ANONYMOUS });
    return [IFTPShell, shell, () => console.log(`${String(avatarId === ANONYMOUS ? 'anonymous' : avatarId)} logged out`)] as unknown as LoginResult;
  }
}

const portal = new Portal(new HomesRealm(), [new InMemoryUsernamePasswordDatabase({ alice: 'secret', bob: 'hunter2' }), new AllowAnonymousAccess()]);
const factory = new FTPFactory({ portal, reactor, allowAnonymous: true, limits: { idleTimeout: 120 } });
const listening = reactor.listenTCP(port, factory, { interface: '127.0.0.1' });
console.log(`ftp server on 127.0.0.1:${(listening.getHost() as IPv4Address).port}`);
reactor.addSystemEventTrigger('before', 'shutdown', () => listening.stopListening());
reactor.addSystemEventTrigger('after', 'shutdown', () => console.log('ftp server stopped'));
await reactor.run();
