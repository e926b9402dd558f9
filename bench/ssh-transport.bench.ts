/**
 * The SSH packet codec's bulk throughput (seal and open 32 KiB payloads) for `aes256-gcm@openssh.com` and
 * `chacha20-poly1305@openssh.com`, against node:crypto doing only the matching AEAD over the same bytes
 * (the floor the codec cannot beat: what remains is framing, padding and, for ChaCha20, Poly1305 in
 * JavaScript), and in-memory handshakes per second (curve25519-sha256, ssh-ed25519). The comparison with
 * `sshd` and npm `ssh2` over real sockets is `ssh.bench.ts`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { opsPerSecond, type BenchCase } from './harness.js';
import { PacketDecoder, PacketEncoder } from '../src/ssh/transport/packet-codec.js';
import { cipherSpec } from '../src/ssh/transport/ciphers.js';
import { transportPair } from '../src/ssh/transport/test-support/services.js';

const PAYLOAD = 32 * 1024;
const BATCH = 32;

function codecRate(cipher: string): Promise<number> {
  const spec = cipherSpec(cipher)!;
  const keys = { cipher, mac: '', key: randomBytes(spec.keyLength), iv: randomBytes(spec.ivLength), macKey: new Uint8Array(0) };
  const encoder = new PacketEncoder();
  const decoder = new PacketDecoder();
  encoder.setKeys(keys);
  decoder.setKeys(keys);
  const payload = randomBytes(PAYLOAD);
  payload[0] = 94;
  return opsPerSecond(() => {
    for (let i = 0; i < BATCH; i++) {
      decoder.feed(encoder.encode(payload));
      if (decoder.next() === null) throw new Error('no packet');
    }
  }, BATCH * PAYLOAD);
}

function nodeAeadRate(node: 'aes-256-gcm' | 'chacha20-poly1305'): Promise<number> {
  const aead = node as 'aes-256-gcm';
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const payload = randomBytes(PAYLOAD);
  return opsPerSecond(() => {
    for (let i = 0; i < BATCH; i++) {
      const c = createCipheriv(aead, key, iv, { authTagLength: 16 });
      const sealed = c.update(payload);
      c.final();
      const d = createDecipheriv(aead, key, iv, { authTagLength: 16 });
      d.setAuthTag(c.getAuthTag());
      d.update(sealed);
      d.final();
    }
  }, BATCH * PAYLOAD);
}

export default async function (): Promise<BenchCase[]> {
  const mb = (bytesPerSecond: number) => bytesPerSecond / 1e6;
  const cases: BenchCase[] = [];
  for (const [cipher, node] of [['aes256-gcm@openssh.com', 'aes-256-gcm'], ['chacha20-poly1305@openssh.com', 'chacha20-poly1305']] as const) {
    cases.push({
      name: `ssh packet codec seal+open, ${cipher}, 32 KiB payloads`,
      higherIsBetter: true,
      measurements: [
        { subject: 'torsion', value: mb(await codecRate(cipher)), unit: 'MB/s' },
        { subject: `node:crypto ${node} alone`, value: mb(await nodeAeadRate(node)), unit: 'MB/s' },
      ],
    });
  }
  const handshakes = await opsPerSecond(() => {
    const pair = transportPair({ client: { algorithms: { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'] } } });
    pair.pump.flush();
    if (pair.client.keyExchanges !== 1) throw new Error('handshake failed');
  }, 1);
  cases.push({ name: 'ssh handshakes in memory, curve25519-sha256 + ssh-ed25519', higherIsBetter: true, measurements: [{ subject: 'torsion', value: handshakes, unit: 'handshakes/s' }] });
  return cases;
}
