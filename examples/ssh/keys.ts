/**
 * SSH keys with `torsion/ssh`: generate a key, save it with a passphrase as ssh-keygen would, load it
 * back, print its fingerprint, and remember a host key in a known_hosts file.
 * `node -C torsion-source --import tsx examples/ssh/keys.ts [DIR]` (DIR defaults to a temporary folder).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Key, KnownHostsFile, HostKeyMismatchError } from 'torsion/ssh';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'torsion-keys-'));
const path = join(dir, 'id_ed25519');

// Generate, then save: the private key as openssh-key-v1 encrypted with bcrypt_pbkdf (mode 0600), the
// public key as one line (mode 0644): the files ssh-keygen would have written.
const key = await Key.generate('ed25519', { comment: 'example@torsion' });
await key.writeFile(path, 'openssh', { passphrase: 'correct horse battery staple' });
await key.writeFile(`${path}.pub`, 'public');

// Load it back; the fingerprint is what `ssh-keygen -lf id_ed25519.pub` prints.
const loaded = await Key.fromFile(path, { passphrase: 'correct horse battery staple' });
console.log(`${loaded.size()} ${loaded.fingerprint()} ${loaded.comment} (${loaded.type()})`);
console.log(`same key: ${loaded.equals(key)}`);

// A private key signs; its public half verifies.
const data = new TextEncoder().encode('hello');
const signature = loaded.sign('ssh-ed25519', data);
console.log(`signature verifies: ${(await Key.fromFile(`${path}.pub`)).verify('ssh-ed25519', signature, data)}`);

// known_hosts: remember a server's key, then meet it again, and meet an impostor.
const known = await KnownHostsFile.fromPath(join(dir, 'known_hosts'));
const hostKey = (await Key.generate('ecdsa', { bits: 256 })).public();
known.addHostKey('server.example', 2222, hostKey, { hash: true });
await known.save();
const again = await KnownHostsFile.fromPath(join(dir, 'known_hosts'));
console.log(`known host: ${again.hasHostKey('server.example', 2222, hostKey)}`);
try {
  again.hasHostKey('server.example', 2222, await Key.generate('ecdsa', { bits: 256 }));
} catch (e) {
  if (!(e instanceof HostKeyMismatchError)) throw e;
  console.log(`impostor refused: ${e.code}`);
}
