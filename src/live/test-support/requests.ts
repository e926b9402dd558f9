/**
 * HTTP requests to a `Site` from a chosen client address, in memory (`Site.request` always comes from a
 * pipe), for the per-address limits of live pages.
 * @module
 */
import { ipAddress } from '../../internet/address.js';
import { StringTransport } from '../../testing/index.js';
import { ResponseParser } from '../../web/response-parser.js';
import type { Site } from '../../web/index.js';
import type { BootData } from '../interfaces.js';

/** A response as {@link requestFrom} returns it. */
export interface AddressedResponse {
  code: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  text: string;
}

/** Sends one request to `site` as if from `host` and waits (a few turns at most) for the whole response. */
export async function requestFrom(site: Site, host: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<AddressedResponse> {
  const transport = new StringTransport({ peerAddress: ipAddress('TCP', host, 40000) });
  const channel = site.buildProtocol(transport.peerAddress);
  channel.makeConnection(transport);
  let head = `${method} ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  channel.dataReceived(Buffer.from(`${head}\r\n${body ?? ''}`));
  for (let turn = 0; turn < 100 && !transport.disconnecting; turn++) await new Promise((r) => setImmediate(r));
  const raw = transport.value();
  const status = /^HTTP\/1\.1 (\d{3})/.exec(raw.toString('latin1'));
  if (status === null) throw new Error(`no response to ${method} ${path}`);
  // An accepted upgrade (101) has no body to wait for: its status is all there is to report.
  if (status[1] === '101') return { code: 101, headers: {}, text: '' };
  let response: AddressedResponse | null = null;
  const chunks: Buffer[] = [];
  const out: Record<string, string> = {};
  let code = 0;
  const parser = new ResponseParser({
    head(c, _m, h) {
      code = c;
      for (let i = 0; i < h.length; i += 2) out[h[i]!] = h[i + 1]!;
    },
    data: (chunk) => chunks.push(Buffer.from(chunk)),
    done: () => (response = { code, headers: out, text: Buffer.concat(chunks).toString('utf8') }),
  });
  parser.feed(raw);
  if (!response) parser.end();
  if (!response) throw new Error(`no complete response to ${method} ${path}`);
  return response;
}

/** The boot data embedded in a live page's document. */
export function bootOf(html: string): BootData {
  const json = /<script type="application\/json" id="torsion-live-boot">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('no boot data in the document');
  return JSON.parse(json) as BootData;
}
