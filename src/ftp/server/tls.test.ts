import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IPv4Address } from '../../internet/index.js';
import { StringTransport } from '../../testing/index.js';
import { session } from '../test-support/harness.js';
import type { FTPServerProtocol } from './protocol.js';

const TLS = { key: 'KEY', cert: 'CERT' };

/** A control connection over a StringTransport, which records `startTLS`. */
function control(tls = true, secure = false): { p: FTPServerProtocol; t: StringTransport; send: (line: string) => string } {
  const { factory } = session(tls ? { tls: TLS } : {});
  const p = factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 5000));
  const t = new StringTransport({ peerAddress: new IPv4Address('TCP', '127.0.0.1', 5000), hostAddress: new IPv4Address('TCP', '127.0.0.1', 21), secure });
  p.makeConnection(t);
  return {
    p,
    t,
    send(line: string): string {
      t.clear();
      p.dataReceived(Buffer.from(`${line}\r\n`));
      return t.valueString();
    },
  };
}

describe('FTP server: explicit FTPS (RFC 4217)', () => {
  test('AUTH TLS answers 234 then starts TLS as the server; the bytes behind the command go to TLS', () => {
    const { p, t } = control();
    t.clear();
    p.dataReceived(Buffer.from('AUTH TLS\r\n\x16\x03\x01hello'));
    assert.equal(t.valueString().split('\r\n')[0], '234 AUTH TLS successful');
    assert.equal(t.tls?.asServer, true);
    assert.equal((t.tls?.options as { cert?: string }).cert, 'CERT');
    assert.ok((t.tls?.options as { ticketKeys?: Uint8Array }).ticketKeys?.length === 48, 'one set of ticket keys, for session reuse on data connections');
    assert.equal(p.secure, true);
  });

  test('FEAT announces AUTH TLS, PBSZ and PROT when a certificate is configured', () => {
    const { send } = control();
    const feat = send('FEAT');
    for (const f of [' AUTH TLS', ' PBSZ', ' PROT']) assert.ok(feat.includes(`${f}\r\n`), f);
  });

  test('without a certificate AUTH is 502; unknown mechanisms 504; AUTH twice 503', () => {
    assert.match(control(false).send('AUTH TLS'), /^502 /);
    const c = control();
    assert.match(c.send('AUTH KERBEROS'), /^504 /);
    c.send('AUTH TLS');
    assert.match(c.send('AUTH TLS'), /^503 /);
  });

  test('PBSZ and PROT need TLS first, PROT needs PBSZ; P and C accepted, S and E not', () => {
    const c = control();
    assert.match(c.send('PBSZ 0'), /^503 /);
    assert.match(c.send('PROT P'), /^503 /);
    c.send('AUTH TLS');
    assert.match(c.send('PROT P'), /^503 PBSZ first/);
    assert.match(c.send('PBSZ x'), /^501 /);
    assert.equal(c.send('PBSZ 0'), '200 PBSZ=0\r\n');
    assert.match(c.send('PROT S'), /^536 /);
    assert.match(c.send('PROT Q'), /^504 /);
    assert.equal(c.send('PROT P'), '200 Protection level set to P\r\n');
    assert.equal(c.p.dataTLS()?.asServer, true);
    assert.equal(c.send('PROT C'), '200 Protection level set to C\r\n');
    assert.equal(c.p.dataTLS(), null);
  });

  test('implicit FTPS: a control connection secure from the start takes PBSZ and PROT at once', () => {
    const c = control(true, true);
    assert.equal(c.send('PBSZ 0'), '200 PBSZ=0\r\n');
    assert.equal(c.send('PROT P'), '200 Protection level set to P\r\n');
  });
});
