// Reads alice's INBOX over IMAP: prints each message's UID and subject and, with `--seen`, marks them read:
// `node -C torsion-source --import tsx examples/mail/imap-read.ts PORT [--seen]`.
import { ClientFactory, reactor } from 'torsion/internet';
import { IMAP4Client } from 'torsion/mail';

const [port = '1143', flag] = process.argv.slice(2);
const client = new IMAP4Client();
reactor.connectTCP('127.0.0.1', Number(port), new (class extends ClientFactory<IMAP4Client> {
  override buildProtocol() {
    return client;
  }
})());
await client.greeting;
await client.login('alice', 'secret'); // over TLS in real life: this example's server has no certificate
const box = await client.select('INBOX');
console.log(`${box.exists} messages, ${(await client.search('UNSEEN')).length} unseen`);
if (box.exists > 0) {
  for (const m of await client.fetch('1:*', '(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])')) {
    const header = m.attributes.get('BODY[HEADER.FIELDS (SUBJECT)]');
    const subject = header?.type === 'string' ? /^Subject: (.*)$/im.exec(Buffer.from(header.value).toString('utf8'))?.[1] : undefined;
    const uid = m.attributes.get('UID');
    console.log(`${uid?.type === 'atom' ? uid.value : '?'}: ${subject ?? '(no subject)'}`);
  }
  if (flag === '--seen') await client.store('1:*', '+', ['\\Seen']);
}
await client.logout();
reactor.stop();
