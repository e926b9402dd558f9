import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Deferred } from '../defer/index.js';
import { capturedLogEvents, formatEvent } from '../logger/index.js';
import { successResultOf } from '../testing/assertions.js';
import { Element, RENDER_ERROR_MARKER, renderElement, renderer, Tag, TagLoader, tags, XMLString, type TemplateRequest } from './index.js';

/** A request that records what renderElement does to it. */
class FakeRequest implements TemplateRequest {
  chunks: string[] = [];
  headers: Record<string, string> = {};
  finished = 0;
  finish$ = new Deferred<void>();
  readonly #decoder = new TextDecoder();

  write(data: Uint8Array): void {
    assert.ok(data instanceof Uint8Array, 'bytes at the edge');
    assert.equal(this.finished, 0, 'no write after finish');
    this.chunks.push(this.#decoder.decode(data));
  }
  finish(): void {
    this.finished++;
  }
  setHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  notifyFinish(): PromiseLike<unknown> {
    return this.finish$;
  }
  get body(): string {
    return this.chunks.join('');
  }
}

describe('renderElement', () => {
  test('sets the content type, writes the doctype and the page, and finishes', () => {
    const request = new FakeRequest();
    const d = renderElement(request, tags.html(tags.body('hi')));
    successResultOf(d);
    assert.equal(request.headers['content-type'], 'text/html; charset=utf-8');
    assert.deepEqual(request.chunks, ['<!DOCTYPE html>\n<html><body>hi</body></html>']);
    assert.equal(request.finished, 1);
  });

  test('the doctype can be changed or left out', () => {
    const a = new FakeRequest();
    renderElement(a, tags.p('x'), { doctype: '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">' });
    assert.equal(a.body, '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">\n<p>x</p>');
    const b = new FakeRequest();
    renderElement(b, tags.p('x'), { doctype: null });
    assert.equal(b.body, '<p>x</p>');
  });

  test('streams: the doctype and everything before the first wait go out in the first write', () => {
    const rows = new Deferred<string[]>();
    class Page extends Element {
      static override loader = XMLString('<html xmlns:t="urn:torsion:template"><body><h1>Title</h1><ul><li t:render="rows"><t:slot name="r"/></li></ul></body></html>');
      @renderer rows(_r: unknown, tag: Tag) {
        return rows.addCallback((rs) => rs.map((r) => tag.clone().fillSlots({ r })));
      }
    }
    const request = new FakeRequest();
    const d = renderElement(request, new Page());
    assert.deepEqual(request.chunks, ['<!DOCTYPE html>\n<html><body><h1>Title</h1><ul>']);
    assert.equal(request.finished, 0);
    rows.callback(['a', 'b']);
    assert.deepEqual(request.chunks.slice(1), ['<li>a</li><li>b</li></ul></body></html>']);
    assert.equal(request.finished, 1);
    successResultOf(d);
  });

  test('a renderer failing mid-stream is logged, the output ends with the marker, and the request finishes', () => {
    const wait = new Deferred<string>();
    class Page extends Element {
      static override loader = TagLoader(tags.div(tags.p('before'), tags.p({ render: 'broken' }), tags.p('after')));
      @renderer broken() {
        return wait;
      }
    }
    const request = new FakeRequest();
    const logs = capturedLogEvents();
    try {
      const d = renderElement(request, new Page());
      wait.errback(new Error('backend exploded'));
      successResultOf(d);
    } finally {
      logs.stop();
    }
    assert.equal(request.body, `<!DOCTYPE html>\n<div><p>before</p>${RENDER_ERROR_MARKER}`);
    assert.equal(request.finished, 1);
    const failures = logs.events.filter((e) => e.log_failure !== undefined);
    assert.equal(failures.length, 1);
    assert.match(formatEvent(failures[0]), /error occurred while rendering/);
    assert.match(String((failures[0].log_failure as { value: Error }).value.message), /backend exploded/);
    assert.equal(failures[0].log_namespace, 'torsion.template');
  });

  test('a renderer throwing synchronously ends the same way; displayTracebacks adds the escaped traceback', () => {
    class Page extends Element {
      static override loader = TagLoader(tags.p({ render: 'boom' }));
      @renderer boom(): Tag {
        throw new Error('<b>bad</b>');
      }
    }
    const logged: unknown[] = [];
    const request = new FakeRequest();
    successResultOf(renderElement(request, new Page(), { displayTracebacks: true, log: { failure: (_f, failure) => logged.push(failure) } }));
    assert.ok(request.body.includes(RENDER_ERROR_MARKER));
    assert.match(request.body, /<pre class="torsion-render-traceback">FlattenerError: Error: &lt;b&gt;bad&lt;\/b&gt;/);
    assert.equal(logged.length, 1);
    assert.equal(request.finished, 1);
  });

  test('a lost connection stops the rendering: the waited-on Deferred is cancelled, nothing more is written', async () => {
    let cancelled = false;
    const wait = new Deferred<string>(() => {
      cancelled = true;
    });
    const request = new FakeRequest();
    const d = renderElement(request, tags.div('start', wait, 'end'));
    assert.equal(request.body, '<!DOCTYPE html>\n<div>start');
    request.finish$.errback(new Error('connection lost'));
    await d;
    assert.equal(cancelled, true);
    assert.equal(request.body, '<!DOCTYPE html>\n<div>start');
    assert.equal(request.finished, 0);
  });

  test('over a real HTTP connection, the first chunk arrives before the slow renderer is done', async () => {
    const gate = new Deferred<string>();
    const server = createServer((_req, res) => {
      renderElement({ write: (b) => res.write(b), finish: () => res.end(), setHeader: (n, v) => res.setHeader(n, v) }, tags.html(tags.body(tags.h1('Head'), gate, tags.p('tail'))));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<IncomingMessage>((resolve, reject) => get({ host: '127.0.0.1', port, path: '/', agent: false }, resolve).on('error', reject));
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      response.setEncoding('utf8');
      const head = '<!DOCTYPE html>\n<html><body><h1>Head</h1>';
      const chunks: string[] = [];
      let received = '';
      const ended = new Promise<void>((resolve) => response.on('end', resolve));
      // The gate is still closed: all that can arrive is the page up to it.
      await new Promise<void>((resolve) => {
        response.on('data', (c: string) => {
          chunks.push(c);
          received += c;
          if (received.length >= head.length) resolve();
        });
      });
      assert.equal(gate.called, false);
      assert.equal(received, head);
      gate.callback('middle');
      await ended;
      assert.equal(chunks.join(''), '<!DOCTYPE html>\n<html><body><h1>Head</h1>middle<p>tail</p></body></html>');
    } finally {
      server.close();
    }
  });
});
