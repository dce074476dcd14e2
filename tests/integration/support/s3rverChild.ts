/**
 * An s3rver of our own in a child process, for tests that stop the server
 * under a download and start it again on the same data (the objects persist
 * in `dir`; the port is new each time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { S3RVER_CREDENTIALS } from '../../setup/TestServers';

export interface S3rverChild {
  endpoint: string;
  bucket: string;
  /** Dies at once, mid-response: what a network drop looks like to the client. */
  kill(): Promise<void>;
}

export const s3rverCredentials = S3RVER_CREDENTIALS;

export async function startS3rverChild(dir: string, bucket: string): Promise<S3rverChild> {
  const script = fileURLToPath(new URL('../../setup/s3rverProcess.mjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', script, dir, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`s3rver exited early with code ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
