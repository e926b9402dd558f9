import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

test('examples/web/site.ts serves its pages', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./site.ts', import.meta.url).pathname, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+?)\/\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`example exited with ${code}`)));
    });
    const home = await fetch(`${base}/?name=<Ada>`);
    assert.match(await home.text(), /Hello, &lt;Ada&gt;!/);
    const echo = await fetch(`${base}/echo`, { method: 'POST', body: new URLSearchParams({ text: 'hi there' }) });
    assert.equal(await echo.text(), 'you said: hi there');
    const first = await fetch(`${base}/count`);
    const cookie = first.headers.get('set-cookie')!.split(';')[0];
    assert.equal(await first.text(), 'visit number 1');
    assert.equal(await (await fetch(`${base}/count`, { headers: { cookie } })).text(), 'visit number 2');
    assert.match((await (await fetch(`${base}/time`)).json()).now, /^\d{4}-/);
    const file = await fetch(`${base}/static/hello.txt`);
    assert.equal(await file.text(), 'Hello from a static file.\n');
  } finally {
    child.kill();
  }
});
