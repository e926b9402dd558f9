// Python 3.11's nntplib (a client nobody here wrote) against `torsion news` over real loopback sockets:
// capabilities, group, over, article, body with a dot-stuffed line, post, newnews, login, and STARTTLS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkerFromString } from '../cred/index.js';
import { NodeReactor } from '../internet/reactor.js';
import { requirePeer, selfSignedCertificate } from '../testing/index.js';
import { NewsApplication } from './plugin.js';

const python = requirePeer('/usr/bin/python3', 'python3');
const reactor = new NodeReactor();
const dir = mkdtempSync(join(tmpdir(), 'torsion-nntplib-'));
const { key, cert } = selfSignedCertificate('localhost');
writeFileSync(join(dir, 'cert.pem'), cert);
let app: NewsApplication;
let port = 0;

before(async () => {
  app = new NewsApplication({
    listen: ['tcp:0:interface=127.0.0.1'],
    groups: ['local.test', 'local.misc'],
    data: join(dir, 'news'),
    checkers: [checkerFromString('memory:alice:secret')],
    postingRequiresAuth: true,
    tls: { key, cert },
    domain: 'example.org',
    reactor,
  });
  await app.startService();
  port = app.ports[0]!;
});

after(async () => {
  await app.stopService();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a Python snippet with `port`, `cafile` and nntplib at hand; returns what it printed as JSON. */
function py(body: string): Promise<unknown> {
  const script = [
    'import json, nntplib, ssl, warnings, io',
    'warnings.simplefilter("ignore")',
    `port = ${port}`,
    `ctx = ssl.create_default_context(cafile=${JSON.stringify(join(dir, 'cert.pem'))})`,
    'ctx.check_hostname = False',
    body,
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', script], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python failed: ${String(error)}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

test('nntplib: STARTTLS, login, post, then group, over, article and body', async () => {
  const out = (await py(`
s = nntplib.NNTP('127.0.0.1', port, readermode=True)
caps_before = sorted(s.getcapabilities().keys())
s.starttls(ctx)
s.login('alice', 'secret', usenetrc=False)
art = b"From: alice@example.org\\r\\nNewsgroups: local.test\\r\\nSubject: from nntplib\\r\\n\\r\\nfirst line\\r\\n.dot line\\r\\n"
posted = s.post(io.BytesIO(art))
resp, count, first, last, name = s.group('local.test')
resp, overviews = s.over((first, last))
num, ov = overviews[-1]
resp, info = s.article(last)
resp, binfo = s.body(last)
resp, groups = s.list()
print(json.dumps({
  "caps": caps_before, "posted": posted, "count": count, "first": first, "last": last, "name": name,
  "subject": ov["subject"], "msgid": ov["message-id"], "lines": info.lines[-2:] and [l.decode() for l in info.lines[-2:]],
  "body": [l.decode() for l in binfo.lines], "groups": sorted(g.group for g in groups), "secure": s.tls_on,
}))
s.quit()
`)) as Record<string, unknown>;
  assert.ok((out.caps as string[]).includes('STARTTLS'));
  assert.ok((out.caps as string[]).includes('READER'));
  assert.equal(out.secure, true);
  assert.match(String(out.posted), /^240 /);
  assert.equal(out.count, 1);
  assert.equal(out.name, 'local.test');
  assert.equal(out.subject, 'from nntplib');
  assert.match(String(out.msgid), /^<.+@example\.org>$/);
  assert.deepEqual(out.body, ['first line', '.dot line'], 'nntplib undid our dot-stuffing');
  assert.deepEqual(out.groups, ['local.misc', 'local.test']);
});

test('nntplib: a wrong password is refused, reading without login works, newnews and date', async () => {
  const out = (await py(`
s = nntplib.NNTP('127.0.0.1', port)
s.starttls(ctx)
try:
    s.login('alice', 'wrong', usenetrc=False)
    refused = False
except nntplib.NNTPTemporaryError as e:
    refused = str(e)
s2 = nntplib.NNTP('127.0.0.1', port)
resp, count, first, last, name = s2.group('local.misc')
resp, ids = s2.newnews('local.*', __import__('datetime').datetime(2000, 1, 1))
resp, d = s2.date()
try:
    s2.post(io.BytesIO(b"From: a@b\\r\\nNewsgroups: local.test\\r\\nSubject: x\\r\\n\\r\\nx\\r\\n"))
    post_error = None
except nntplib.NNTPError as e:
    post_error = str(e)
print(json.dumps({"refused": refused, "misc": count, "ids": len(ids), "year": d.year, "post_error": post_error}))
s2.quit()
`)) as Record<string, unknown>;
  assert.match(String(out.refused), /^481 /);
  assert.equal(out.misc, 0);
  assert.ok((out.ids as number) >= 1);
  assert.ok((out.year as number) >= 2024);
  assert.match(String(out.post_error), /^480 /);
});
