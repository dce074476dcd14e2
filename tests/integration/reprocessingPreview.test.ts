/**
 * The reprocessing preview and the push through the API, on the tiny demo
 * workspace (real native DuckDB, real embedded PostgreSQL): an unchanged draft
 * previews as unchanged everywhere; a changed formula changes exactly the
 * values a hand count on the server predicts; preview → plan → push makes the
 * server's rows the recomputed rows writing only the changed keys (the delta
 * file), leaves the rest alone and audits it; a push
 * after the server's metrics changed is refused; undo restores.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_PIPELINES } from '../../src/main/services/demo/DemoPipelines';
import { formatFingerprint, rangeFingerprint, rangeSnapshot } from '../../src/main/services/push/rangeFingerprint';
import type { PreviewStartRequest } from '../../src/shared/api/push';
import type { WorkbenchApp } from '../../src/main/services/WorkbenchApp';
import { callApi, demoServerAdmin, finishedJob, saveBucketConnection, useDemoApp } from '../support/api';

const definition = (id: string) => DEMO_PIPELINES.find((p) => p.id === id)!.definition;

/** Starts a reprocessing preview, waits for it to succeed, and returns its summary. */
async function finishedPreview(app: WorkbenchApp, request: PreviewStartRequest) {
  const started = await callApi(app, 'preview.start', request);
  const job = await finishedJob(app, started.jobId);
  expect(job.error).toBeNull();
  expect(job.state).toBe('succeeded');
  return callApi(app, 'preview.result', { previewId: started.previewId });
}

describe('reprocessing preview and push through the API', () => {
  const demo = useDemoApp('dash-preview-');
  let admin: pg.Client;
  let range: { start: string; end: string };

  const preview = (request: Omit<PreviewStartRequest, 'range'> & { range?: typeof range }) =>
    finishedPreview(demo.app, { range, ...request });

  /** The server's rows of a pipeline as sorted text lines (time ISO UTC µs, series, metric, value). */
  async function serverLines(pipelineId: string, where: string): Promise<string[]> {
    const { rows } = await admin.query<{ line: string }>(
      `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ' ' || series_id || ' ' || metric_name
              || ' ' || value::text AS line
       FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND ${where} ORDER BY 1`,
      [pipelineId],
    );
    return rows.map((r) => r.line);
  }

  /** The server's rows of a pipeline as sorted `epoch µs series metric value` lines. */
  async function serverLinesUs(pipelineId: string): Promise<string[]> {
    const { rows } = await admin.query<{ us: string; series_id: string; metric_name: string; value: number }>(
      `SELECT ((extract(epoch FROM time) * 1000000)::bigint)::text AS us, series_id, metric_name, value
       FROM dash.pipeline_metrics WHERE pipeline_id = $1`,
      [pipelineId],
    );
    return rows.map((r) => `${r.us} ${r.series_id} ${r.metric_name} ${Number(r.value)}`).sort();
  }

  /** The same from the local metrics cache (the warehouse's `metrics` view). */
  async function cachedLines(pipelineId: string): Promise<string[]> {
    const rows = await demo.app.workspace
      .warehouse()
      .rows(
        `SELECT epoch_us(time)::VARCHAR AS us, series_id, metric_name, value FROM metrics WHERE pipeline_id = '${pipelineId}'`,
      );
    return rows.map((r) => `${String(r.us)} ${String(r.series_id)} ${String(r.metric_name)} ${Number(r.value)}`).sort();
  }

  /** Each row's physical identity and writing transaction, keyed like serverLines without the value. */
  async function tuples(pipelineId: string): Promise<Map<string, string>> {
    const { rows } = await admin.query<{ k: string; t: string }>(
      `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ' ' || series_id || ' ' || metric_name AS k,
              ctid::text || '/' || xmin::text AS t
       FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND time >= $2 AND time < $3`,
      [pipelineId, range.start, range.end],
    );
    return new Map(rows.map((r) => [r.k, r.t]));
  }

  async function serverVersion(pipelineId: string): Promise<number> {
    const { rows } = await admin.query<{ version: number }>('SELECT version FROM dash.pipelines WHERE id = $1', [
      pipelineId,
    ]);
    return rows[0]!.version;
  }

  /** Previews the unchanged demo definition of a pipeline against the server's current version. */
  async function previewUnchanged(pipelineId: string) {
    const { filter, metrics } = definition(pipelineId);
    return preview({ pipelineId, baseVersion: await serverVersion(pipelineId), filter, metrics });
  }

  beforeAll(async () => {
    admin = new pg.Client(await demoServerAdmin(demo.app));
    await admin.connect();
    await admin.query('SET extra_float_digits = 1');
    const lake = await callApi(demo.app, 'lake.list', {});
    const energy = lake.pipelines.find((p) => p.pipelineId === 'energy_meters')!;
    // Three whole days in the middle of the lake: late records and the previous day are all there.
    const first = Date.parse(`${energy.firstDay!}T00:00:00Z`) + 10 * 86_400_000;
    range = { start: new Date(first).toISOString(), end: new Date(first + 3 * 86_400_000).toISOString() };
  });

  afterAll(async () => {
    await admin?.end();
  });

  it.each(DEMO_PIPELINES.map((p) => p.id))('an unchanged draft of %s previews as all unchanged', async (id) => {
    const summary = await previewUnchanged(id);
    const { rows: n } = await admin.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND time >= $2 AND time < $3',
      [id, range.start, range.end],
    );
    expect(summary.serverRows).toBe(Number(n[0]!.n));
    expect(summary.serverRows).toBeGreaterThan(0);
    expect(summary.totals).toEqual({ added: 0, removed: 0, changed: 0, unchanged: summary.serverRows });
    expect(summary.recomputedRows).toBe(summary.serverRows);
    expect(summary.perMetric.map((m) => m.metricName).sort()).toEqual(
      definition(id)
        .metrics.map((m) => m.name)
        .sort(),
    );
    expect(summary.perDay.map((d) => d.day)).toEqual(
      [0, 1, 2].map((i) => new Date(Date.parse(range.start) + i * 86_400_000).toISOString().slice(0, 10)),
    );
    expect(summary.largestAbsolute).toEqual([]);
  });

  it('a changed formula changes exactly the hand-counted values; a dropped metric is removed', async () => {
    const { rows: series } = await admin.query<{ series_id: string }>(
      `SELECT DISTINCT series_id FROM dash.pipeline_metrics WHERE pipeline_id = 'energy_meters' ORDER BY 1 LIMIT 1`,
    );
    const target = series[0]!.series_id;
    // Expected by hand on the server: power_kw of the target series doubles, so every non-zero value changes.
    const { rows: expected } = await admin.query<{ changed: string; power: string; rate: string }>(
      `SELECT count(*) FILTER (WHERE metric_name = 'power_kw' AND series_id = $2 AND value <> 0)::text AS changed,
              count(*) FILTER (WHERE metric_name = 'power_kw')::text AS power,
              count(*) FILTER (WHERE metric_name = 'energy_rate')::text AS rate
       FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND time >= $3 AND time < $4`,
      ['energy_meters', target, range.start, range.end],
    );
    const changed = Number(expected[0]!.changed);
    const power = Number(expected[0]!.power);
    const rate = Number(expected[0]!.rate);
    expect(changed).toBeGreaterThan(0);

    const summary = await preview({
      pipelineId: 'energy_meters',
      baseVersion: 1,
      filter: "status = 'ok'",
      metrics: [
        {
          name: 'power_kw',
          formula: `if(series_id = '${target}', value * multiplier / 500, value * multiplier / 1000)`,
          unit: 'kW',
        },
      ],
    });
    expect(summary.totals).toEqual({ added: 0, removed: rate, changed, unchanged: power - changed });
    expect(summary.perMetric).toEqual([
      { metricName: 'energy_rate', added: 0, removed: rate, changed: 0, unchanged: 0 },
      { metricName: 'power_kw', added: 0, removed: 0, changed, unchanged: power - changed },
    ]);
    expect(summary.perSeries.find((s) => s.seriesId === target)?.changed).toBe(changed);
    expect(summary.largestAbsolute.length).toBe(Math.min(20, changed));
    for (const c of summary.largestAbsolute) {
      expect(c.seriesId).toBe(target);
      expect(c.recomputed).toBeCloseTo(c.current! * 2, 9);
    }
    const overlay = await callApi(demo.app, 'preview.series', {
      previewId: summary.previewId,
      seriesId: target,
      metricName: 'power_kw',
    });
    // energy_rate rows of the target are all removed, so the power_kw overlay has the target's other rows.
    const targetCounts = summary.perSeries.find((s) => s.seriesId === target)!;
    expect(overlay.points.length).toBe(targetCounts.changed + targetCounts.unchanged);
    expect(overlay.changed.length).toBeGreaterThan(0);
  });

  it('preview → plan → push: the range holds exactly the recomputed rows, the rest is untouched, audited; undo restores', async () => {
    const id = 'temperature_sensors';
    const def = definition(id);
    const baseVersion = await serverVersion(id);
    const summary = await preview({
      pipelineId: id,
      baseVersion,
      filter: def.filter,
      metrics: def.metrics.map((m) => (m.name === 'temperature_c' ? { ...m, formula: 'temperature_c + 0.5' } : m)),
    });
    expect(summary.totals.changed).toBeGreaterThan(0);

    const plan = await callApi(demo.app, 'push.plan', { previewId: summary.previewId });
    expect(plan).toMatchObject({
      serverVersion: baseVersion,
      newVersion: baseVersion + 1,
      mode: 'plain',
      definitionChanged: true,
    });
    expect(plan.server.embedded).toBe(true);
    // Only temperature_c's values change: the plan says how many, exactly, and only those rows are written.
    expect(plan.values).toEqual({
      added: 0,
      removed: 0,
      changed: summary.totals.changed,
      unchanged: summary.totals.unchanged,
    });
    expect(plan.values.unchanged).toBeGreaterThan(0);
    expect(plan.rowsToDelete).toBe(plan.values.changed);
    expect(plan.rowsToInsert).toBe(plan.values.changed);
    expect(plan.days.reduce((n, d) => n + d.values.changed, 0)).toBe(plan.values.changed);
    const cachedBefore = await cachedLines(id);
    expect(cachedBefore).toEqual(await serverLinesUs(id));

    const inRange = `time >= '${range.start}' AND time < '${range.end}'`;
    const before = await serverLines(id, inRange);
    const tuplesBefore = await tuples(id);
    const outsideBefore = await serverLines(id, `NOT (${inRange})`);
    const pushed = await callApi(demo.app, 'push.run', {
      previewId: summary.previewId,
      comment: 'integration test',
      credentials: { kind: 'embedded', confirmed: true },
    });
    const job = await finishedJob(demo.app, pushed.jobId);
    expect(job.error).toBeNull();

    // The delta file holds exactly the changed keys; the server's rows in the range are the old ones with it applied.
    const file = await readFile(join(demo.app.workspace.cacheDir, 'previews', summary.previewId, 'delta.tsv'), 'utf8');
    const delta = new Map<string, number>(
      file
        .trim()
        .split('\n')
        .map((l) => {
          const [t, s, m, val] = l.split('\t');
          return [`${t!.replace(/Z$/, '').padEnd(26, '0')}Z ${s} ${m}`, Number(val)];
        }),
    );
    expect(delta.size).toBe(plan.values.changed);
    const keyOfLine = (l: string) => l.replace(/ \S+$/, '');
    const numeric = (l: string) => l.replace(/ (\S+)$/, (_m, x: string) => ` ${Number(x)}`);
    const expected = before
      .map((l) => (delta.has(keyOfLine(l)) ? `${keyOfLine(l)} ${delta.get(keyOfLine(l))}` : numeric(l)))
      .sort();
    const after = await serverLines(id, inRange);
    expect(after.map(numeric).sort()).toEqual(expected);
    expect(after).not.toEqual(before);
    // Rows whose value did not change were not written: the same tuple, by the same transaction.
    const tuplesAfter = await tuples(id);
    const untouched = [...tuplesBefore].filter(([k]) => !delta.has(k));
    expect(untouched.length).toBe(plan.values.unchanged);
    for (const [k, t] of untouched) expect(tuplesAfter.get(k)).toBe(t);
    expect(await serverLines(id, `NOT (${inRange})`)).toEqual(outsideBefore);

    const { pushes } = await callApi(demo.app, 'push.history', { pipelineId: id });
    expect(pushes[0]).toMatchObject({
      pushId: pushed.pushId,
      baseVersion,
      pipelineVersion: baseVersion + 1,
      rowsReplaced: plan.values.changed,
      rowsInserted: plan.values.changed,
      comment: 'integration test',
      undoOf: null,
      undoneBy: null,
      values: plan.values,
    });
    // The local metrics cache follows: the push re-synced the cached days it touched, and only those.
    const resync = (await callApi(demo.app, 'jobs.list', {})).jobs.filter((j) => j.kind === 'sync.metrics');
    expect(resync.length).toBe(1);
    expect((await finishedJob(demo.app, resync[0]!.jobId)).error).toBeNull();
    expect(await cachedLines(id)).toEqual(await serverLinesUs(id));
    expect(await cachedLines(id)).not.toEqual(cachedBefore);
    expect((await callApi(demo.app, 'sync.status', {})).pipelines.every((p) => p.stale.length === 0)).toBe(true);
    expect((await callApi(demo.app, 'preview.result', { previewId: summary.previewId })).push?.pushId).toBe(
      pushed.pushId,
    );

    // A retry of the same push (its reply lost) is recognised, not applied twice.
    const retry = await callApi(demo.app, 'push.run', {
      previewId: summary.previewId,
      credentials: { kind: 'embedded', confirmed: true },
    });
    expect(retry.pushId).toBe(pushed.pushId);
    expect((await finishedJob(demo.app, retry.jobId)).state).toBe('succeeded');
    expect((await callApi(demo.app, 'preview.result', { previewId: summary.previewId })).push?.alreadyApplied).toBe(
      true,
    );
    expect((await callApi(demo.app, 'push.history', { pipelineId: id })).pushes.length).toBe(pushes.length);

    const undo = await callApi(demo.app, 'push.undo', {
      pushId: pushed.pushId,
      credentials: { kind: 'embedded', confirmed: true },
    });
    expect((await finishedJob(demo.app, undo.jobId)).error).toBeNull();
    expect(await serverLines(id, inRange)).toEqual(before);
    const resyncs = (await callApi(demo.app, 'jobs.list', {})).jobs.filter((j) => j.kind === 'sync.metrics');
    expect(resyncs.length).toBe(2);
    for (const j of resyncs) expect((await finishedJob(demo.app, j.jobId)).error).toBeNull();
    expect(await cachedLines(id)).toEqual(cachedBefore);
    const history = (await callApi(demo.app, 'push.history', { pipelineId: id })).pushes;
    expect(history[0]).toMatchObject({ pushId: undo.pushId, undoOf: pushed.pushId, pipelineVersion: baseVersion + 2 });
    expect(history[1]).toMatchObject({ pushId: pushed.pushId, undoneBy: undo.pushId });
  });

  it("refuses a push when the server's metrics changed since the preview, and says to preview again", async () => {
    const id = 'payment_events';
    const summary = await previewUnchanged(id);
    await admin.query(
      `UPDATE dash.pipeline_metrics SET value = value + 1
       WHERE ctid = (SELECT ctid FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND time >= $2 AND time < $3 LIMIT 1)`,
      [id, range.start, range.end],
    );
    const pushed = await callApi(demo.app, 'push.run', {
      previewId: summary.previewId,
      credentials: { kind: 'embedded', confirmed: true },
    });
    const job = await finishedJob(demo.app, pushed.jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/changed since your preview/);
    const { rows } = await admin.query('SELECT 1 FROM dash.metric_pushes WHERE push_id = $1', [pushed.pushId]);
    expect(rows).toEqual([]);
  });

  it('refuses a push when the pipeline was edited on the server since the preview; the plan warns first', async () => {
    const id = 'energy_meters';
    const summary = await previewUnchanged(id);
    // Someone else saves a new version meanwhile.
    await admin.query(`UPDATE dash.pipelines SET version = version + 1, updated_by = 'colleague' WHERE id = $1`, [id]);
    try {
      const plan = await callApi(demo.app, 'push.plan', { previewId: summary.previewId });
      expect(plan.warnings[0]).toMatch(/will be refused/);
      const pushed = await callApi(demo.app, 'push.run', {
        previewId: summary.previewId,
        credentials: { kind: 'embedded', confirmed: true },
      });
      const job = await finishedJob(demo.app, pushed.jobId);
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(/changed on the server since your preview.*colleague/);
    } finally {
      await admin.query('UPDATE dash.pipelines SET version = version - 1 WHERE id = $1', [id]);
    }
  });

  it("rangeSnapshot writes the server's rows with the range fingerprint of exactly those rows", async () => {
    const file = join(demo.dir, 'snapshot.tsv');
    const snap = await rangeSnapshot(admin, 'energy_meters', range, file);
    const check = await rangeFingerprint(admin, 'energy_meters', range);
    expect(snap).toEqual({ checksum: formatFingerprint(check), rows: check.rows });
    expect(snap.checksum).toMatch(/^xor64:\d+:[0-9a-f]{16}$/);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.length).toBe(check.rows);
    const asServer = lines.map((l) => {
      const [m, s, t, v] = l.split('\t');
      return `${t} ${s} ${m} ${v}`;
    });
    expect(asServer.sort()).toEqual(
      (await serverLines('energy_meters', `time >= '${range.start}' AND time < '${range.end}'`)).sort(),
    );
  });

  it('wrong write credentials are named, and nothing is written', async () => {
    const id = 'payment_events';
    const summary = await previewUnchanged(id);
    const pushed = await callApi(demo.app, 'push.run', {
      previewId: summary.previewId,
      credentials: { kind: 'password', user: 'nobody', password: 'wrong' },
    });
    const job = await finishedJob(demo.app, pushed.jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/refused the user "nobody"|nobody/);
  });
});

describe('a reprocessing preview on an S3/R2 lake', () => {
  const servers = inject('servers');
  const demo = useDemoApp('dash-preview-s3-');

  it('caches the Bronze days the range needs first (the day before, the range, 3 days of late records), then diffs', async () => {
    await saveBucketConnection(demo.app, 'bronze-bucket', 'Bronze bucket', servers.s3);
    await callApi(demo.app, 'workspace.setLake', { driver: 's3', connectionId: 'bronze-bucket' });
    const lake = await callApi(demo.app, 'lake.list', {});
    const energy = lake.pipelines.find((p) => p.pipelineId === 'energy_meters')!;
    const first = Date.parse(`${energy.firstDay!}T00:00:00Z`) + 10 * 86_400_000;
    const range = { start: new Date(first).toISOString(), end: new Date(first + 2 * 86_400_000).toISOString() };
    const def = definition('energy_meters');

    const summary = await finishedPreview(demo.app, {
      pipelineId: 'energy_meters',
      baseVersion: 1,
      filter: def.filter,
      metrics: def.metrics,
      range,
    });
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(summary.bronzeDays).toEqual({
      first: day(first - 86_400_000),
      last: day(first + 4 * 86_400_000),
      lateDays: 3,
    });
    const cached = (await callApi(demo.app, 'cache.list', {})).entries.map((e) => /date=([\d-]+)/.exec(e.key)![1]!);
    expect(summary.filesCached).toBe(cached.length);
    expect([...new Set(cached)].sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => day(first + (i - 1) * 86_400_000)));
    expect(summary.serverRows).toBeGreaterThan(0);
    expect(summary.totals).toEqual({ added: 0, removed: 0, changed: 0, unchanged: summary.serverRows });
  });
});

describe('a damaged Bronze file in the demo lake', () => {
  const demo = useDemoApp('dash-preview-damaged-');

  it('is named and left out of SQL, the editor’s sample and the reprocessing preview; the rest answers; a push is refused', async () => {
    const lake = await callApi(demo.app, 'lake.list', {});
    const energy = lake.pipelines.find((p) => p.pipelineId === 'energy_meters')!;
    const first = Date.parse(`${energy.firstDay!}T00:00:00Z`) + 10 * 86_400_000;
    const range = { start: new Date(first).toISOString(), end: new Date(first + 2 * 86_400_000).toISOString() };
    const dayDir = join(demo.dir, 'lake', 'bronze', 'energy_meters', `date=${range.start.slice(0, 10)}`);
    const countBefore = Number(
      (await demo.app.workspace.warehouse().rows('SELECT count(*)::DOUBLE AS n FROM bronze.energy_meters'))[0]!.n,
    );

    // A file with both Parquet markers whose metadata is garbage: DuckDB's own error would not name it.
    const good = await readFile(
      join(
        dayDir,
        (await readdir(dayDir)).find((f) => f.endsWith('.parquet'))!,
      ),
    );
    const damaged = Buffer.from(good);
    const length = damaged.readUInt32LE(damaged.length - 8);
    for (let i = damaged.length - 8 - length; i < damaged.length - 8; i++) damaged[i] = (i * 37) & 0xff;
    const damagedPath = join(dayDir, 'batch-9999.parquet');
    await writeFile(damagedPath, damaged);
    await demo.app.workspace.remountViews();
    const key = `bronze/energy_meters/date=${range.start.slice(0, 10)}/batch-9999.parquet`;
    const named = [{ key, path: damagedPath, reason: expect.stringMatching(/metadata|points outside/) }];

    // SQL over the pipeline's view: every good file's rows, and the damaged one named.
    const meta = await callApi(demo.app, 'query.run', {
      queryId: 'damaged-count',
      sql: 'SELECT count(*)::DOUBLE AS n FROM bronze.energy_meters',
    });
    expect(meta.skippedFiles).toEqual(named);
    const chunk = await callApi(demo.app, 'results.chunk', { resultId: meta.resultId, chunk: 0 });
    expect(Number(tableFromIPC(chunk).get(0)!.toJSON().n)).toBe(countBefore);

    // The pipeline editor's options and sample.
    const options = await callApi(demo.app, 'preview.options', { pipelineId: 'energy_meters' });
    expect(options.skippedFiles).toEqual(named);
    const picked = options.series.slice(0, 2);
    const sample = await callApi(demo.app, 'preview.sample', {
      pipelineId: 'energy_meters',
      seriesIds: picked.map((s) => s.seriesId),
      from: range.start,
      to: range.end,
      queryId: 'damaged-sample',
    });
    expect(sample.rowCount).toBeGreaterThan(0);
    expect(sample.skippedFiles).toEqual(named);

    // The reprocessing preview over the damaged day still runs, says which file it left out, and cannot be pushed.
    const def = definition('energy_meters');
    const summary = await finishedPreview(demo.app, {
      pipelineId: 'energy_meters',
      baseVersion: 1,
      filter: def.filter,
      metrics: def.metrics,
      range,
    });
    expect(summary.skippedFiles).toEqual(named);
    expect(summary.serverRows).toBeGreaterThan(0);
    expect(summary.totals).toEqual({ added: 0, removed: 0, changed: 0, unchanged: summary.serverRows });
    const plan = await callApi(demo.app, 'push.plan', { previewId: summary.previewId, includeDefinition: false });
    expect(plan.warnings[0]).toMatch(/damaged Bronze files.*push will be refused/);
    const push = await demo.app.api.dispatch('push.run', {
      previewId: summary.previewId,
      comment: 'should be refused',
      credentials: { kind: 'embedded', confirmed: true },
    });
    expect(push).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(key) } });
    // The user's file is untouched.
    expect((await readFile(damagedPath)).equals(damaged)).toBe(true);
  });
});
