/**
 * AMP argument types, as in Twisted's `twisted.protocols.amp`: each turns one JavaScript value into the
 * bytes of one box value and back. Browser-safe.
 * @module
 */
import { AMPArgumentError } from './errors.js';
import { AMP_LIMITS, type AMPLimits } from './limits.js';
import { parseBoxes, serializeBox, type AmpBox } from './box.js';

/** What an argument needs besides its value: the limits, and how deep in AmpLists it sits. */
export interface ArgumentContext {
  limits: Readonly<AMPLimits>;
  depth: number;
}

const DEFAULT_CONTEXT: ArgumentContext = { limits: AMP_LIMITS, depth: 0 };
const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

function ascii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += globalThis.String.fromCharCode(b);
  return s;
}

/** Options every argument takes. */
export interface ArgumentOptions {
  /** The argument may be left out (the value is then `undefined`). */
  optional?: boolean;
}

/**
 * One typed argument of a command or response. Subclasses say how a value becomes bytes (`toWire`) and
 * back (`fromWire`); `toBox`/`fromBox` put it in a box under its name.
 */
export abstract class Argument<T = unknown> {
  /** Whether the argument may be missing. */
  readonly optional: boolean;
  constructor(options: ArgumentOptions = {}) {
    this.optional = options.optional ?? false;
  }

  /** The value as the bytes of a box value. */
  abstract toWire(value: T, context?: ArgumentContext): Uint8Array;
  /** The value the bytes of a box value stand for. */
  abstract fromWire(bytes: Uint8Array, context?: ArgumentContext): T;

  /** Reads the argument `name` from `box` into `out`. */
  fromBox(name: string, box: AmpBox, out: Record<string, unknown>, context: ArgumentContext = DEFAULT_CONTEXT): void {
    const bytes = box.get(name);
    if (bytes === undefined) {
      if (this.optional) return;
      throw new AMPArgumentError(`AMP argument ${JSON.stringify(name)} is missing`);
    }
    out[name] = this.fromWire(bytes, context);
  }

  /** Writes `values[name]` into `box`. */
  toBox(name: string, values: Readonly<Record<string, unknown>>, box: AmpBox, context: ArgumentContext = DEFAULT_CONTEXT): void {
    const value = values[name];
    if (value === undefined || value === null) {
      if (this.optional) return;
      throw new AMPArgumentError(`AMP argument ${JSON.stringify(name)} is missing`);
    }
    box.set(name, this.toWire(value as T, context));
  }
}

/** An integer as its decimal text: a `number`, or a `bigint` beyond 2^53 either way. */
export class Integer extends Argument<number | bigint> {
  toWire(value: number | bigint): Uint8Array {
    if (typeof value === 'bigint') return encoder.encode(value.toString());
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new AMPArgumentError(`not an integer: ${globalThis.String(value)}`);
    return encoder.encode(Number.isSafeInteger(value) ? globalThis.String(value === 0 ? 0 : value) : BigInt(value).toString());
  }
  fromWire(bytes: Uint8Array): number | bigint {
    const text = ascii(bytes).trim();
    if (!/^[+-]?\d{1,4300}$/.test(text)) throw new AMPArgumentError(`not an AMP Integer: ${JSON.stringify(text.slice(0, 40))}`);
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
}

/** Bytes, passed through (Twisted's `String`). */
export class String extends Argument<Uint8Array> {
  toWire(value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) throw new AMPArgumentError('an AMP String is a Uint8Array');
    return value;
  }
  fromWire(bytes: Uint8Array): Uint8Array {
    return bytes;
  }
}

/** Text as UTF-8. */
export class Unicode extends Argument<string> {
  toWire(value: string): Uint8Array {
    if (typeof value !== 'string') throw new AMPArgumentError('an AMP Unicode is a string');
    return encoder.encode(value);
  }
  fromWire(bytes: Uint8Array): string {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new AMPArgumentError('an AMP Unicode value is not UTF-8');
    }
  }
}

/** `True` or `False`. */
export class Boolean extends Argument<boolean> {
  toWire(value: boolean): Uint8Array {
    return encoder.encode(value ? 'True' : 'False');
  }
  fromWire(bytes: Uint8Array): boolean {
    const text = ascii(bytes);
    if (text === 'True') return true;
    if (text === 'False') return false;
    throw new AMPArgumentError(`not an AMP Boolean: ${JSON.stringify(text.slice(0, 40))}`);
  }
}

/** A double as Python writes it (`1.5`, `1e+100`, `nan`, `inf`, `-inf`). */
export class Float extends Argument<number> {
  toWire(value: number): Uint8Array {
    if (typeof value !== 'number') throw new AMPArgumentError('an AMP Float is a number');
    if (Number.isNaN(value)) return encoder.encode('nan');
    if (!Number.isFinite(value)) return encoder.encode(value > 0 ? 'inf' : '-inf');
    let text = Object.is(value, -0) ? '-0' : globalThis.String(value);
    if (/^-?\d+$/.test(text)) text += '.0';
    return encoder.encode(text);
  }
  fromWire(bytes: Uint8Array): number {
    const text = ascii(bytes).trim().toLowerCase().replaceAll('_', '');
    const special = /^([+-]?)(inf|infinity|nan)$/.exec(text);
    if (special) return special[2] === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) throw new AMPArgumentError(`not an AMP Float: ${JSON.stringify(text.slice(0, 40))}`);
    return Number(text);
  }
}

const DECIMAL = /^[+-]?((\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?|inf(inity)?|s?nan\d*)$/i;

/**
 * A decimal number as its exact text (`"1.10"`, `"-1E+2"`, `"Infinity"`, `"NaN"`): JavaScript has no
 * decimal type, so the text is kept. Python's `str(Decimal)` normalises the text it sends (`1.5E+2`).
 */
export class Decimal extends Argument<string> {
  toWire(value: string): Uint8Array {
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw new AMPArgumentError(`not a decimal number: ${JSON.stringify(globalThis.String(value).slice(0, 40))}`);
    return encoder.encode(value);
  }
  fromWire(bytes: Uint8Array): string {
    const text = ascii(bytes).trim();
    if (!DECIMAL.test(text)) throw new AMPArgumentError(`not an AMP Decimal: ${JSON.stringify(text.slice(0, 40))}`);
    return text;
  }
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})([+-])(\d{2}):(\d{2})$/;

/**
 * An instant, as Twisted's 32-character `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM`. A `Date` is sent in UTC (which
 * Twisted writes `-00:00`); a received offset is honoured, so the `Date` is the same instant. Microseconds
 * beyond the millisecond are dropped on receipt.
 */
export class DateTime extends Argument<Date> {
  toWire(value: Date): Uint8Array {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new AMPArgumentError('an AMP DateTime is a valid Date');
    const year = value.getUTCFullYear();
    if (year < 1 || year > 9999) throw new AMPArgumentError(`year ${year} is outside 1..9999`);
    const p = (n: number, w = 2) => globalThis.String(n).padStart(w, '0');
    const text = `${p(year, 4)}-${p(value.getUTCMonth() + 1)}-${p(value.getUTCDate())}T${p(value.getUTCHours())}:${p(value.getUTCMinutes())}:${p(value.getUTCSeconds())}.${p(value.getUTCMilliseconds() * 1000, 6)}-00:00`;
    return encoder.encode(text);
  }
  fromWire(bytes: Uint8Array): Date {
    const m = DATETIME.exec(ascii(bytes));
    if (!m) throw new AMPArgumentError(`not an AMP DateTime: ${JSON.stringify(ascii(bytes).slice(0, 40))}`);
    const [year, month, day, hour, minute, second, micro, , oh, om] = m.slice(1).map(Number) as number[];
    const sign = m[8] === '-' ? -1 : 1;
    if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 59 || oh! > 23 || om! > 59) {
      throw new AMPArgumentError(`AMP DateTime out of range: ${m[0]}`);
    }
    const date = new Date(0);
    date.setUTCFullYear(year!, month! - 1, day!);
    date.setUTCHours(hour!, minute!, second!, Math.floor(micro! / 1000));
    if (date.getUTCDate() !== day) throw new AMPArgumentError(`AMP DateTime has no such day: ${m[0]}`);
    return new Date(date.getTime() - sign * (oh! * 60 + om!) * 60_000);
  }
}

/** A list of values of one type, each 16-bit length-prefixed (Twisted's `ListOf`). */
export class ListOf<T> extends Argument<T[]> {
  readonly elementType: Argument<T>;
  constructor(elementType: Argument<T>, options: ArgumentOptions = {}) {
    super(options);
    this.elementType = elementType;
  }
  toWire(value: T[], context: ArgumentContext = DEFAULT_CONTEXT): Uint8Array {
    if (!Array.isArray(value)) throw new AMPArgumentError('an AMP ListOf is an array');
    const parts = value.map((v) => this.elementType.toWire(v, context));
    const out = new Uint8Array(parts.reduce((n, p) => n + 2 + p.length, 0));
    let at = 0;
    for (const part of parts) {
      if (part.length > 0xffff) throw new AMPArgumentError('an AMP ListOf element is over 65,535 bytes');
      out[at] = part.length >> 8;
      out[at + 1] = part.length & 0xff;
      out.set(part, at + 2);
      at += 2 + part.length;
    }
    return out;
  }
  fromWire(bytes: Uint8Array, context: ArgumentContext = DEFAULT_CONTEXT): T[] {
    const out: T[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (bytes.length - at < 2) throw new AMPArgumentError('an AMP ListOf ends inside a length');
      const len = (bytes[at]! << 8) | bytes[at + 1]!;
      if (bytes.length - at - 2 < len) throw new AMPArgumentError('an AMP ListOf ends inside an element');
      out.push(this.elementType.fromWire(bytes.subarray(at + 2, at + 2 + len), context));
      at += 2 + len;
    }
    return out;
  }
}

/** The schema of an AmpList element: `[name, argument]` pairs, as in Twisted. */
export type AmpListSchema = ReadonlyArray<readonly [string, Argument<any>]>;

/** A list of objects, each sent as a whole box inside the value (Twisted's `AmpList`). */
export class AmpList extends Argument<Array<Record<string, any>>> {
  readonly subargs: AmpListSchema;
  constructor(subargs: AmpListSchema, options: ArgumentOptions = {}) {
    super(options);
    this.subargs = subargs;
  }
  toWire(value: Array<Record<string, any>>, context: ArgumentContext = DEFAULT_CONTEXT): Uint8Array {
    if (!Array.isArray(value)) throw new AMPArgumentError('an AMP AmpList is an array of objects');
    const inner = { ...context, depth: context.depth + 1 };
    const parts = value.map((item) => serializeBox(objectsToBox(item, this.subargs, inner), context.limits));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
  fromWire(bytes: Uint8Array, context: ArgumentContext = DEFAULT_CONTEXT): Array<Record<string, any>> {
    if (context.depth >= context.limits.maxNesting) throw new AMPArgumentError(`AmpLists nested deeper than ${context.limits.maxNesting}`);
    const inner = { ...context, depth: context.depth + 1 };
    return parseBoxes(bytes, context.limits).map((box) => boxToObjects(box, this.subargs, inner));
  }
}

/** A box from named values, per a schema (Twisted's `_objectsToStrings`). */
export function objectsToBox(values: Readonly<Record<string, unknown>>, schema: AmpListSchema, context: ArgumentContext = DEFAULT_CONTEXT, box: AmpBox = new Map()): AmpBox {
  if (values === null || typeof values !== 'object') throw new AMPArgumentError('AMP values are an object');
  for (const [name, argument] of schema) argument.toBox(name, values, box, context);
  return box;
}

/** Named values from a box, per a schema (Twisted's `_stringsToObjects`). */
export function boxToObjects(box: AmpBox, schema: AmpListSchema, context: ArgumentContext = DEFAULT_CONTEXT): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [name, argument] of schema) argument.fromBox(name, box, out, context);
  return out;
}
