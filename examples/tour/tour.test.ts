import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const tour = fileURLToPath(new URL('./tour.ts', import.meta.url));

/** The code lines of a file, its leading comment dropped. */
function code(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('//'))
    .join('\n')
    .trim();
}

test('the README tour is this example, word for word', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /## A 60-second tour[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a tour code block');
  assert.equal(code(block[1]!), code(readFileSync(tour, 'utf8')));
  assert.match(readme, /node --import tsx tour\.ts/);
});

test('the tour prints where it listens and shouts back', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', tour], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const first = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string;
    const m = /^shouting on 127\.0\.0\.1:(\d+) /.exec(first);
    assert.ok(m, first);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(m[1]), '127.0.0.1', () => s.write('hello\r\n'));
      s.setEncoding('utf8');
      s.on('data', (d: string) => { resolve(d); s.destroy(); });
      s.on('error', reject);
    });
    assert.equal(reply, 'HELLO\r\n');
  } finally {
    child.kill();
  }
});
