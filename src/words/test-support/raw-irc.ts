/**
 * Plain sockets and HTTP requests against a running `torsion words` application, for the tests that start it
 * in process or as a child process and talk to it only over loopback.
 * @module
 */
import { request } from 'node:http';
import * as net from 'node:net';
import { eventually } from '../../testing/index.js';

/** A raw IRC connection: lines in, lines out. */
export class RawIRC {
  readonly socket: net.Socket;
  text = '';
  closed: Promise<void>;
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => (this.text += d));
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
    this.socket.on('error', () => undefined);
  }
  /** Sends each line with CRLF. */
  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }
  /** Resolves with the first match of `re` in everything received so far, polling until `seconds` pass. */
  waitFor(re: RegExp, seconds = 60): Promise<string> {
    return eventually(() => re.exec(this.text)?.[0], { timeout: seconds, interval: 0.02, message: () => `${re} in:\n${this.text}` });
  }
}

/** GETs `url` and resolves with the status and the body as UTF-8 text. */
export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}
