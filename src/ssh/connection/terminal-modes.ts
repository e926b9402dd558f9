/**
 * The encoded terminal modes of a `pty-req` (RFC 4254 §8, RFC 8160 for `IUTF8`): decoding them with
 * limits, encoding them, and turning the ones a pseudo-terminal honours into `stty` arguments. Sans-I/O.
 * @module
 */
import { PayloadWriter, SSHMalformedMessageError } from '../service-wire.js';

/** One mode: its opcode and its `uint32` argument (a character, a flag 0/1, or a speed). */
export interface TerminalMode {
  opcode: number;
  value: number;
}

/** Ends the modes (RFC 4254 §8). */
export const TTY_OP_END = 0;
/** Opcodes from here on are not defined: parsing stops at the first one (RFC 4254 §8). */
const FIRST_UNDEFINED_OPCODE = 160;

/** Special characters: opcode → `stty` name. */
const CHARACTERS = new Map<number, string>([
  [1, 'intr'],
  [2, 'quit'],
  [3, 'erase'],
  [4, 'kill'],
  [5, 'eof'],
  [6, 'eol'],
  [7, 'eol2'],
  [8, 'start'],
  [9, 'stop'],
  [10, 'susp'],
  [12, 'rprnt'],
  [13, 'werase'],
  [14, 'lnext'],
  [18, 'discard'],
]);

/**
 * Flags: opcode → `stty` name, `-name` clearing it. The uppercase-terminal flags (`IUCLC`, `XCASE`,
 * `OLCUC`) and `PENDIN` are left out: some `stty`s do not know them, and one unknown argument makes `stty`
 * apply none.
 */
const FLAGS = new Map<number, string>([
  [30, 'ignpar'],
  [31, 'parmrk'],
  [32, 'inpck'],
  [33, 'istrip'],
  [34, 'inlcr'],
  [35, 'igncr'],
  [36, 'icrnl'],
  [38, 'ixon'],
  [39, 'ixany'],
  [40, 'ixoff'],
  [41, 'imaxbel'],
  [42, 'iutf8'],
  [50, 'isig'],
  [51, 'icanon'],
  [53, 'echo'],
  [54, 'echoe'],
  [55, 'echok'],
  [56, 'echonl'],
  [57, 'noflsh'],
  [58, 'tostop'],
  [59, 'iexten'],
  [60, 'echoctl'],
  [61, 'echoke'],
  [70, 'opost'],
  [72, 'onlcr'],
  [73, 'ocrnl'],
  [74, 'onocr'],
  [75, 'onlret'],
  [92, 'parenb'],
  [93, 'parodd'],
]);

const CS7 = 90;
const CS8 = 91;
/** The character value OpenSSH sends for "disabled" (`_POSIX_VDISABLE`); Linux's own is 0. */
const DISABLED = 255;

/**
 * Decodes `encoded` into its modes, in order, up to `TTY_OP_END` or the first undefined opcode (160–255).
 * A mode cut short, or more than `maxModes` of them, throws {@link SSHMalformedMessageError}. No
 * `TTY_OP_END` at the very end is accepted.
 */
export function decodeTerminalModes(encoded: Uint8Array, maxModes = 256): TerminalMode[] {
  const modes: TerminalMode[] = [];
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  let offset = 0;
  while (offset < encoded.length) {
    const opcode = encoded[offset]!;
    if (opcode === TTY_OP_END || opcode >= FIRST_UNDEFINED_OPCODE) break;
    if (offset + 5 > encoded.length) throw new SSHMalformedMessageError(`terminal mode ${opcode} is cut short`);
    if (modes.length >= maxModes) throw new SSHMalformedMessageError(`more than ${maxModes} terminal modes`);
    modes.push({ opcode, value: view.getUint32(offset + 1) });
    offset += 5;
  }
  return modes;
}

/** Encodes `modes`, ending with `TTY_OP_END`. */
export function encodeTerminalModes(modes: readonly TerminalMode[]): Uint8Array {
  const w = new PayloadWriter();
  for (const { opcode, value } of modes) w.byte(opcode).uint32(value);
  return w.byte(TTY_OP_END).bytes();
}

/**
 * The `stty` arguments that set `modes` on a terminal: special characters as `intr 0x03` (`undef` for a
 * disabled one), flags as `echo` / `-echo`, the character size as `cs7` / `cs8`; the last of a repeated
 * opcode wins. Speeds, and opcodes a pseudo-terminal does not honour, are left out. Every argument is a
 * fixed name, `undef` or a hexadecimal number: nothing from the peer reaches a shell as text.
 */
export function sttyArguments(modes: readonly TerminalMode[]): string[] {
  const last = new Map<number, number>();
  for (const { opcode, value } of modes) last.set(opcode, value);
  const args: string[] = [];
  for (const [opcode, value] of [...last].sort(([a], [b]) => a - b)) {
    const character = CHARACTERS.get(opcode);
    if (character !== undefined) {
      args.push(character, value === 0 || value >= DISABLED ? 'undef' : `0x${value.toString(16).padStart(2, '0')}`);
      continue;
    }
    const flag = FLAGS.get(opcode);
    if (flag !== undefined) args.push(value === 0 ? `-${flag}` : flag);
  }
  // CS8's bits include CS7's, so a client with 8-bit characters says yes to both.
  if (last.get(CS8) !== undefined && last.get(CS8) !== 0) args.push('cs8');
  else if (last.get(CS7) !== undefined && last.get(CS7) !== 0) args.push('cs7');
  return args;
}
