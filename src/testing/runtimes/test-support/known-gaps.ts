/**
 * Tests that do not pass on Deno or Bun, each with the runtime difference behind it (docs/runtimes.md
 * lists them for users). The runs under those runtimes report them as skipped with the reason; everything
 * else must pass. Each entry is part of a test's full name (`suite > test`).
 * @module
 */
import type { ForeignRuntime } from './run-under.js';

const STARTTLS_BYTES_WRITTEN =
  "the test watches the plain socket's bytesWritten to know the TLS hello left; the runtime does not count TLS records written through a socket upgraded in place";

const BOTH: [string, string][] = [
  ['a client that pipelines its TLS hello behind STARTTLS', STARTTLS_BYTES_WRITTEN],
  ['a LineReceiver server: raw mode after STARTTLS', STARTTLS_BYTES_WRITTEN],
];

const BUN_PIPES = "Bun's pipes do not count the bytes they hold (writableLength stays 0): getWriteBufferSize reads 0, and a producer is paused when the pipe reports itself full rather than at setWriteBufferLimits' marks";

/** Per runtime: `[part of the test name, why it cannot pass there]`. */
export const KNOWN_GAPS: Record<ForeignRuntime, readonly (readonly [string, string])[]> = {
  deno: [
    ...BOTH,
    ['HTTP over STARTTLS over TCP > a client that pipelines requests without reading', "a socket upgraded in place by STARTTLS on Deno now and then lets every write through without pausing the producer (all 64 responses were rendered once, at load 5; it passes alone)"],
    ['connected UDP reports an unreachable port with connectionRefused', "Deno's dgram connects in name only, so no ICMP port-unreachable reaches a connected UDP socket"],
  ],
  bun: [
    ...BOTH,
    ['TLSWrapperProtocol over TCP > abortConnection', "Bun's TLSSocket over a JavaScript stream encrypts the 4 MiB write at once and the records reach the peer before abortConnection runs (fails on main's tls-wrapper too, run alone at load 20)"],
    ['TLSWrapperProtocol over TCP > half-close', "Bun's TLSSocket over a JavaScript stream closes both directions when the peer half-closes"],
    ['binding is synchronous: getHost works at once', "Bun's dgram binds on a later tick whatever the address: listenUDP returns a port that is still binding (whenListening() fires once bound)"],
    ['StandardIO over pipes > getWriteBufferSize', BUN_PIPES],
    ['StandardIO over pipes > setWriteBufferLimits', BUN_PIPES],
    ['StandardIO over pipes > writes between cork()', BUN_PIPES],
    ['relayed to TCP > getWriteBufferSize', BUN_PIPES],
    ['relayed to TCP > setWriteBufferLimits', BUN_PIPES],
    ['relayed to TCP > writes between cork()', BUN_PIPES],
  ],
};
