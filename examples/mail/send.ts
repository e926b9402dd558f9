// Sends one message: `node -C torsion-source --import tsx examples/mail/send.ts PORT [to] [subject]`.
import { sendmail } from 'torsion/mail';

const [port = '2525', to = 'alice@example.test', subject = 'Hello'] = process.argv.slice(2);
const message = `From: bob@example.net\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nSent with torsion/mail.\r\n`;
try {
  const result = await sendmail('127.0.0.1', 'bob@example.net', [to], message, { port: Number(port), startTLS: false });
  console.log(`accepted: ${result.accepted.join(', ')} (${result.response})`);
} catch (e) {
  console.log(`refused: ${(e as Error).message}`);
  process.exitCode = 1;
}
