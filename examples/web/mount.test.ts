import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';

test('examples/web/mount.ts mounts both ways', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./mount.ts', import.meta.url).pathname, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [outer, inner] = await new Promise<[string, string]>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const e = /express listening on (http:\/\/\S+?)\/\n/.exec(out);
        const t = /torsion listening on (http:\/\/\S+?)\/\n/.exec(out);
        if (e && t) resolve([e[1], t[1]]);
      });
      child.once('exit', (code) => reject(new Error(`example exited with ${code}`)));
    });
    assert.match(await (await fetch(`${outer}/`)).text(), /Express here/);
    assert.equal(await (await fetch(`${outer}/torsion/hello`)).text(), 'hello from Torsion at /torsion/hello');
    assert.equal(await (await fetch(`${outer}/torsion/later`)).text(), 'wait... done');
    const ws = new WebSocket(`${outer.replace('http', 'ws')}/torsion/shout`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hey'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    });
    ws.close();
    assert.equal(reply, 'HEY');
    assert.deepEqual(await (await fetch(`${inner}/api/users`)).json(), { users: ['ada', 'bob'], path: '/users' });
  } finally {
    child.kill();
  }
});
