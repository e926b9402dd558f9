/**
 * ISUPPORT (RPL_ISUPPORT, numeric 005): what the server announces about itself, parsed into the few values
 * a client needs (channel types, nick prefixes, case mapping, limits, channel mode classes).
 * @module
 */
import { caseMappingFor, type CaseMapping } from './casemapping.js';

/** Channel modes by how they take a parameter (ISUPPORT `CHANMODES=A,B,C,D`). */
export interface ChannelModeClasses {
  /** Lists (ban, exception): a parameter both ways. */
  list: string;
  /** Always a parameter (key). */
  always: string;
  /** A parameter only when set (limit). */
  onSet: string;
  /** Never a parameter. */
  never: string;
}

/** Undoes the `\xHH` escapes ISUPPORT values use. */
function unescapeValue(value: string): string {
  return value.replace(/\\x([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The server's ISUPPORT tokens, with RFC 1459 defaults until the server says otherwise.
 *
 * @example
 * const s = new ISupport();
 * s.update(['CHANTYPES=#&', 'PREFIX=(qov)~@+', 'NICKLEN=30']);
 * s.prefixes // Map { 'q' => '~', 'o' => '@', 'v' => '+' }
 */
export class ISupport {
  /** Every token as announced (`-TOKEN` removes one); a token without a value maps to `''`. */
  readonly tokens = new Map<string, string>();

  /** Applies the tokens of one 005 line (the params between the nick and the trailing text). */
  update(tokens: readonly string[]): void {
    for (const token of tokens) {
      if (token === '') continue;
      if (token.startsWith('-')) {
        this.tokens.delete(token.slice(1).toUpperCase());
        continue;
      }
      const eq = token.indexOf('=');
      const key = (eq < 0 ? token : token.slice(0, eq)).toUpperCase();
      this.tokens.set(key, eq < 0 ? '' : unescapeValue(token.slice(eq + 1)));
    }
  }

  /** A token's value, or undefined when not announced. */
  get(key: string): string | undefined {
    return this.tokens.get(key.toUpperCase());
  }

  /** Characters that start a channel name (`CHANTYPES`, default `#&`). */
  get chantypes(): string {
    return this.get('CHANTYPES') ?? '#&';
  }

  /** Channel member modes and their prefix symbols, highest first (`PREFIX`, default `(ov)@+`). */
  get prefixes(): Map<string, string> {
    const m = /^\(([^)]*)\)(.*)$/.exec(this.get('PREFIX') ?? '(ov)@+');
    const out = new Map<string, string>();
    if (!m) return out;
    const [modes, symbols] = [m[1], m[2]];
    for (let i = 0; i < Math.min(modes.length, symbols.length); i++) out.set(modes[i], symbols[i]);
    return out;
  }

  /** The case mapping (`CASEMAPPING`, default `rfc1459`). */
  get casemapping(): CaseMapping {
    return caseMappingFor(this.get('CASEMAPPING'));
  }

  /** The longest nick (`NICKLEN`, default 9 per RFC 1459). */
  get nicklen(): number {
    return this.#number('NICKLEN', 9);
  }

  /** The longest channel name (`CHANNELLEN`, default 200). */
  get channellen(): number {
    return this.#number('CHANNELLEN', 200);
  }

  /** The longest topic (`TOPICLEN`), or undefined when unlimited or not announced. */
  get topiclen(): number | undefined {
    const v = this.get('TOPICLEN');
    return v === undefined || v === '' ? undefined : Number(v);
  }

  /** The network's name (`NETWORK`), if announced. */
  get network(): string | undefined {
    return this.get('NETWORK');
  }

  /** Channel modes by parameter class (`CHANMODES`, default `b,k,l,imnpst`). */
  get chanmodes(): ChannelModeClasses {
    const [list = '', always = '', onSet = '', never = ''] = (this.get('CHANMODES') ?? 'b,k,l,imnpst').split(',');
    return { list, always, onSet, never };
  }

  /** True when `name` starts with one of the channel type characters. */
  isChannel(name: string): boolean {
    return name.length > 0 && this.chantypes.includes(name[0]);
  }

  /**
   * True when channel mode `mode` takes a parameter when set (`adding`) or unset: member prefixes, lists and
   * keys both ways, limits only when set.
   */
  modeTakesParam(mode: string, adding: boolean): boolean {
    const c = this.chanmodes;
    if (this.prefixes.has(mode) || c.list.includes(mode) || c.always.includes(mode)) return true;
    return adding && c.onSet.includes(mode);
  }

  #number(key: string, fallback: number): number {
    const n = Number(this.get(key));
    return Number.isFinite(n) && n > 0 ? n : fallback;
  }
}
