// A mail server for one domain: `node -C torsion-source --import tsx examples/mail/server.ts [maildir] [smtp] [pop3] [imap]`
// (defaults ./var/mail, tcp:2525, tcp:1110 and tcp:1143 on 127.0.0.1). alice (password secret) has a mailbox: mail to
// alice@example.test lands in her maildir, anyone else at example.test gets 550 5.1.1, other domains 550 5.7.1
// (no open relay).
import { InMemoryUsernamePasswordDatabase, Portal } from 'torsion/cred';
import { reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { APOPChecker, IMAP4Factory, MailDomain, POP3Factory, SMTPFactory } from 'torsion/mail';

const [maildir = './var/mail', smtp = 'tcp:2525:interface=127.0.0.1', pop3 = 'tcp:1110:interface=127.0.0.1', imap = 'tcp:1143:interface=127.0.0.1'] = process.argv.slice(2);
const users = { alice: 'secret' };
const domain = new MailDomain({ domain: 'example.test', root: maildir, users: Object.keys(users) });
const portal = new Portal(domain, [new InMemoryUsernamePasswordDatabase(users), new APOPChecker(users)]);
// Passwords in the clear only because this example has no certificate: give `tls: { key, cert }` instead.
const smtpPort = await serverFromString(reactor, smtp).listen(new SMTPFactory({ hostname: 'mx.example.test', domain: 'example.test', delivery: domain }));
const pop3Port = await serverFromString(reactor, pop3).listen(new POP3Factory({ hostname: 'mx.example.test', portal, allowPlaintextAuth: true }));
const imapPort = await serverFromString(reactor, imap).listen(new IMAP4Factory({ hostname: 'mx.example.test', portal, allowPlaintextAuth: true }));
const portOf = (p: typeof smtpPort): number => (p.getHost() as IPv4Address).port;
console.log(`smtp on ${portOf(smtpPort)}, pop3 on ${portOf(pop3Port)}, imap on ${portOf(imapPort)}`);
reactor.addSystemEventTrigger('after', 'shutdown', () => console.log('mail server stopped'));
await reactor.run();
