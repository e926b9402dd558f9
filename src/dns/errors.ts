/**
 * Errors of the DNS layer, each with a stable `code`. The resolver's failures follow Twisted's names
 * (`DNSNameError` for NXDOMAIN, `DNSServerError` for SERVFAIL, ...).
 * Browser-safe.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** A message cannot be decoded (truncated, a compression loop, a bad label) or encoded (a name too long). */
export class DNSFormatError extends TorsionError {
  override readonly code: string = 'TORSION_DNS_FORMAT';
  override name = 'DNSFormatError';
}

/** The base of the failures a server answered with; `rcode` is the response code it sent. */
export class DNSResponseError extends TorsionError {
  override readonly code: string = 'TORSION_DNS_RESPONSE';
  override name = 'DNSResponseError';
  /** The response code of the answer. */
  readonly rcode: number;
  constructor(message: string, rcode: number) {
    super(message);
    this.rcode = rcode;
  }
}

/** The server said the name does not exist (NXDOMAIN, rcode 3). */
export class DNSNameError extends DNSResponseError {
  override readonly code = 'TORSION_DNS_NAME_ERROR';
  override name = 'DNSNameError';
}

/** The server failed (SERVFAIL, rcode 2). */
export class DNSServerError extends DNSResponseError {
  override readonly code = 'TORSION_DNS_SERVER_ERROR';
  override name = 'DNSServerError';
}

/** The server could not parse the query (FORMERR, rcode 1). */
export class DNSQueryFormatError extends DNSResponseError {
  override readonly code = 'TORSION_DNS_QUERY_FORMAT';
  override name = 'DNSQueryFormatError';
}

/** The server does not implement the query (NOTIMP, rcode 4). */
export class DNSNotImplementedError extends DNSResponseError {
  override readonly code = 'TORSION_DNS_NOT_IMPLEMENTED';
  override name = 'DNSNotImplementedError';
}

/** The server refused the query (REFUSED, rcode 5). */
export class DNSQueryRefusedError extends DNSResponseError {
  override readonly code = 'TORSION_DNS_REFUSED';
  override name = 'DNSQueryRefusedError';
}

/** Any other response code. */
export class DNSUnknownError extends DNSResponseError {
  override readonly code = 'TORSION_DNS_UNKNOWN';
  override name = 'DNSUnknownError';
}

/** No server answered within the timeouts, across every server and retry. */
export class DNSQueryTimeoutError extends TorsionError {
  override readonly code = 'TORSION_DNS_TIMEOUT';
  override name = 'DNSQueryTimeoutError';
}

/**
 * The lookup found records but none of the type asked (`getHostByName` on a name with no address): the same
 * class as the one connecting by host name fails with, as in Twisted (`twisted.internet.error`).
 */
export { DNSLookupError } from '../internet/error.js';

/** The error class for a response code (0 has none). */
export function errorForRcode(rcode: number, question: string): DNSResponseError {
  switch (rcode) {
    case 1: return new DNSQueryFormatError(`format error for ${question}`, rcode);
    case 2: return new DNSServerError(`server failure for ${question}`, rcode);
    case 3: return new DNSNameError(`no such name: ${question}`, rcode);
    case 4: return new DNSNotImplementedError(`not implemented: ${question}`, rcode);
    case 5: return new DNSQueryRefusedError(`refused: ${question}`, rcode);
    default: return new DNSUnknownError(`response code ${rcode} for ${question}`, rcode);
  }
}

/** A zone transfer (AXFR or IXFR) failed: refused, malformed, over its limits, or cut short. */
export class DNSTransferError extends TorsionError {
  override readonly code: string = 'TORSION_DNS_TRANSFER';
  override name = 'DNSTransferError';
}

/** The server answered a zone transfer with an error `rcode` (REFUSED, NOTIMP...). */
export class DNSTransferRefusedError extends DNSTransferError {
  override readonly code = 'TORSION_DNS_TRANSFER_REFUSED';
  override name = 'DNSTransferRefusedError';
  constructor(message: string, readonly rcode: number) {
    super(message);
  }
}
