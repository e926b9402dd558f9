// The SMTP and POP3 servers fed the same input cut every way, and random input: the same answers whatever
// the cutting, only well-formed replies, and nothing thrown (seeded: a failing seed replays alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1Bytes, randomBytes, seededRandom, splitEvery, splitRandom } from '../testing/index.js';
import { pop3Server } from './test-support/pop3.js';
import { smtpServer } from './test-support/smtp.js';

/** What a fresh server answers to `chunks`, with the random parts (message ids, APOP timestamps) masked. */
function smtpAnswers(chunks: Uint8Array[]): string {
  const s = smtpServer({ limits: { maxErrors: 1000, maxCommandLength: 64, maxDataLineLength: 40 } });
  for (const c of chunks) s.proto.dataReceived(c);
  return s.transport.valueString().replace(/queued as [0-9A-F]+/g, 'queued as X') + `|${s.delivered.map((d) => d.text.replace(/id [0-9A-F]+/, 'id X')).join('|')}`;
}

function pop3Answers(chunks: Uint8Array[]): string {
  const s = pop3Server({ allowPlaintextAuth: true, limits: { maxErrors: 1000, maxCommandLength: 64 } });
  for (const c of chunks) s.proto.dataReceived(c);
  return s.transport.valueString().replace(/<[0-9a-f]+\.\d+@/, '<X@');
}

const SMTP_SESSION = latin1Bytes(
  'EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=100\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nDATA\r\n' +
    'Subject: x\r\n\r\n..stuffed\r\nbare\nLF\r\n.\r\n' +
    `MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n${'y'.repeat(100)}\r\nok\r\n.\r\n` +
    `NOOP ${'z'.repeat(100)}\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nfine\r\n.\r\nRSET\r\nQUIT\r\n`,
);

const POP3_SESSION = latin1Bytes(`CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL 2\r\nRETR 2\r\nTOP 2 1\r\nDELE 1\r\nRETR 1\r\n${'x'.repeat(100)}\r\nRSET\r\nNOOP\r\nQUIT\r\n`);

test('SMTP: a whole session answers the same cut into any pieces', () => {
  const whole = smtpAnswers([SMTP_SESSION]);
  assert.match(whole, /^220 /);
  for (let size = 1; size <= 40; size++) assert.equal(smtpAnswers(splitEvery(SMTP_SESSION, size)), whole, `pieces of ${size}`);
  for (let seed = 1; seed <= 100; seed++) assert.equal(smtpAnswers(splitRandom(seededRandom(seed), SMTP_SESSION, 64)), whole, `seed ${seed}`);
});

test('POP3: a whole session answers the same cut into any pieces', () => {
  const whole = pop3Answers([POP3_SESSION]);
  assert.match(whole, /\+OK bye, deletions done\r\n$/);
  for (let size = 1; size <= 40; size++) assert.equal(pop3Answers(splitEvery(POP3_SESSION, size)), whole, `pieces of ${size}`);
  for (let seed = 1; seed <= 100; seed++) assert.equal(pop3Answers(splitRandom(seededRandom(seed), POP3_SESSION, 64)), whole, `seed ${seed}`);
});

const SMTP_WORDS = ['EHLO x\r\n', 'MAIL FROM:<a@b.example>\r\n', 'RCPT TO:<alice@example.test>\r\n', 'DATA\r\n', '.\r\n', '\r\n.\r\n', '\n.\n', 'RSET\r\n', 'AUTH PLAIN\r\n', 'STARTTLS\r\n', '..', '\r', '\n', ' ', ':', '<', '>', '@', '\0', '\xff'];
const POP3_WORDS = ['USER alice\r\n', 'PASS secret\r\n', 'STAT\r\n', 'LIST 1\r\n', 'RETR 2\r\n', 'TOP 1 5\r\n', 'DELE 3\r\n', 'RSET\r\n', 'UIDL\r\n', 'APOP alice x\r\n', '\r', '\n', ' ', '0', '9', '-', '\0', '\xff'];

function randomSession(random: () => number, words: string[], n: number): Uint8Array {
  let s = '';
  for (let i = 0; i < n; i++) s += random() < 0.8 ? words[Math.floor(random() * words.length)]! : String.fromCharCode(...randomBytes(random, 3, []));
  return latin1Bytes(s);
}

test('SMTP fuzz: random sessions (300 seeds) give only well-formed replies, the same however cut', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const input = randomSession(random, SMTP_WORDS, 60);
    const whole = smtpAnswers([input]);
    const replies = whole.slice(0, whole.indexOf('|'));
    for (const line of replies.split('\r\n').slice(0, -1)) assert.match(line, /^[2-5]\d\d[ -]/, `seed ${seed}: ${JSON.stringify(line)}`);
    assert.equal(smtpAnswers(splitRandom(random, input, 9)), whole, `seed ${seed}`);
  }
});

test('POP3 fuzz: random sessions (300 seeds) give only +OK/-ERR answers and listings, the same however cut', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const input = randomSession(random, POP3_WORDS, 60);
    const whole = pop3Answers([input]);
    assert.match(whole, /^\+OK /);
    assert.equal(pop3Answers(splitRandom(random, input, 9)), whole, `seed ${seed}`);
  }
});
