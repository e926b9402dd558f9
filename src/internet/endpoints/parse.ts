/**
 * The endpoint string grammar (Twisted's `endpoints._parse`): `type:positional:key=value...`, where `\:`
 * (and `\=`, `\\`) escape the separators.
 * @module
 */
import { EndpointSyntaxError } from '../error.js';

/** A parsed description: its type, positional arguments and keyword arguments. */
export interface ParsedDescription {
  type: string;
  args: string[];
  kwargs: Record<string, string>;
}

/** Removes escaping backslashes: `\\:` becomes `:`. */
function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      if (i + 1 >= text.length) throw new EndpointSyntaxError(`${JSON.stringify(text)} ends with a lone backslash`);
      out += text[++i];
    } else {
      out += text[i];
    }
  }
  return out;
}

/** Finds the index of the first unescaped `ch`, or -1. */
function indexUnescaped(text: string, ch: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ch) return i;
  }
  return -1;
}

/** Parses `description`; throws `EndpointSyntaxError` naming the bad part. */
export function parseDescription(description: string): ParsedDescription {
  if (typeof description !== 'string' || description.trim() === '') throw new EndpointSyntaxError('empty endpoint description');
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < description.length; i++) {
    const ch = description[i];
    if (ch === '\\') {
      cur += ch + (description[i + 1] ?? '');
      i++;
    } else if (ch === ':') {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  const [typePart, ...rest] = parts;
  const type = unescape(typePart).toLowerCase();
  if (!/^[a-z0-9]+$/.test(type)) throw new EndpointSyntaxError(`endpoint type ${JSON.stringify(type)} in ${JSON.stringify(description)} is not valid`);
  const args: string[] = [];
  const kwargs: Record<string, string> = {};
  for (const part of rest) {
    const eq = indexUnescaped(part, '=');
    if (eq < 0) {
      if (Object.keys(kwargs).length > 0) throw new EndpointSyntaxError(`positional argument ${JSON.stringify(part)} after keyword arguments in ${JSON.stringify(description)}`);
      args.push(unescape(part));
      continue;
    }
    const key = unescape(part.slice(0, eq));
    const value = unescape(part.slice(eq + 1));
    if (key === '') throw new EndpointSyntaxError(`empty option name in ${JSON.stringify(part)} of ${JSON.stringify(description)}`);
    if (key in kwargs) throw new EndpointSyntaxError(`option ${key} given twice in ${JSON.stringify(description)}`);
    kwargs[key] = value;
  }
  return { type, args, kwargs };
}

/** Reads a port number argument, naming it in the error. */
export function portNumber(value: string | undefined, what: string): number {
  if (value === undefined || value === '') throw new EndpointSyntaxError(`${what}: a port number is required`);
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new EndpointSyntaxError(`${what}: port ${JSON.stringify(value)} is not a number from 0 to 65535`);
  return Number(value);
}

/** Reads a non-negative number option (seconds, backlog), naming it in the error. */
export function numberOption(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new EndpointSyntaxError(`${what}: ${JSON.stringify(value)} is not a number`);
  return Number(value);
}

/** Rejects options this endpoint type doesn't know. */
export function checkKnown(kwargs: Record<string, string>, known: readonly string[], type: string): void {
  for (const k of Object.keys(kwargs)) {
    if (!known.includes(k)) throw new EndpointSyntaxError(`unknown option ${JSON.stringify(k)} for ${type} endpoints (known: ${known.join(', ')})`);
  }
}
