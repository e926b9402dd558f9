/**
 * The Torsion side of `bench/xmpp.bench.ts`: a words service with its XMPP door on 127.0.0.1 (STARTTLS with a
 * throwaway certificate), accounts `user0`..`userN-1` (password `pw<i>`, SCRAM keys of the iteration count
 * given, made at registration; the scrypt hash beside them is cheap here, as SCRAM logins never touch it),
 * the door's flood limit off (as Prosody has none here) and the login throttle raised for one address.
 * Prints one JSON line `{ port, cert }`, then serves until killed.
 */
import { reactor } from '../../src/internet/index.js';
import { selfSignedCertificate } from '../../src/testing/index.js';
import { createWordsService } from '../../src/words/index.js';
import { XMPPWordsFactory } from '../../src/words/xmpp/index.js';

const accounts = Number(process.argv[2] ?? 20);
const scramIterations = Number(process.argv[3] ?? 4096);
const { key, cert } = selfSignedCertificate('localhost');
const words = createWordsService({ clock: reactor, scrypt: { N: 1024, r: 8, p: 1 }, scramIterations, login: { maxChecksInFlight: 64, freeFailures: 1000 }, registration: { perAddress: 1_000_000, perConnection: 1_000_000 } });
await words.start();
await Promise.all(Array.from({ length: accounts }, (_, i) => words.register(`user${i}`, `pw${i}`)));
const door = new XMPPWordsFactory(words, { domain: 'localhost', tls: { key, cert }, clock: reactor, limits: { floodBurst: 1e9, floodRate: 1e9 }, streamLimits: { maxResourcesPerAccount: 1000 } });
const port = reactor.listenTCP(0, door, { interface: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: (port.getHost() as unknown as { port: number }).port, cert })}\n`);
