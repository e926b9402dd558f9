import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataClient, loggedIn, passivePort, session } from '../test-support/harness.js';
import { MemoryNet } from '../test-support/memory-net.js';
import { CannotListenError } from '../../internet/index.js';
import { Deferred } from '../../defer/index.js';
import type { LoopbackTransport } from '../../testing/index.js';
import type { DataConnection } from '../data-connection.js';

describe('FTP server: login', () => {
  test('greets, then USER and PASS log in through the portal', () => {
    const s = session();
    assert.deepEqual(s.control.lines, ['220 Torsion FTP server ready']);
    assert.deepEqual(s.send('USER alice'), ['331 Password required for alice']);
    assert.deepEqual(s.send('PASS secret'), ['230 User alice logged in']);
    assert.deepEqual(s.send('PWD'), ['257 "/" is the current directory']);
  });

  test('commands before login get 530; PASS without USER gets 503', () => {
    const s = session();
    assert.match(s.send('PWD')[0], /^530 /);
    assert.match(s.send('RETR x')[0], /^530 /);
    assert.match(s.send('PASS x')[0], /^503 /);
  });

  test('a wrong password gets 530 after the failure delay, on the reactor clock', () => {
    const s = session({ limits: { loginFailureDelay: 2 } });
    s.send('USER alice');
    assert.deepEqual(s.send('PASS wrong'), []);
    s.net.advance(1.9);
    assert.equal(s.control.lines.at(-1), '331 Password required for alice');
    s.net.advance(0.2);
    assert.equal(s.control.lines.at(-1), '530 Login incorrect');
  });

  test('maxFailedLogins wrong passwords close the connection with 421', () => {
    const s = session({ limits: { maxFailedLogins: 2 } });
    s.send('USER alice');
    assert.deepEqual(s.send('PASS a'), ['530 Login incorrect']);
    s.send('USER alice');
    assert.match(s.send('PASS b')[0], /^421 Too many failed logins/);
    assert.equal(s.control.closed, true);
  });

  test('commands sent while a login is pending wait for it (pipelining)', () => {
    const s = session({ limits: { loginFailureDelay: 1 } });
    s.control.sendLine('USER alice');
    s.control.sendLine('PASS nope');
    s.control.sendLine('USER alice');
    s.control.sendLine('PASS secret');
    s.control.sendLine('PWD');
    s.net.flush();
    s.net.advance(1);
    assert.deepEqual(s.control.lines.slice(1), ['331 Password required for alice', '530 Login incorrect', '331 Password required for alice', '230 User alice logged in', '257 "/" is the current directory']);
  });

  test('anonymous is refused unless allowed, and read-only when allowed', () => {
    const closed = session();
    closed.send('USER anonymous');
    assert.match(closed.send('PASS guest@')[0], /^530 /);
    const s = session({ allowAnonymous: true });
    s.shell.put('/pub.txt', 'public');
    assert.match(s.send('USER anonymous')[0], /^331 Guest login ok/);
    assert.match(s.send('PASS guest@')[0], /^230 Guest login ok/);
    assert.match(s.send('MKD new')[0], /^550 Permission denied/);
    assert.match(s.send('DELE pub.txt')[0], /^550 /);
    assert.match(s.send('RNFR pub.txt')[0], /^550 /);
    const port = passivePort(s.send('EPSV')[0]);
    s.dataTo(port);
    assert.match(s.send('STOR up.txt')[0], /^550 Permission denied/);
    assert.equal(s.shell.get('/pub.txt'), 'public');
  });

  test('USER after login gets 503', () => {
    const s = loggedIn();
    assert.match(s.send('USER bob')[0], /^503 /);
  });
});

describe('FTP server: simple commands', () => {
  test('SYST, NOOP, TYPE, MODE, STRU, ALLO, HELP, FEAT, OPTS', () => {
    const s = loggedIn();
    assert.deepEqual(s.send('SYST'), ['215 UNIX Type: L8']);
    assert.deepEqual(s.send('NOOP'), ['200 NOOP ok']);
    assert.deepEqual(s.send('TYPE I'), ['200 Type set to I']);
    assert.deepEqual(s.send('TYPE A'), ['200 Type set to A']);
    assert.match(s.send('TYPE E')[0], /^504 /);
    assert.deepEqual(s.send('MODE S'), ['200 Mode set to S']);
    assert.match(s.send('MODE B')[0], /^504 /);
    assert.deepEqual(s.send('STRU F'), ['200 Structure set to F']);
    assert.match(s.send('STRU R')[0], /^504 /);
    assert.match(s.send('ALLO 100')[0], /^202 /);
    assert.match(s.send('HELP').at(-1)!, /^214 /);
    const feat = s.send('FEAT');
    assert.equal(feat[0], '211-Features:');
    assert.equal(feat.at(-1), '211 End');
    for (const f of [' EPSV', ' EPRT', ' MDTM', ' SIZE', ' REST STREAM', ' UTF8']) assert.ok(feat.includes(f), f);
    assert.ok(feat.some((l) => l.startsWith(' MLST type*;size*;modify*')));
    assert.ok(!feat.includes(' AUTH TLS'), 'no AUTH TLS without a certificate');
    assert.deepEqual(s.send('OPTS UTF8 ON'), ['200 Always in UTF8 mode']);
    assert.match(s.send('OPTS UTF8 OFF')[0], /^504 /);
    assert.match(s.send('OPTS FOO')[0], /^501 /);
  });

  test('unknown and malformed commands', () => {
    const s = loggedIn();
    assert.match(s.send('XYZZ')[0], /^502 /);
    assert.match(s.send('1234 foo')[0], /^500 /);
    assert.match(s.send('')[0], /^500 /);
  });

  test('STAT answers with the session state; QUIT says goodbye and closes', () => {
    const s = loggedIn();
    const stat = s.send('STAT');
    assert.equal(stat[0], '211-Torsion FTP server status:');
    assert.ok(stat.includes('logged in as alice'));
    assert.deepEqual(s.send('QUIT'), ['221 Goodbye']);
    assert.equal(s.control.closed, true);
  });
});

describe('FTP server: folders and files', () => {
  test('CWD, CDUP, PWD, MKD, RMD with quoting', () => {
    const s = loggedIn();
    assert.deepEqual(s.send('MKD a "b"'), ['257 "/a ""b""" created']);
    assert.match(s.send('CWD a "b"')[0], /^250 /);
    assert.deepEqual(s.send('PWD'), ['257 "/a ""b""" is the current directory']);
    assert.match(s.send('CDUP')[0], /^250 /);
    assert.deepEqual(s.send('PWD'), ['257 "/" is the current directory']);
    assert.match(s.send('CWD nope')[0], /^550 /);
    assert.match(s.send('MKD a "b"')[0], /^550 File exists/);
    assert.match(s.send('RMD a "b"')[0], /^250 /);
    assert.match(s.send('RMD a "b"')[0], /^550 /);
    assert.match(s.send('MKD')[0], /^501 /);
  });

  test('.., absolute paths and backslashes never climb above the root', () => {
    const s = loggedIn();
    s.shell.put('/top.txt', 'x');
    s.send('MKD d');
    s.send('CWD d');
    assert.match(s.send('CWD ../../../..')[0], /^250 Directory changed to \/$/);
    s.send('CWD /d');
    assert.match(s.send('CWD ..\\..\\..')[0], /^250 Directory changed to \/$/);
    assert.deepEqual(s.send('SIZE /../../top.txt'), ['213 1']);
    assert.deepEqual(s.send('SIZE d\\..\\..\\top.txt'), ['213 1']);
  });

  test('DELE, RNFR/RNTO, SIZE, MDTM, MLST', () => {
    const s = loggedIn();
    s.shell.put('/f.txt', 'hello');
    assert.deepEqual(s.send('SIZE f.txt'), ['213 5']);
    assert.deepEqual(s.send('MDTM f.txt'), ['213 20231114221320']);
    assert.deepEqual(s.send('MLST f.txt'), ['250-Listing /f.txt', ' type=file;size=5;modify=20231114221320;perm=radfw;unix.mode=0644; /f.txt', '250 End']);
    assert.match(s.send('SIZE /')[0], /^550 /);
    assert.match(s.send('RNTO g.txt')[0], /^503 RNFR first/);
    assert.deepEqual(s.send('RNFR f.txt'), ['350 Ready for RNTO']);
    assert.deepEqual(s.send('RNTO g.txt'), ['250 Rename successful']);
    assert.equal(s.shell.get('/g.txt'), 'hello');
    assert.match(s.send('RNFR nope')[0], /^550 /);
    // A command between RNFR and RNTO cancels the rename.
    s.send('RNFR g.txt');
    s.send('NOOP');
    assert.match(s.send('RNTO h.txt')[0], /^503 /);
    assert.deepEqual(s.send('DELE g.txt'), ['250 File deleted']);
    assert.match(s.send('DELE g.txt')[0], /^550 /);
  });
});

describe('FTP server: transfers', () => {
  test('EPSV then RETR: 150, the bytes, 226', () => {
    const s = loggedIn();
    s.shell.put('/f.bin', 'a\nb\n');
    s.send('TYPE I');
    const reply = s.send('EPSV')[0];
    assert.match(reply, /^229 Entering Extended Passive Mode \(\|\|\|\d+\|\)$/);
    const data = s.dataTo(passivePort(reply));
    const lines = s.send('RETR f.bin');
    assert.deepEqual(lines, ['150 Opening BINARY mode data connection for /f.bin (4 bytes)', '226 Transfer complete: /f.bin']);
    assert.equal(data.text(), 'a\nb\n');
    assert.equal(data.closed, true);
  });

  test('TYPE A sends CRLF line endings and stores LF', () => {
    const s = loggedIn();
    s.shell.put('/t.txt', 'one\ntwo\n');
    s.send('TYPE A');
    let data = s.dataTo(passivePort(s.send('PASV')[0]));
    s.send('RETR t.txt');
    assert.equal(data.text(), 'one\r\ntwo\r\n');
    data = s.dataTo(passivePort(s.send('PASV')[0]));
    s.send('STOR u.txt');
    data.transport.write('x\r\ny\r\n');
    data.transport.loseConnection();
    s.net.flush();
    assert.equal(s.control.lines.at(-1), '226 Transfer complete: /u.txt');
    assert.equal(s.shell.get('/u.txt'), 'x\ny\n');
  });

  test('PASV advertises the control connection’s address, or the public address', () => {
    const s = loggedIn();
    assert.match(s.send('PASV')[0], /^227 Entering Passive Mode \(127,0,0,1,\d+,\d+\)$/);
    const p = loggedIn({ publicAddress: '203.0.113.7' });
    assert.match(p.send('PASV')[0], /^227 Entering Passive Mode \(203,0,113,7,\d+,\d+\)$/);
  });

  test('passive ports come from the configured range', () => {
    const s = loggedIn({ passivePorts: [30000, 30002] });
    for (let i = 0; i < 5; i++) {
      const port = passivePort(s.send('EPSV')[0]);
      assert.ok(port >= 30000 && port <= 30002, String(port));
    }
    assert.throws(() => loggedIn({ passivePorts: [10, 5] }), RangeError);
    // Every port of the range taken: 425, and the session goes on.
    const full = loggedIn({ passivePorts: [30000, 30001] });
    full.net.reactor.listenTCP = () => {
      throw new CannotListenError('address in use');
    };
    assert.match(full.send('EPSV')[0], /^425 Can't open passive connection/);
    assert.deepEqual(full.send('NOOP'), ['200 NOOP ok']);
  });

  test('a data connection from another address is refused; the client’s own is accepted', () => {
    const s = loggedIn();
    s.shell.put('/f', 'secret');
    const port = passivePort(s.send('EPSV')[0]);
    const record = s.net.reactor.tcpServers.find((r) => (r.listeningPort.getHost() as unknown as { port: number }).port === port)!;
    const thief = record.factory.buildProtocol(new (class {
      type = 'TCP' as const;
      host = '198.51.100.9';
      port = 4444;
    })());
    assert.equal(thief, null);
    const data = s.dataTo(port);
    s.send('RETR f');
    assert.equal(data.text(), 'secret');
  });

  test('STOR, APPE, STOU and REST', () => {
    const s = loggedIn();
    s.send('TYPE I');
    const upload = (command: string, body: string): string[] => {
      const data = s.dataTo(passivePort(s.send('EPSV')[0]));
      const lines = s.send(command);
      data.transport.write(body);
      data.transport.loseConnection();
      s.net.flush();
      return [...lines, s.control.lines.at(-1)!];
    };
    assert.match(upload('STOR a.txt', 'hello')[0], /^150 /);
    assert.equal(s.shell.get('/a.txt'), 'hello');
    upload('APPE a.txt', ' world');
    assert.equal(s.shell.get('/a.txt'), 'hello world');
    assert.deepEqual(s.send('REST 5'), ['350 Restarting at 5. Send STOR or RETR to start']);
    upload('STOR a.txt', '!');
    assert.equal(s.shell.get('/a.txt'), 'hello!');
    const stou = upload('STOU a.txt', 'unique');
    assert.match(stou[0], /^150 .*FILE: a\.txt\.1/);
    assert.equal(s.shell.get('/a.txt.1'), 'unique');
    assert.match(s.send('REST x')[0], /^501 /);
    // REST before RETR resumes a download.
    s.send('REST 5');
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    s.send('RETR a.txt');
    assert.equal(data.text(), '!');
  });

  test('a data connection that breaks during STOR leaves the old file untouched (426)', () => {
    const s = loggedIn();
    s.shell.put('/keep.txt', 'old content');
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    s.send('STOR keep.txt');
    data.transport.write('partial');
    s.net.flush();
    data.transport.abortConnection();
    s.net.flush();
    assert.match(s.control.lines.at(-1)!, /^426 /);
    assert.equal(s.shell.get('/keep.txt'), 'old content');
    assert.equal(s.shell.uploads.size, 0);
  });

  test('ABOR during STOR: 426 for the transfer, 226 for ABOR, old content kept', () => {
    const s = loggedIn();
    s.shell.put('/keep.txt', 'old');
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    s.send('STOR keep.txt');
    data.transport.write('new and partial');
    s.net.flush();
    assert.deepEqual(s.send('ABOR'), ['426 Connection closed; transfer aborted', '226 ABOR successful']);
    assert.equal(data.closed, true);
    assert.equal(s.shell.get('/keep.txt'), 'old');
    assert.match(s.send('ABOR')[0], /^225 /);
  });

  test('ABOR during a RETR the client is slow to read: 426, 226, and the data connection closes', () => {
    const s = loggedIn();
    s.shell.put('/big', new Uint8Array(5 * 1024 * 1024));
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    data.transport.pauseProducing();
    assert.match(s.send('RETR big')[0], /^150 /);
    assert.match(s.send('STAT')[0], /^213 Status: \d+ bytes transferred/);
    assert.deepEqual(s.send('ABOR'), ['426 Connection closed; transfer aborted', '226 ABOR successful']);
    data.transport.resumeProducing();
    s.net.flush();
    assert.equal(data.closed, true);
    assert.ok(Buffer.concat(data.chunks).length < 5 * 1024 * 1024);
    assert.deepEqual(s.send('NOOP'), ['200 NOOP ok']);
  });

  test('during a transfer STAT answers at once and other commands wait for its end', () => {
    const s = loggedIn();
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    s.send('STOR x');
    data.transport.write('12345');
    s.net.flush();
    assert.deepEqual(s.send('STAT'), ['213 Status: 5 bytes transferred']);
    assert.deepEqual(s.send('PWD'), []);
    data.transport.loseConnection();
    s.net.flush();
    assert.deepEqual(s.control.lines.slice(-2), ['226 Transfer complete: /x', '257 "/" is the current directory']);
  });

  test('LIST, NLST and MLSD', () => {
    const s = loggedIn();
    s.shell.put('/d/one.txt', '1').put('/d/two.txt', '22');
    const get = (command: string): string => {
      const data = s.dataTo(passivePort(s.send('EPSV')[0]));
      const lines = s.send(command);
      assert.match(lines.at(-1)!, /^226 /, lines.join('|'));
      return data.text();
    };
    assert.equal(get('NLST d'), 'one.txt\r\ntwo.txt\r\n');
    const list = get('LIST -la d').split('\r\n');
    assert.match(list[0], /^-rw-r--r-- +1 ftp +ftp +1 Nov 14 +2023 one\.txt$/);
    const mlsd = get('MLSD d').split('\r\n');
    assert.match(mlsd[0], /^type=cdir;.*; \.$/);
    assert.equal(mlsd[2], 'type=file;size=2;modify=20231114221320;perm=radfw;unix.mode=0644; two.txt');
    assert.match(s.send('MLSD d/one.txt')[0], /^501 /);
  });

  test('maxListingEntries cuts a listing', () => {
    const s = loggedIn({ limits: { maxListingEntries: 2 } });
    for (let i = 0; i < 5; i++) s.shell.put(`/f${i}`, '');
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    s.send('NLST');
    assert.equal(data.text(), 'f0\r\nf1\r\n');
  });

  test('a transfer command without PASV/PORT gets 425', () => {
    const s = loggedIn();
    s.shell.put('/f', 'x');
    assert.match(s.send('RETR f')[0], /^425 Use PORT/);
  });

  test('RETR of a missing file is 550 and a REST past the end 554', () => {
    const s = loggedIn();
    s.shell.put('/f', 'x');
    s.send('EPSV');
    assert.match(s.send('RETR nope')[0], /^550 /);
    s.send('REST 10');
    assert.match(s.send('RETR f')[0], /^554 /);
  });
});

describe('FTP server: active mode', () => {
  test('PORT to the client’s own address: the server dials it', () => {
    const s = loggedIn();
    s.shell.put('/f', 'active bytes');
    const receiver = new DataClient();
    const listening = s.net.reactor.listenTCP(50000, { buildProtocol: () => receiver, doStart() {}, doStop() {} });
    assert.deepEqual(s.send('PORT 127,0,0,1,195,80'), ['200 Data connection address accepted']);
    const lines = s.send('RETR f');
    assert.match(lines[0], /^150 /);
    assert.equal(receiver.text(), 'active bytes');
    listening.stopListening();
  });

  test('EPRT works the same, IPv4', () => {
    const s = loggedIn();
    assert.deepEqual(s.send('EPRT |1|127.0.0.1|50001|'), ['200 Data connection address accepted']);
    assert.match(s.send('EPRT |3|127.0.0.1|50001|')[0], /^522 /);
    assert.match(s.send('EPRT |1|300.0.0.1|50001|')[0], /^501 /);
  });

  test('the bounce attack: PORT/EPRT naming another host or a privileged port is refused', () => {
    const s = loggedIn();
    assert.match(s.send('PORT 10,0,0,99,0,25')[0], /^504 .*own address/);
    assert.match(s.send('EPRT |1|198.51.100.1|2525|')[0], /^504 /);
    assert.match(s.send('EPRT |2|::1|2525|')[0], /^504 /);
    assert.match(s.send('PORT 127,0,0,1,0,25')[0], /^504 .*1024/);
    assert.match(s.send('PORT 1,2,3')[0], /^501 /);
    // Nothing was dialled.
    assert.equal(s.net.reactor.tcpClients.filter((c) => c.port !== 21).length, 0);
  });

  test('a failed active connection gives 425', () => {
    const s = loggedIn();
    s.shell.put('/f', 'x');
    s.send('PORT 127,0,0,1,200,0');
    assert.match(s.send('RETR f')[0], /^425 Can't open data connection/);
  });

  test('EPSV ALL refuses PASV, PORT and EPRT afterwards', () => {
    const s = loggedIn();
    assert.deepEqual(s.send('EPSV ALL'), ['200 EPSV ALL ok']);
    assert.match(s.send('PASV')[0], /^503 /);
    assert.match(s.send('PORT 127,0,0,1,200,0')[0], /^503 /);
    assert.match(s.send('EPSV 2')[0], /^522 /);
  });
});

describe('FTP server: IPv6', () => {
  test('EPSV and EPRT work over IPv6; PASV cannot carry the address and says so; the client uses EPRT', () => {
    const s = session({}, new MemoryNet('::1', '::1'));
    s.send('USER alice');
    s.send('PASS secret');
    s.shell.put('/f', 'six');
    assert.match(s.send('PASV')[0], /^425 .*EPSV/);
    assert.match(s.send('EPSV 1')[0], /^522 .*\(2\)/);
    const data = s.dataTo(passivePort(s.send('EPSV 2')[0]));
    s.send('RETR f');
    assert.equal(data.text(), 'six');
    assert.deepEqual(s.send('EPRT |2|::1|50000|'), ['200 Data connection address accepted']);
    assert.match(s.send('EPRT |1|127.0.0.1|50000|')[0], /^504 /);
    const c = s.client({ passive: false });
    const lines: string[] = [];
    const send = c.sendCommand.bind(c);
    c.sendCommand = ((line: string, pre?: Parameters<typeof c.sendCommand>[1]) => (lines.push(line.split(' ')[0]), send(line, pre))) as typeof c.sendCommand;
    c.login('alice', 'secret');
    let got = '';
    c.retrieveBytes('f').addCallback((b) => void (got = Buffer.from(b).toString()));
    s.net.flush();
    assert.equal(got, 'six');
    assert.ok(lines.includes('EPRT') && !lines.includes('PORT'), lines.join(' '));
  });
});

describe('FTP server: limits', () => {
  test('a command line over maxLineLength gets 500 and the connection closed', () => {
    const s = session({ limits: { maxLineLength: 64 } });
    const lines = s.send(`USER ${'a'.repeat(100)}`);
    assert.match(lines[0], /^500 Command line too long/);
    assert.equal(s.control.closed, true);
  });

  test('an idle control connection is closed with 421 after idleTimeout', () => {
    const s = session({ limits: { idleTimeout: 30 } });
    s.net.advance(20);
    s.send('NOOP');
    s.net.advance(20);
    assert.equal(s.control.closed, false);
    s.net.advance(11);
    assert.match(s.control.lines.at(-1)!, /^421 Timeout/);
    assert.equal(s.control.closed, true);
  });

  test('a passive port nobody connects to times out: the transfer gets 425', () => {
    const s = loggedIn({ limits: { dataTimeout: 10 } });
    s.shell.put('/f', 'x');
    s.send('EPSV');
    assert.deepEqual(s.send('RETR f'), []);
    s.net.advance(10);
    assert.match(s.control.lines.at(-1)!, /^425 /);
    assert.ok(s.net.reactor.tcpServers.filter((r) => r.port === 0).every((r) => !r.listeningPort.listening));
  });

  test('a stalled upload is dropped with 426 after dataTimeout and the idle timer does not cut the transfer', () => {
    const s = loggedIn({ limits: { dataTimeout: 10, idleTimeout: 5 } });
    s.shell.put('/keep', 'old');
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    s.send('STOR keep');
    data.transport.write('some');
    s.net.flush();
    s.net.advance(6);
    assert.equal(s.control.closed, false);
    s.net.advance(5);
    assert.match(s.control.lines.at(-1)!, /^426 Data connection stalled/);
    assert.equal(s.shell.get('/keep'), 'old');
  });

  test('an upload the disk is behind on pauses the data connection after 1 MiB waiting, and resumes as writes finish', () => {
    const s = session({}, new MemoryNet('127.0.0.1', '127.0.0.1', 64 * 1024));
    s.send('USER alice');
    s.send('PASS secret');
    // The shell's writes wait until the test finishes them, as a slow disk would.
    const held: Array<Deferred<void>> = [];
    let handed = 0;
    const open = s.shell.openForWriting.bind(s.shell);
    s.shell.openForWriting = (path, mode) =>
      open(path, mode).addCallback((file) => ({
        ...file,
        write: (chunk: Uint8Array) => {
          handed += chunk.length;
          const d = new Deferred<void>();
          held.push(d);
          return file.write(chunk).addCallback(() => d);
        },
      }));
    const data = s.dataTo(passivePort(s.send('EPSV')[0]));
    s.send('STOR big');
    const server = s.net.connections.at(-1)!.server as DataConnection;
    for (let i = 0; i < 48; i++) data.transport.write(new Uint8Array(64 * 1024).fill(i));
    s.net.flush();
    assert.equal((server.transport as unknown as LoopbackTransport).readPaused, true, 'reading paused while the disk is behind');
    assert.ok(handed > 1024 * 1024 && handed <= 1024 * 1024 + 64 * 1024, `handed ${handed} bytes to the disk before pausing`);
    data.transport.loseConnection();
    for (let turn = 0; turn < 100 && held.length > 0; turn++) {
      for (const d of held.splice(0)) d.callback(undefined);
      s.net.flush();
    }
    assert.equal(handed, 3 * 1024 * 1024);
    assert.match(s.control.lines.at(-1)!, /^226 /);
    assert.equal(s.shell.get('/big')?.length, 3 * 1024 * 1024);
  });

  test('maxConnectionsPerAddress and maxConnections refuse with 421', () => {
    const s = session({ limits: { maxConnectionsPerAddress: 2, maxConnections: 10 } });
    const second = s.connectControl();
    assert.match(second.lines[0], /^220 /);
    const third = s.connectControl();
    assert.match(third.lines[0], /^421 Too many connections from your address/);
    assert.equal(third.closed, true);
    second.transport.loseConnection();
    s.net.flush();
    assert.match(s.connectControl().lines[0], /^220 /);
    const t = session({ limits: { maxConnections: 1 } });
    assert.match(t.connectControl().lines[0], /^421 Too many users/);
  });
});
