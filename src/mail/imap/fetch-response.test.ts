// writeFetch gathers answers into buffers: the bytes must be those of each answer written on its own, in order,
// whatever falls on a buffer's edge (multi-byte UTF-8, literals, strings too big for one buffer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFetchAttribute } from './fetch-att.js';
import { fetchResponse, writeFetch } from './fetch-response.js';
import type { IMAPFolder, IMAPMessage } from './folder.js';

function message(uid: number): IMAPMessage {
  const unique = `1700000000.M${uid}P1Q1.test`;
  return { uid, entry: { unique, folder: 'cur', filename: `${unique}:2,S`, flags: 'S', size: 40 }, flags: uid % 2 === 0 ? ['\\Seen'] : [], internalDate: 1_700_000_000 + uid, modseq: uid };
}

/** A folder stand-in: every header kept, ENVELOPEs with non-ASCII text, one of them longer than a whole buffer. */
function folder(): IMAPFolder {
  const header = (m: IMAPMessage): Uint8Array => Buffer.from(`Subject: ${m.uid}\r\n\r\n`);
  return {
    keptHeader: header,
    header: async (m: IMAPMessage) => header(m),
    read: async (m: IMAPMessage) => Buffer.from(`Subject: ${m.uid}\r\n\r\nbody of ${m.uid} ✓\r\n`),
    envelope: (m: IMAPMessage) => `(NIL "Grüße ${m.uid} ${'✓'.repeat(m.uid === 500 ? 40_000 : m.uid % 50)}" NIL NIL NIL NIL NIL NIL NIL NIL)`,
  } as unknown as IMAPFolder;
}

async function written(names: string[]): Promise<{ bytes: Buffer; writes: number; expected: Buffer }> {
  const attributes = names.map((n) => parseFetchAttribute(n));
  const picked = Array.from({ length: 2000 }, (_, i) => ({ seq: i + 1, message: message(i + 1) }));
  const chunks: Buffer[] = [];
  let writes = 0;
  const f = folder();
  await writeFetch(f, picked, attributes, { byUid: false, unseen: new Set(), told: new Map() }, (pieces) => {
    writes++;
    for (const p of pieces) chunks.push(typeof p === 'string' ? Buffer.from(p) : Buffer.from(p));
  });
  const expected: Buffer[] = [];
  for (const { seq, message: m } of picked) {
    const header = f.keptHeader(m)!;
    const text = names.some((n) => n.startsWith('BODY')) ? await f.read(m) : header;
    const cached = names.includes('ENVELOPE') ? f.envelope(m, header) : undefined;
    for (const p of fetchResponse(seq, m, attributes, text, false, false, cached)) expected.push(Buffer.from(p));
  }
  return { bytes: Buffer.concat(chunks), writes, expected: Buffer.concat(expected) };
}

test('FETCH answers gathered into buffers are byte for byte the answers one by one (UTF-8 across buffer edges, a string over a buffer)', async () => {
  const r = await written(['FLAGS', 'ENVELOPE']);
  assert.equal(r.bytes.length, r.expected.length);
  assert.ok(r.bytes.equals(r.expected));
  assert.ok(r.writes > 1 && r.writes < 2000 / 10, `answers are batched (${r.writes} writes)`);
});

test('literals keep their place between the gathered text', async () => {
  const r = await written(['UID', 'BODY.PEEK[]', 'FLAGS']);
  assert.ok(r.bytes.equals(r.expected));
  assert.match(r.bytes.subarray(0, 200).toString('utf8'), /^\* 1 FETCH \(UID 1 BODY\[\] \{\d+\}\r\nSubject: 1\r\n\r\nbody of 1 ✓\r\n FLAGS \(\)\)\r\n/);
});
