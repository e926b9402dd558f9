/**
 * Numbers of the DNS wire format: record types, classes, opcodes, response codes.
 * Browser-safe.
 * @module
 */

/** Record types (RFC 1035, 3596, 2782, 6844, 3403, 6891, 1995). */
export const A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, NAPTR = 35,
  DS = 43, OPT = 41, IXFR = 251, AXFR = 252, ALL_RECORDS = 255, CAA = 257;

/** Classes. */
export const IN = 1, CH = 3, ANY_CLASS = 255;

/** Opcodes: a query, and NOTIFY (RFC 1996). */
export const OP_QUERY = 0, OP_NOTIFY = 4;

/** Response codes. */
export const OK = 0, EFORMAT = 1, ESERVER = 2, ENAME = 3, ENOTIMP = 4, EREFUSED = 5, ENOTAUTH = 9, BADVERS = 16;

const TYPE_NAMES: Record<number, string> = {
  [A]: 'A', [NS]: 'NS', [CNAME]: 'CNAME', [SOA]: 'SOA', [PTR]: 'PTR', [MX]: 'MX', [TXT]: 'TXT', [AAAA]: 'AAAA',
  [SRV]: 'SRV', [NAPTR]: 'NAPTR', [DS]: 'DS', [OPT]: 'OPT', [IXFR]: 'IXFR', [AXFR]: 'AXFR', [ALL_RECORDS]: 'ANY', [CAA]: 'CAA',
};

/** The mnemonic of a type (`TYPE65280` for an unknown one, RFC 3597 §5). */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

/** The number of a type mnemonic (`MX`, `TYPE99`), or undefined. */
export function typeFromName(name: string): number | undefined {
  const upper = name.toUpperCase();
  for (const [n, text] of Object.entries(TYPE_NAMES)) if (text === upper) return Number(n);
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  return m !== null && Number(m[1]) <= 65535 ? Number(m[1]) : undefined;
}
