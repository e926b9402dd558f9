// Reads alice's mailbox over POP3, prints each message's subject and, with `--delete`, deletes them:
// `node -C torsion-source --import tsx examples/mail/read.ts PORT [--delete]`.
import { ClientFactory, reactor } from 'torsion/internet';
import { POP3Client } from 'torsion/mail';

const [port = '1110', flag] = process.argv.slice(2);
const client = new POP3Client();
reactor.connectTCP('127.0.0.1', Number(port), new (class extends ClientFactory<POP3Client> {
  override buildProtocol() {
    return client;
  }
})());
await client.greeting;
await client.apop('alice', 'secret'); // the password itself never crosses the wire
const sizes = await client.listSize();
console.log(`${sizes.length} messages`);
for (let i = 0; i < sizes.length; i++) {
  const head = Buffer.from(await client.top(i, 0)).toString('utf8');
  console.log(`${i + 1}: ${/^Subject: (.*)$/im.exec(head)?.[1] ?? '(no subject)'} (${sizes[i]} bytes)`);
  if (flag === '--delete') await client.delete(i);
}
await client.quit(); // deletions happen now, not before
reactor.stop();
