// An FTP client session: `node -C torsion-source --import tsx examples/ftp/client.ts HOST PORT USER PASSWORD`.
// Uploads a note, lists the folder (MLSD when the server has it, LIST otherwise), reads the note back.
import { connectFTP } from 'torsion/ftp';
import { react, reactor } from 'torsion/internet';

const [host = '127.0.0.1', port = '2121', user = 'alice', password = 'secret'] = process.argv.slice(2);

await react(async () => {
  const ftp = await connectFTP(reactor, host, Number(port));
  await ftp.login(user, password);
  await ftp.storeBytes('note.txt', `written by ${user}\n`);
  const features = await ftp.features();
  const files = [...features].some((f) => f.startsWith('MLST')) ? await ftp.mlsd() : await ftp.list();
  for (const f of files) console.log(`${f.type.padEnd(4)} ${String(f.size).padStart(6)} ${f.name}`);
  const note = await ftp.retrieveBytes('note.txt');
  console.log(`note.txt says: ${new TextDecoder().decode(note).trim()}`);
  await ftp.quit();
});
