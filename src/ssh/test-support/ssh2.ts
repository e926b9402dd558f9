// The npm package `ssh2` (a devDependency, without type declarations here) as the interop tests use it:
// only the parts they call, typed loosely.
import { requirePackage } from '../../testing/peers.js';

export interface Ssh2Stream {
  write(data: string | Uint8Array): boolean;
  end(data?: string | Uint8Array): void;
  on(event: string, listener: (...args: any[]) => void): Ssh2Stream;
  stderr: { on(event: 'data', listener: (data: Buffer) => void): unknown; write(data: string | Uint8Array): boolean };
  exit(status: number): void;
  setWindow?(rows: number, cols: number, height: number, width: number): void;
}

export interface Ssh2SFTP {
  readdir(path: string, cb: (err: Error | undefined, list: Array<{ filename: string; longname: string; attrs: { size: number } }>) => void): void;
  readFile(path: string, cb: (err: Error | undefined, data: Buffer) => void): void;
  writeFile(path: string, data: string | Buffer, cb: (err: Error | undefined) => void): void;
  end(): void;
}

export interface Ssh2Client {
  on(event: string, listener: (...args: any[]) => void): Ssh2Client;
  connect(config: Record<string, unknown>): void;
  exec(command: string, cb: (err: Error | undefined, stream: Ssh2Stream) => void): void;
  shell(window: Record<string, unknown> | false, cb: (err: Error | undefined, stream: Ssh2Stream) => void): void;
  sftp(cb: (err: Error | undefined, sftp: Ssh2SFTP) => void): void;
  end(): void;
}

export interface Ssh2ParsedKey {
  type: string;
  getPublicSSH(): Buffer;
  verify(data: Buffer, signature: Buffer, hashAlgo?: string): boolean;
}

export interface Ssh2Server {
  listen(port: number, host: string, cb: () => void): void;
  address(): { port: number };
  close(cb?: () => void): void;
  on(event: string, listener: (...args: any[]) => void): Ssh2Server;
}

export interface Ssh2Module {
  Client: new () => Ssh2Client;
  Server: new (config: Record<string, unknown>, onConnection: (client: any) => void) => Ssh2Server;
  utils: { parseKey(key: string | Buffer): Ssh2ParsedKey | Error; sftp: { STATUS_CODE: Record<string, number>; flagsToString(flags: number): string } };
}

/** Loads `ssh2` (CommonJS) or fails naming the package. */
export async function loadSsh2(): Promise<Ssh2Module> {
  const mod = await requirePackage<{ default?: Ssh2Module } & Ssh2Module>('ssh2', 'the ssh2 interop tests');
  return mod.default ?? mod;
}

/** Runs an ssh2 callback API as a promise. */
export function call<T>(fn: (cb: (err: Error | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}
