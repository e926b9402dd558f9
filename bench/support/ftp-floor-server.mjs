// draft
import { createServer } from 'node:net';
import { openSync, readSync, closeSync, fstatSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const [root, portText] = process.argv.slice(2);
const CHUNK = Number(process.env.FLOOR_CHUNK ?? 1024 * 1024);
const MODE = process.env.FLOOR_MODE ?? 'write';
const buffer = Buffer.allocUnsafe(CHUNK);

function send(socket, fd, size, done) {
  let position = 0;
  const pump = () => {
    while (position < size) {
      const n = readSync(fd, buffer, 0, Math.min(CHUNK, size - position), position);
      if (n === 0) break;
      position += n;
      if (MODE === 'fd') {
        let off = 0;
        try {
          while (off < n) off += writeSync(socket._handle.fd, buffer, off, n - off);
        } catch (e) {
          if (e.code !== 'EAGAIN') throw e;
        }
        if (off < n) {
          socket.write(Buffer.from(buffer.subarray(off, n)), () => pump());
          return;
        }
      } else {
        socket.write(buffer.subarray(0, n));
        if (socket.writableLength > 0) {
          // The kernel took part: libuv holds the rest of this buffer, so wait before reusing it.
          socket.once('drain', pump);
          return;
        }
      }
    }
    done();
  };
  pump();
}

const server = createServer((control) => {
  control.setEncoding('latin1');
  let passive = null;
  let pending = null;
  let lineBuffer = '';
  const reply = (text) => control.write(text + '\r\n');
  control.write('220 floor\r\n');
  control.on('data', (text) => {
    lineBuffer += text;
    let i;
    while ((i = lineBuffer.indexOf('\r\n')) >= 0) {
      const line = lineBuffer.slice(0, i);
      lineBuffer = lineBuffer.slice(i + 2);
      const [verb, ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'USER': reply('331 password'); break;
        case 'PASS': reply('230 in'); break;
        case 'PWD': reply('257 "/"'); break;
        case 'TYPE': reply('200 ok'); break;
        case 'SIZE': try { const fd = openSync(join(root, arg), 'r'); reply(`213 ${fstatSync(fd).size}`); closeSync(fd); } catch { reply('550 no'); } break;
        case 'MDTM': reply('550 no'); break;
        case 'EPSV':
        case 'PASV': {
          const data = createServer((socket) => {
            data.close();
            pending = socket;
            passive?.(socket);
          });
          data.listen(0, '127.0.0.1', () => {
            const port = data.address().port;
            reply(verb.toUpperCase() === 'EPSV' ? `229 passive (|||${port}|)` : `227 passive (127,0,0,1,${port >> 8},${port & 255})`);
          });
          break;
        }
        case 'RETR': {
          let fd;
          try { fd = openSync(join(root, arg), 'r'); } catch { reply('550 no'); break; }
          const size = fstatSync(fd).size;
          const go = (socket) => {
            passive = null;
            reply('150 sending');
            send(socket, fd, size, () => {
              closeSync(fd);
              socket.end();
              reply('226 done');
            });
          };
          if (pending) go(pending); else passive = go;
          break;
        }
        case 'QUIT': reply('221 bye'); control.end(); break;
        default: reply('502 no');
      }
    }
  });
  control.on('error', () => {});
});
server.listen(Number(portText ?? 0), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
