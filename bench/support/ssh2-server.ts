// Child process for ssh.bench.ts: an SSH server made with the npm package `ssh2`, as its users write one.
// argv: port, host key file, authorized public key line. Publickey logins for that key (any user name);
// `exec` runs the command with /bin/sh, its stdout piped into the channel. Prints "listening" when ready.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface ParsedKey {
  getPublicSSH(): Buffer;
  verify(data: Buffer, signature: Buffer, hashAlgo?: string): boolean;
}
const ssh2 = createRequire(import.meta.url)('ssh2') as {
  Server: new (config: Record<string, unknown>, onClient: (client: any) => void) => { listen(port: number, host: string, cb: () => void): void };
  utils: { parseKey(key: string): ParsedKey | Error };
};

const [port, hostKeyFile, publicKeyLine] = process.argv.slice(2) as [string, string, string];
const allowed = ssh2.utils.parseKey(publicKeyLine);
if (allowed instanceof Error) throw allowed;

const server = new ssh2.Server({ hostKeys: [readFileSync(hostKeyFile)] }, (client) => {
  client.on('error', () => undefined);
  client.on('authentication', (ctx: any) => {
    if (ctx.method === 'publickey' && Buffer.from(ctx.key.data).equals(allowed.getPublicSSH())) {
      if (ctx.signature === undefined || allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return ctx.accept();
    }
    ctx.reject(['publickey']);
  });
  client.on('ready', () => {
    client.on('session', (accept: () => any) => {
      accept().on('exec', (acceptExec: () => any, _reject: unknown, info: { command: string }) => {
        const stream = acceptExec();
        const child = spawn('/bin/sh', ['-c', info.command], { stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout.pipe(stream, { end: false });
        child.on('close', (code) => {
          stream.exit(code ?? 1);
          stream.end();
        });
      });
    });
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
