import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { get, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { promisify } from 'node:util';

const here = (name: string) => new URL(`./${name}`, import.meta.url).pathname;
const squeeze = (s: string) => s.replace(/>\s+</g, '><').trim();

test('render-stdout.ts prints the same page in each style', async () => {
  const outputs: string[] = [];
  for (const style of ['xml', 'stan', 'jsx']) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', here('render-stdout.ts'), style, '2']);
    outputs.push(squeeze(stdout));
  }
  assert.equal(outputs[1], outputs[0]);
  assert.equal(outputs[2], outputs[0]);
  assert.match(outputs[0], /^<html lang="en">.*<tr class="odd"><td>1<\/td><td><a href="\/users\/1">User 1 &lt;script&gt;alert\("x"\)&lt;\/script&gt; &amp; co<\/a><\/td>.*<\/html>$/);
});

function getStream(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, { agent: false }, resolve).on('error', reject));
}

test('site.ts serves the page through torsion/web, streaming it before the data arrives', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', here('site.ts'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+?\/)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`example exited with ${code}`)));
    });
    const bodies: string[] = [];
    for (const path of ['', 'stan', 'jsx']) {
      const response = await fetch(`${base}${path}?delay=0`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
      const body = await response.text();
      assert.ok(body.startsWith('<!DOCTYPE html>\n<html lang="en">'));
      assert.equal(body.match(/<tr class="(odd|even)">/g)?.length, 25);
      bodies.push(squeeze(body));
    }
    assert.equal(bodies[1], bodies[0]);
    assert.equal(bodies[2], bodies[0]);

    // With the data two seconds away, the page up to the table body arrives first, on its own.
    const response = await getStream(`${base}stan?delay=2`);
    response.setEncoding('utf8');
    const chunks: string[] = [];
    response.on('data', (c: string) => chunks.push(c));
    await new Promise((resolve) => response.on('end', resolve));
    const firstRows = chunks.findIndex((c) => c.includes('<tr class='));
    assert.ok(firstRows > 0, 'the head of the page came in a chunk of its own');
    assert.match(chunks.slice(0, firstRows).join(''), /^<!DOCTYPE html>\n<html lang="en">.*<tbody>$/s);
    assert.match(chunks.slice(firstRows).join(''), /^<tr class="odd"><td>1<\/td>.*<\/html>$/s);
  } finally {
    child.kill();
  }
});
