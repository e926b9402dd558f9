/**
 * Request URIs taken apart for the wire: where to connect, the `Host` header, the request-target.
 * @module
 */
import { SchemeNotSupported } from './errors.js';

/** A parsed `http:` or `https:` URI. */
export interface ClientURI {
  readonly scheme: 'http' | 'https';
  /** The host to connect to (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** The `Host` header: host, and port when it is not the scheme's default. */
  readonly hostHeader: string;
  /** Origin-form request-target: path and query, never the fragment. */
  readonly path: string;
  /** The URI without its fragment (absolute-form, as sent to a proxy). */
  readonly absolute: string;
}

/** Parses `uri`; throws `SchemeNotSupported` for anything but http and https, TypeError if malformed. */
export function parseURI(uri: string): ClientURI {
  const url = new URL(uri);
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') throw new SchemeNotSupported(`unsupported scheme: ${JSON.stringify(scheme)}`);
  if (url.hostname === '') throw new TypeError(`no host in ${JSON.stringify(uri)}`);
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const path = (url.pathname === '' ? '/' : url.pathname) + url.search;
  return { scheme, host, port, hostHeader: url.host, path, absolute: `${scheme}://${url.host}${path}` };
}
