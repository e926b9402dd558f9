/**
 * Where servers listen when not told: this machine only. A server started to try something must not be
 * reachable from the network (a chat database, a project folder), so every plugin's default endpoints are
 * the loopback addresses, and `--help` says how to open up.
 * @module
 */
import { networkInterfaces } from 'node:os';

/** True when the host has the IPv6 loopback address (some containers run without IPv6). */
function hasIPv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((addrs) => addrs?.some((a) => a.internal && a.family === 'IPv6' && a.address === '::1'));
}

/**
 * The default endpoints for `port`: `tcp:PORT:interface=127.0.0.1`, and `tcp:PORT:interface=\:\:1` (colons
 * escaped, as the endpoint grammar wants) when the host has an IPv6 loopback, so `localhost` works whichever
 * address a client tries first.
 *
 * @example
 * { name: 'listen', multiple: true, default: loopbackEndpoints(8080), ... }
 */
export function loopbackEndpoints(port: number): string[] {
  const endpoints = [`tcp:${port}:interface=127.0.0.1`];
  if (hasIPv6Loopback()) endpoints.push(`tcp:${port}:interface=\\:\\:1`);
  return endpoints;
}

/** The `--help` note of every server plugin: how to listen on the network. */
export const LISTEN_HELP = [
  'By default servers listen on this machine only (127.0.0.1 and ::1). To accept connections from the',
  'network, give an endpoint without an interface (tcp:8080 listens on every interface) or with the',
  'address to use (tcp:8080:interface=192.0.2.10); for HTTPS, ssl:8443:privateKey=key.pem:certKey=cert.pem.',
].join('\n');
