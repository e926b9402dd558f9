/**
 * The DNS bench's reference point: the least a Node program on `node:dgram` can do per query. It answers
 * every datagram on 127.0.0.1 with one fixed reply (hex in argv[2]) carrying the query's ID, in a fresh
 * buffer per send as a real server must, and nothing else: no parsing, no cache, no rate limit. Its lookup
 * hands the sender's address straight back (the default one answers an IP literal a tick later, which
 * costs more than everything else here). It prints its port on stdout.
 */
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';

const reply = Buffer.from(process.argv[2], 'hex');
const socket = dgram.createSocket({ type: 'udp4', lookup: (host, _family, callback) => callback(null, host, 4) });
socket.on('message', (query, from) => {
  const out = Buffer.allocUnsafe(reply.length);
  reply.copy(out);
  out[0] = query[0];
  out[1] = query[1];
  socket.send(out, from.port, from.address);
});
socket.bind(0, '127.0.0.1', () => console.log(socket.address().port));
