/**
 * TLS option policy: clients verify the peer's chain and host name, and only an option nobody types by
 * accident (`dangerouslyDisableVerification: true`) turns that off.
 * @module
 */
import * as tls from 'node:tls';
import { isIPAddress } from './address.js';
import type { TLSOptions } from './interfaces.js';
import { TorsionError } from '../errors/index.js';

/** The one option that disables certificate verification. Say it out loud. */
export const DANGEROUSLY_DISABLE_VERIFICATION = 'dangerouslyDisableVerification';

/** Thrown when TLS options try to turn verification off the quiet way. */
export class InsecureTLSOptionsError extends TorsionError {
  override readonly code = 'TORSION_INSECURE_TLS_OPTIONS';
  override name = 'InsecureTLSOptionsError';
}

/**
 * Node `tls.connect` options from Torsion's: `rejectUnauthorized: false` is refused (use
 * `dangerouslyDisableVerification: true`), `servername` defaults to `host` when it is a name.
 */
export function clientTLSOptions(options: TLSOptions, host?: string): tls.ConnectionOptions {
  const { [DANGEROUSLY_DISABLE_VERIFICATION]: insecure, ...rest } = options as TLSOptions & { dangerouslyDisableVerification?: boolean };
  if (rest.rejectUnauthorized === false && insecure !== true) {
    throw new InsecureTLSOptionsError('rejectUnauthorized: false is not accepted; pass dangerouslyDisableVerification: true if you really mean to skip certificate verification');
  }
  const out: tls.ConnectionOptions = { ...(rest as tls.ConnectionOptions) };
  if (insecure === true) {
    out.rejectUnauthorized = false;
    out.checkServerIdentity = () => undefined;
  } else {
    out.rejectUnauthorized = true;
  }
  if (out.servername === undefined && host !== undefined && !isIPAddress(host)) out.servername = host;
  return out;
}

/** Options for a server-side `new tls.TLSSocket(socket, ...)` (startTLS as server, TLS over memory). */
export function serverTLSOptions(options: TLSOptions): tls.TLSSocketOptions {
  const o = options as tls.TlsOptions;
  return {
    isServer: true,
    secureContext: o.secureContext ?? tls.createSecureContext(o),
    ALPNProtocols: o.ALPNProtocols,
    SNICallback: o.SNICallback,
    requestCert: o.requestCert ?? false,
    rejectUnauthorized: o.requestCert ? (o.rejectUnauthorized ?? true) : false,
  };
}
