/**
 * Host-name helpers shared by the cookie jar and the proxy rules.
 * @module
 */

/** True for an IPv4 or IPv6 literal (IPv6 without brackets). */
export function isIP(host: string): boolean {
  return host.includes(':') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
}
