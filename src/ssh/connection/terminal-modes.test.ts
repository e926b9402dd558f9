/**
 * Terminal modes of `pty-req` (RFC 4254 §8): decoding with limits, encoding, the `stty` arguments made from
 * them, and a fuzz of the decoder.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, seededRandom } from '../../testing/index.js';
import { SSHMalformedMessageError } from '../service-wire.js';
import { decodeTerminalModes, encodeTerminalModes, sttyArguments, type TerminalMode } from './terminal-modes.js';

const VINTR = 1;
const VERASE = 3;
const VEOL = 6;
const ICRNL = 36;
const IUCLC = 37;
const ISIG = 50;
const ICANON = 51;
const ECHO = 53;
const ONLCR = 72;
const CS7 = 90;
const CS8 = 91;
const ISPEED = 128;

describe('decodeTerminalModes', () => {
  test('reads opcode and uint32 pairs up to TTY_OP_END, and round-trips with encodeTerminalModes', () => {
    const modes: TerminalMode[] = [
      { opcode: VINTR, value: 3 },
      { opcode: ECHO, value: 0 },
      { opcode: ISPEED, value: 38400 },
    ];
    const encoded = encodeTerminalModes(modes);
    assert.deepEqual([...encoded.subarray(0, 5)], [1, 0, 0, 0, 3]);
    assert.equal(encoded.at(-1), 0);
    assert.deepEqual(decodeTerminalModes(encoded), modes);
    assert.deepEqual(decodeTerminalModes(new Uint8Array()), []);
    // What follows TTY_OP_END is not read.
    assert.deepEqual(decodeTerminalModes(Uint8Array.of(53, 0, 0, 0, 1, 0, 51, 0)), [{ opcode: ECHO, value: 1 }]);
  });

  test('an undefined opcode (160-255) stops parsing; no TTY_OP_END at the end is accepted', () => {
    assert.deepEqual(decodeTerminalModes(Uint8Array.of(53, 0, 0, 0, 1, 200, 1, 2)), [{ opcode: ECHO, value: 1 }]);
    assert.deepEqual(decodeTerminalModes(Uint8Array.of(53, 0, 0, 0, 1)), [{ opcode: ECHO, value: 1 }]);
  });

  test('a mode cut short, or more modes than the limit, is malformed', () => {
    assert.throws(() => decodeTerminalModes(Uint8Array.of(53, 0, 0, 1)), SSHMalformedMessageError);
    const many = encodeTerminalModes(Array.from({ length: 11 }, () => ({ opcode: ECHO, value: 1 })));
    assert.equal(decodeTerminalModes(many, 11).length, 11);
    assert.throws(() => decodeTerminalModes(many, 10), SSHMalformedMessageError);
  });
});

describe('sttyArguments', () => {
  test('characters in hexadecimal (undef when disabled), flags on and off, cs8 over cs7, the last repeat wins', () => {
    const args = sttyArguments([
      { opcode: VINTR, value: 3 },
      { opcode: VERASE, value: 0x7f },
      { opcode: VEOL, value: 255 },
      { opcode: ECHO, value: 1 },
      { opcode: ICANON, value: 0 },
      { opcode: ISIG, value: 1 },
      { opcode: ONLCR, value: 1 },
      { opcode: ICRNL, value: 0 },
      { opcode: CS7, value: 1 },
      { opcode: CS8, value: 1 },
      { opcode: ECHO, value: 0 },
    ]);
    assert.deepEqual(args, ['intr', '0x03', 'erase', '0x7f', 'eol', 'undef', '-icrnl', 'isig', '-icanon', '-echo', 'onlcr', 'cs8']);
    assert.deepEqual(sttyArguments([{ opcode: CS7, value: 1 }, { opcode: CS8, value: 0 }]), ['cs7']);
  });

  test('speeds, uppercase-terminal flags and unknown opcodes give nothing', () => {
    assert.deepEqual(sttyArguments([{ opcode: ISPEED, value: 9600 }, { opcode: IUCLC, value: 1 }, { opcode: 99, value: 1 }, { opcode: 11, value: 4 }]), []);
  });
});

describe('terminal modes under fuzzing', () => {
  test('random bytes either decode within the limit or throw SSHMalformedMessageError; stty arguments stay names and numbers', () => {
    const alphabet = [0, 1, 3, 36, 50, 51, 53, 72, 90, 91, 128, 159, 160, 255];
    for (let seed = 1; seed <= 3000; seed++) {
      const random = seededRandom(seed);
      const input = randomBytes(random, Math.floor(random() * 400), alphabet);
      let modes: TerminalMode[];
      try {
        modes = decodeTerminalModes(input, 32);
      } catch (e) {
        assert.ok(e instanceof SSHMalformedMessageError, `seed ${seed}: ${String(e)}`);
        continue;
      }
      assert.ok(modes.length <= 32, `seed ${seed}`);
      for (const mode of modes) assert.ok(mode.opcode > 0 && mode.opcode < 160 && mode.value >= 0 && mode.value <= 0xffffffff, `seed ${seed}`);
      for (const arg of sttyArguments(modes)) assert.match(arg, /^(-?[a-z0-9]+|0x[0-9a-f]{2})$/, `seed ${seed}`);
      assert.deepEqual(decodeTerminalModes(encodeTerminalModes(modes), 32), modes, `seed ${seed}`);
    }
  });
});
