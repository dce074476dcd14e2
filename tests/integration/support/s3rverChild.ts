/**
 * An s3rver of our own in a child process, for tests that stop the server
 * under a download and start it again on the same data (the objects persist
 * in `dir`; the port is new each time).
 */
import { S3RVER_CREDENTIALS, startS3rver } from '../../setup/TestServers';

export interface S3rverChild {
  endpoint: string;
  bucket: string;
  /** Dies at once, mid-response: what a network drop looks like to the client. */
  kill(): Promise<void>;
}

export const s3rverCredentials = S3RVER_CREDENTIALS;

export async function startS3rverChild(dir: string, bucket: string): Promise<S3rverChild> {
  const { child, port } = await startS3rver(dir, bucket);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
