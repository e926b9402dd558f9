/**
 * The flattener: turns a tree of tags, text, slots, elements, Deferreds, Promises and iterables into
 * markup, streaming it out as far as the tree is ready (Twisted's `twisted.web._flatten`).
 *
 * It is a loop over an explicit stack, not a recursion, so trees 10,000 levels deep render without
 * growing the JavaScript stack. Output is appended to one string and handed to `write` only when the
 * flattener must wait for a value (everything before the first unresolved Deferred goes out at once),
 * when it passes 64 KiB, and at the end. A synchronous tree allocates no Deferred beyond the result.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { FlattenerError, MissingRenderMethod, UnfilledSlot, UnsupportedType } from './errors.js';
import { cdataMarkup, escapeAttribute, escapeComment, escapeText, isSafeUrl, UNSAFE_URL } from './escape.js';
import type { Flattenable, IRenderable } from './interfaces.js';
import { attributeKind, tagInfo, URL_KIND } from './names.js';
import { programOf, runProgram, type Program } from './program.js';
import { attributeText, slotValue, UNFILLED } from './resolve.js';
import {
  ASYNC_ITER,
  ATTR_BEGIN,
  ATTR_END,
  CAPTURE_ATTRIBUTE,
  CAPTURE_NESTED,
  CAPTURE_START_TAG,
  CLOSE_TAG,
  END_RENDER,
  FLUSH_AT,
  isRenderable,
  Marker,
  NESTED_END,
  NO_FACTORY,
  openIterators,
  POP_SLOTS,
  PROGRAM_RESUME,
  RESTORE_FACTORY,
  START_TAG_END,
  SYNC_ITER,
  trailOf,
  type AttributeOp,
} from './stack.js';
import { CDATA, CharRef, Comment, Raw, Slot, Tag } from './tag.js';
import { isThenable } from '../defer/thenable.js';

/** One flattening run; see {@link flatten}. */
class Flattener {
  readonly result: Deferred<void>;
  readonly #request: unknown;
  readonly #write: (chunk: string) => void;
  readonly #stack: unknown[];
  #buf = '';
  readonly #captures: string[] = [];
  readonly #captureKinds: number[] = [];
  readonly #slots: Record<string, Flattenable>[] = [];
  #factory: IRenderable | null = null;
  #done = false;
  #waiting: Deferred<unknown> | null = null;
  #waitingIterator: AsyncIterator<unknown> | null = null;

  constructor(request: unknown, root: Flattenable, write: (chunk: string) => void) {
    this.#request = request;
    this.#write = write;
    this.#stack = [root];
    this.result = new Deferred<void>(() => this.#cancel());
  }

  /** Flattens until done, failed, or waiting on a value that is not there yet. */
  run(): void {
    const stack = this.#stack;
    const captures = this.#captures;
    const kinds = this.#captureKinds;
    const slots = this.#slots;
    const request = this.#request;
    let buf = this.#buf;
    let factory = this.#factory;
    let inAttribute = kinds.length > 0 && kinds[kinds.length - 1] === CAPTURE_ATTRIBUTE;
    let v: unknown;
    try {
      while (stack.length > 0) {
        v = stack.pop();
        if (typeof v === 'string') {
          buf += inAttribute ? escapeAttribute(v) : escapeText(v);
          continue;
        }
        if (typeof v !== 'object' || v === null) {
          if (typeof v === 'number' || typeof v === 'bigint') buf += String(v);
          else if (v !== undefined && v !== null && typeof v !== 'boolean') throw new UnsupportedType(v);
          continue;
        }
        if (v instanceof Tag) {
          const tag = v;
          if (tag.render !== null) {
            stack.push(tag, END_RENDER);
            if (factory === null) throw new MissingRenderMethod(null, tag.render);
            const method = factory.lookupRenderMethod(tag.render);
            const copy = tag.clone(false);
            copy.render = null;
            if (tag.slotData !== null) {
              slots.push(tag.slotData);
              stack.push(POP_SLOTS);
            }
            stack.push(method(request, copy));
            continue;
          }
          if (tag.slotData !== null) {
            slots.push(tag.slotData);
            stack.push(POP_SLOTS);
          }
          const name = tag.tagName;
          const children = tag.children;
          if (name === '') {
            for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
            continue;
          }
          const info = tagInfo(name);
          if (inAttribute) {
            // Markup inside an attribute value is rendered on its own, then escaped as attribute text.
            captures.push(buf);
            kinds.push(CAPTURE_NESTED);
            buf = '';
            inAttribute = false;
            stack.push(NESTED_END);
          }
          const attributes = tag.attributes;
          let open = info.open;
          let simple = true;
          for (const key in attributes) {
            const a = attributes[key];
            const kind = attributeKind(key);
            if (a === null || a === undefined || a === false) continue;
            if (a === true) {
              open += ' ' + key + '=""';
              continue;
            }
            if (a instanceof Raw) {
              open += ' ' + key + '="' + a.html + '"';
              continue;
            }
            const text = attributeText(a, slots, 0);
            if (text === null) {
              simple = false;
              break;
            }
            open += ' ' + key + '="' + escapeAttribute(kind === URL_KIND && !isSafeUrl(text) ? UNSAFE_URL : text) + '"';
          }
          if (simple) {
            const n = children.length;
            if (n === 0) {
              buf += info.isVoid ? open + ' />' : open + '>' + info.close;
              continue;
            }
            buf += open + '>';
            const program = programOf(tag);
            if (program !== null) {
              buf = runProgram(program, 0, tag, stack, slots, buf, PROGRAM_RESUME);
              if (buf.length > FLUSH_AT && kinds.length === 0) {
                this.#write(buf);
                buf = '';
              }
              continue;
            }
            // Leading text children are written here; the rest go on the stack.
            let i = 0;
            for (; i < n; i++) {
              const c = children[i];
              if (typeof c === 'string') buf += escapeText(c);
              else if (typeof c === 'number') buf += c;
              else if (c instanceof Slot) {
                const value = slotValue(slots, c.name);
                if (typeof value === 'string') buf += escapeText(value);
                else if (typeof value === 'number') buf += value;
                else break;
              } else break;
            }
            if (i === n) {
              buf += info.close;
              if (buf.length > FLUSH_AT && kinds.length === 0) {
                this.#write(buf);
                buf = '';
              }
              continue;
            }
            stack.push(tag, CLOSE_TAG);
            for (let j = n - 1; j >= i; j--) stack.push(children[j]);
            continue;
          }
          // Some attribute value must be flattened (a slot, a tag, a Deferred...): capture the whole start
          // tag, so that output flushed while waiting never ends inside it.
          captures.push(buf);
          kinds.push(CAPTURE_START_TAG);
          buf = info.open;
          if (children.length > 0 || !info.isVoid) stack.push(tag, CLOSE_TAG);
          for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
          stack.push(tag, START_TAG_END);
          const keys = Object.keys(attributes);
          for (let i = keys.length - 1; i >= 0; i--) {
            const key = keys[i];
            const a = attributes[key];
            if (a === null || a === undefined || a === false) continue;
            const op: AttributeOp = { name: key, checkUrl: attributeKind(key) === URL_KIND && !(a instanceof Raw) };
            stack.push(op, ATTR_END, a, op, ATTR_BEGIN);
          }
          continue;
        }
        if (v instanceof Marker) {
          switch (v.kind) {
            case 0: // CLOSE_TAG
              buf += '</' + (stack.pop() as Tag).tagName + '>';
              if (buf.length > FLUSH_AT && kinds.length === 0) {
                this.#write(buf);
                buf = '';
              }
              break;
            case 1: // POP_SLOTS
              slots.pop();
              break;
            case 2: {
              // RESTORE_FACTORY
              stack.pop();
              const previous = stack.pop();
              factory = previous === NO_FACTORY ? null : (previous as IRenderable);
              break;
            }
            case 3: // END_RENDER
              stack.pop();
              break;
            case 4: {
              // SYNC_ITER: the iterator stays below the marker until it is exhausted.
              const r = (stack[stack.length - 1] as Iterator<unknown>).next();
              if (r.done) stack.pop();
              else stack.push(SYNC_ITER, r.value);
              break;
            }
            case 5: {
              // ASYNC_ITER
              const it = stack.pop() as AsyncIterator<unknown>;
              this.#waitingIterator = it;
              const p = it.next();
              p.then(
                (r) => this.#resumeIterator(it, r),
                (e) => this.#resumeFailure(new Failure(e)),
              );
              this.#buf = buf;
              this.#factory = factory;
              this.#flush();
              return;
            }
            case 6: {
              // START_TAG_END
              const tag = stack.pop() as Tag;
              buf += tag.children.length === 0 && tagInfo(tag.tagName).isVoid ? ' />' : '>';
              buf = captures.pop()! + buf;
              kinds.pop();
              inAttribute = kinds.length > 0 && kinds[kinds.length - 1] === CAPTURE_ATTRIBUTE;
              break;
            }
            case 7: // ATTR_BEGIN
              stack.pop();
              captures.push(buf);
              kinds.push(CAPTURE_ATTRIBUTE);
              buf = '';
              inAttribute = true;
              break;
            case 8: {
              // ATTR_END
              const op = stack.pop() as AttributeOp;
              const value = op.checkUrl && !isSafeUrl(buf, true) ? UNSAFE_URL : buf;
              buf = captures.pop()! + ' ' + op.name + '="' + value + '"';
              kinds.pop();
              inAttribute = kinds.length > 0 && kinds[kinds.length - 1] === CAPTURE_ATTRIBUTE;
              break;
            }
            case 10: {
              // PROGRAM_RESUME
              const index = stack.pop() as number;
              const program = stack.pop() as Program;
              stack.pop();
              buf = runProgram(program, index, stack.pop() as Tag, stack, slots, buf, PROGRAM_RESUME);
              if (buf.length > FLUSH_AT && kinds.length === 0) {
                this.#write(buf);
                buf = '';
              }
              break;
            }
            case 9: {
              // NESTED_END
              const html = buf;
              buf = captures.pop()! + escapeAttribute(html);
              kinds.pop();
              inAttribute = true;
              break;
            }
          }
          continue;
        }
        if (Array.isArray(v)) {
          for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
          continue;
        }
        if (v instanceof Slot) {
          const value = slotValue(slots, v.name);
          if (value !== UNFILLED) stack.push(value);
          else if (v.default !== undefined) stack.push(v.default);
          else throw new UnfilledSlot(v.name, v.location ? ` at ${v.location.filename}:${v.location.line}:${v.location.column}` : '');
          continue;
        }
        if (v instanceof Raw) {
          buf += v.html;
          continue;
        }
        if (v instanceof Deferred) {
          const d = v as Deferred<unknown>;
          let state = 0; // 0: adding callbacks, 1: fired with a value, 2: failed, 3: waiting
          let value: unknown;
          d.addCallbacks(
            (r) => {
              if (state === 0) {
                state = 1;
                value = r;
              } else this.#resume(r);
              return r;
            },
            (f) => {
              if (state === 0) {
                state = 2;
                value = f;
              } else this.#resumeFailure(f);
              return null;
            },
          );
          if (state === 1) {
            stack.push(value);
            continue;
          }
          if (state === 2) throw value;
          state = 3;
          this.#waiting = d;
          this.#buf = buf;
          this.#factory = factory;
          this.#flush();
          return;
        }
        if (isThenable(v)) {
          v.then(
            (r) => this.#resume(r),
            (e) => this.#resumeFailure(new Failure(e)),
          );
          this.#buf = buf;
          this.#factory = factory;
          this.#flush();
          return;
        }
        if (v instanceof Comment) {
          const markup = '<!--' + escapeComment(v.data) + '-->';
          buf += inAttribute ? escapeAttribute(markup) : markup;
          continue;
        }
        if (v instanceof CDATA) {
          const markup = cdataMarkup(v.data);
          buf += inAttribute ? escapeAttribute(markup) : markup;
          continue;
        }
        if (v instanceof CharRef) {
          buf += '&#' + v.ordinal + ';';
          continue;
        }
        if (isRenderable(v)) {
          stack.push(factory ?? NO_FACTORY, v, RESTORE_FACTORY);
          factory = v;
          stack.push(v.render(request));
          continue;
        }
        if (Symbol.asyncIterator in v) {
          stack.push((v as AsyncIterable<unknown>)[Symbol.asyncIterator](), ASYNC_ITER);
          continue;
        }
        if (Symbol.iterator in v) {
          stack.push((v as Iterable<unknown>)[Symbol.iterator](), SYNC_ITER);
          continue;
        }
        throw new UnsupportedType(v);
      }
      this.#buf = buf;
      this.#flush();
      this.#done = true;
      this.result.callback(undefined);
    } catch (e) {
      this.#buf = buf;
      this.#factory = factory;
      this.#fail(e instanceof Failure ? e : new Failure(e), v);
    }
  }

  #resume(value: unknown): void {
    if (this.#done) return;
    this.#waiting = null;
    this.#stack.push(value);
    this.run();
  }

  #resumeIterator(it: AsyncIterator<unknown>, r: IteratorResult<unknown>): void {
    if (this.#done) return;
    this.#waitingIterator = null;
    if (!r.done) this.#stack.push(it, ASYNC_ITER, r.value);
    this.run();
  }

  #resumeFailure(failure: Failure): void {
    if (this.#done) return;
    this.#waiting = null;
    this.#waitingIterator = null;
    this.#fail(failure, undefined);
  }

  /** Writes what is complete: everything before the outermost open capture. */
  #flush(): void {
    let chunk: string;
    if (this.#captures.length === 0) {
      chunk = this.#buf;
      this.#buf = '';
    } else {
      chunk = this.#captures[0];
      this.#captures[0] = '';
    }
    if (chunk.length > 0) this.#write(chunk);
  }

  #fail(failure: Failure, current: unknown): void {
    if (this.#done) return;
    this.#done = true;
    const trail = trailOf(this.#stack, current);
    try {
      this.#flush();
    } catch {
      // The writer is broken too; the failure below is the one worth reporting.
    }
    this.#closeIterators();
    this.result.errback(new FlattenerError(failure, trail));
  }

  #cancel(): void {
    if (this.#done) return;
    this.#done = true;
    const waiting = this.#waiting;
    this.#waiting = null;
    this.#closeIterators();
    if (waiting !== null) waiting.cancel();
  }

  /** Ends the iterators still open, so generators run their `finally` blocks. */
  #closeIterators(): void {
    const its = openIterators(this.#stack);
    if (this.#waitingIterator !== null) its.push(this.#waitingIterator);
    this.#waitingIterator = null;
    for (const it of its) {
      try {
        const r = it.return?.();
        if (r !== undefined && isThenable(r)) r.then(undefined, () => undefined);
      } catch {
        // An iterator that fails to close does not change the outcome.
      }
    }
  }
}

/**
 * Renders `root`, handing the markup to `write` as it becomes ready, in document order. The Deferred fires
 * when everything is written, or fails with a {@link FlattenerError} (what was complete before the error
 * is written first). Cancelling it stops the rendering and cancels the Deferred it waits on.
 *
 * @param request passed to every renderer (may be `null`).
 * @example
 * await flatten(null, tags.p('Hello, ', user.name), (chunk) => res.write(chunk));
 */
export function flatten(request: unknown, root: Flattenable, write: (chunk: string) => void): Deferred<void> {
  const f = new Flattener(request, root, write);
  f.run();
  return f.result;
}

/**
 * Renders `root` to one string. For a tree with nothing to wait for, the Deferred has fired on return.
 *
 * @example
 * const html = await flattenString(null, tags.p({ class: 'greeting' }, 'Hi <you>'));
 * // '<p class="greeting">Hi &lt;you&gt;</p>'
 */
export function flattenString(request: unknown, root: Flattenable): Deferred<string> {
  const chunks: string[] = [];
  return flatten(request, root, (chunk) => {
    chunks.push(chunk);
  }).addCallback(() => (chunks.length === 1 ? chunks[0] : chunks.join('')));
}
