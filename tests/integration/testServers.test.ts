import { join, relative, sep } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { listFiles, testS3Client } from '../setup/TestServers';

async function lakeKeys(lakeDir: string): Promise<string[]> {
  return (await listFiles(join(lakeDir, 'bronze')))
    .filter((path) => path.endsWith('.parquet'))
    .map((path) => relative(lakeDir, path).split(sep).join('/'))
    .sort();
}

describe('the test servers', () => {
  const servers = inject('servers');

  it('serve the demo Bronze lake from a real S3 API, page by page', async () => {
    const s3 = testS3Client(servers.s3);
    try {
      const keys: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: servers.s3.bucket,
            Prefix: 'bronze/',
            MaxKeys: 50,
            ContinuationToken: token,
          }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
        pages++;
      } while (token);
      expect(pages).toBeGreaterThan(1);
      expect(keys.sort()).toEqual(await lakeKeys(servers.lakeDir));
      expect(keys.every((k) => /^bronze\/[a-z_]+\/date=\d{4}-\d{2}-\d{2}\/[^/]+\.parquet$/.test(k))).toBe(true);
    } finally {
      s3.destroy();
    }
  });

  it('serve the contract schema and demo metrics from a real PostgreSQL', async () => {
    const client = new pg.Client(servers.postgres);
    await client.connect();
    try {
      const pipelines = await client.query<{ id: string }>('SELECT id FROM dash.pipelines ORDER BY id');
      expect(pipelines.rows.map((r) => r.id)).toEqual(['energy_meters', 'payment_events', 'temperature_sensors']);
      const metrics = await client.query<{ n: string }>('SELECT count(*) AS n FROM dash.pipeline_metrics');
      expect(Number(metrics.rows[0]!.n)).toBeGreaterThan(1000);
    } finally {
      await client.end();
    }
  });
});
