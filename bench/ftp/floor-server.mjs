/**
 * The FTP bench's reference point for downloads: the least a Node 20 program can spend sending a file over
 * a TCP socket. Just enough FTP for curl (any login, EPSV/PASV, SIZE, RETR), one connection at a time, and
 * the tightest send Node offers without `sendfile` (which it has not for sockets): a blocking read from the
 * page cache into one reused 1 MiB buffer, written with no copy; while the socket holds part of the buffer
 * (its kernel buffer is full) the next read waits for 'drain'. No limits, no checks, no event-loop fairness.
 * Usage: node floor-server.mjs ROOT PORT; prints "listening on PORT".
 */
import { Buffer } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const [root, portText] = process.argv.slice(2);
const CHUNK = 1024 * 1024;
const buffer = Buffer.allocUnsafe(CHUNK);

function send(socket, fd, done) {
  let position = 0;
  const pump = () => {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, position);
      if (n === 0) return done();
      position += n;
      socket.write(buffer.subarray(0, n));
      if (socket.writableLength > 0) return void socket.once('drain', pump);
    }
  };
  pump();
}

function sizeOf(name) {
  try {
    const fd = openSync(join(root, name), 'r');
    const { size } = fstatSync(fd);
    closeSync(fd);
    return size;
  } catch {
    return -1;
  }
}

const server = createServer((control) => {
  control.setEncoding('latin1');
  let waiting = null;
  let accepted = null;
  let text = '';
  const reply = (line) => control.write(`${line}\r\n`);
  const command = (line) => {
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const arg = space < 0 ? '' : line.slice(space + 1);
    if (verb === 'USER') reply('331 any password');
    else if (verb === 'PASS') reply('230 logged in');
    else if (verb === 'PWD') reply('257 "/"');
    else if (verb === 'TYPE' || verb === 'REST') reply(verb === 'REST' ? '350 ok' : '200 ok');
    else if (verb === 'SIZE') reply(sizeOf(arg) < 0 ? '550 no such file' : `213 ${sizeOf(arg)}`);
    else if (verb === 'EPSV' || verb === 'PASV') {
      accepted = null;
      const data = createServer((socket) => {
        data.close();
        if (waiting) waiting(socket);
        else accepted = socket;
      });
      data.listen(0, '127.0.0.1', () => {
        const { port } = data.address();
        reply(verb === 'EPSV' ? `229 passive (|||${port}|)` : `227 passive (127,0,0,1,${port >> 8},${port & 255})`);
      });
    } else if (verb === 'RETR') {
      let fd;
      try {
        fd = openSync(join(root, arg), 'r');
      } catch {
        return reply('550 no such file');
      }
      const go = (socket) => {
        waiting = null;
        reply('150 sending');
        send(socket, fd, () => {
          closeSync(fd);
          socket.end();
          reply('226 sent');
        });
      };
      if (accepted) go(accepted);
      else waiting = go;
    } else if (verb === 'QUIT') {
      reply('221 bye');
      control.end();
    } else reply('502 not here');
  };
  reply('220 floor');
  control.on('data', (chunk) => {
    text += chunk;
    for (let end = text.indexOf('\r\n'); end >= 0; end = text.indexOf('\r\n')) {
      const line = text.slice(0, end);
      text = text.slice(end + 2);
      command(line);
    }
  });
  control.on('error', () => undefined);
});
server.listen(Number(portText), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
