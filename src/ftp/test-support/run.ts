/** Running a peer client program to its end, asynchronously (the reactor keeps serving meanwhile). */
import { execFile } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `command` with `args` (at most `timeout` seconds); never rejects: the exit code tells. */
export function run(command: string, args: readonly string[], options: { timeout?: number; input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: (options.timeout ?? 30) * 1000, maxBuffer: 16 * 1024 * 1024, env: options.env ?? { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number | null) ?? 1 : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code: typeof code === 'number' ? code : 1 });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
