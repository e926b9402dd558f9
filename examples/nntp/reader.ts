// A news reader: `node -C torsion-source --import tsx examples/nntp/reader.ts [endpoint] [group]`
// (defaults tcp:127.0.0.1:1119 and local.test). It posts one article, then lists the group's overview and
// prints the newest article's body.
import { clientFromString, connectProtocol, reactor } from 'torsion/internet';
import { NNTPClient, NNTPReplyError } from 'torsion/nntp';

const endpoint = process.argv[2] ?? 'tcp:127.0.0.1:1119';
const group = process.argv[3] ?? 'local.test';

const client = await connectProtocol(clientFromString(reactor, endpoint), new NNTPClient());
try {
  const greeting = await client.greeting;
  console.log(`server: ${greeting.status} ${greeting.text}`);
  const posted = await client.post(['From: reader@example.org', `Newsgroups: ${group}`, 'Subject: Hello from Torsion', '', '.a line starting with a dot', 'and another', ''].join('\r\n'));
  console.log(`posted: ${posted}`);
  const g = await client.group(group);
  console.log(`${g.name}: ${g.count} articles, ${g.low}-${g.high}`);
  for (const o of await client.over(`${g.low}-${g.high}`)) console.log(`  ${o.number} ${o.subject} (${o.from}, ${o.lines} lines)`);
  const newest = await client.body(g.high);
  console.log(`body of ${newest.messageId}:`);
  for (const line of newest.text.split('\r\n').slice(0, -1)) console.log(`  | ${line}`);
  await client.quit();
} catch (e) {
  console.error(e instanceof NNTPReplyError ? `server said: ${e.message}` : e);
  process.exitCode = 1;
}
