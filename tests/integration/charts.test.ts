import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../src/shared/api/charts';
import { decodeChartSeries } from '../../src/shared/charts/chartArrow';
import { callApi, useDemoApp } from '../support/api';

/** The time-series explorer's API over the demo workspace's cached metrics (real warehouse). */
describe('chart API', () => {
  const demo = useDemoApp('dash-charts-');

  it('lists cached metrics and draws one as raw points or M4, whichever the pixels need', async () => {
    const { entries } = await callApi(demo.app, 'chart.catalog', {});
    const energy = entries.find((e) => e.pipelineId === 'energy_meters' && e.metric === 'energy_rate');
    expect(energy).toBeDefined();
    expect(energy!.series).toBeGreaterThan(1);
    const { series } = await callApi(demo.app, 'chart.seriesList', {
      pipelineId: 'energy_meters',
      metrics: ['energy_rate'],
      search: '0001',
      limit: 10,
    });
    expect(series.length).toBeGreaterThan(0);
    expect(series.every((s) => s.includes('0001'))).toBe(true);

    const base = {
      requestId: 'chart-test-1',
      pipelineId: 'energy_meters',
      metrics: ['energy_rate'],
      seriesIds: [],
      fromMs: energy!.fromMs,
      toMs: energy!.toMs + 1,
      bucket: 'auto' as const,
      timeZone: 'Europe/Berlin',
    };
    // Every series over 30 days in 100 px: aggregated, at most 4 points per column and series
    // (the answer is an Arrow stream, read back as the renderer reads it).
    const narrow = decodeChartSeries(await callApi(demo.app, 'chart.series', { ...base, width: 100 }));
    expect(narrow.mode).toBe('m4');
    expect(narrow.rawPoints).toBe(energy!.points);
    for (const s of narrow.series) expect(s.t.length).toBeLessThanOrEqual(4 * 100 + 4);
    // Wide enough for every point: the raw points.
    const wide = decodeChartSeries(await callApi(demo.app, 'chart.series', { ...base, width: 10_000 }));
    expect(wide.mode).toBe('raw');
    expect(wide.series.reduce((n, s) => n + s.t.length, 0)).toBe(energy!.points);
    // The extremes survive: M4's max is the raw max.
    const max = (r: typeof wide) => Math.max(...r.series.flatMap((s) => s.v));
    expect(max(narrow)).toBe(max(wide));

    // Calendar days in the workspace's zone.
    const daily = decodeChartSeries(await callApi(demo.app, 'chart.series', { ...base, width: 500, bucket: 'day' }));
    expect(daily.mode).toBe('calendar');
    expect(daily.rawPoints).toBe(energy!.points);
  });

  it('says what to do when a pipeline has no cached metrics', async () => {
    const reply = await demo.app.api.dispatch('chart.series', {
      requestId: 'chart-test-2',
      pipelineId: 'not_synced',
      metrics: ['x'],
      seriesIds: [],
      fromMs: 0,
      toMs: 1000,
      width: 100,
      timeZone: 'UTC',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'not_found' } });
    if (!reply.ok) expect(reply.error.hint).toMatch(/Sync metrics/);
  });

  it('saves charts as charts/<name>.json, reopens them, and refuses names that leave the folder', async () => {
    const spec: ChartSpec = {
      version: 1,
      source: { kind: 'metrics', pipelineId: 'energy_meters', metrics: ['energy_rate'], seriesIds: ['meter-0001'] },
      type: 'step',
      bucket: 'auto',
      compare: 'previous_week',
      window: { fromMs: 1, toMs: 2 },
    };
    await callApi(demo.app, 'charts.save', { name: 'energy week', spec });
    expect(JSON.parse(await readFile(join(demo.dir, 'charts', 'energy week.json'), 'utf8'))).toEqual(spec);
    expect((await callApi(demo.app, 'charts.list', {})).charts.map((c) => c.name)).toEqual(['energy week']);
    expect(await callApi(demo.app, 'charts.read', { name: 'energy week' })).toEqual({ name: 'energy week', spec });
    for (const name of ['../escape', '..', 'a/b', '.hidden']) {
      const reply = await demo.app.api.dispatch('charts.save', { name, spec });
      expect(reply, name).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await callApi(demo.app, 'charts.delete', { name: 'energy week' })).toEqual({ deleted: true });
    expect((await callApi(demo.app, 'charts.list', {})).charts).toEqual([]);
  });

  it('refuses a crafted saved chart by name, and chart requests with such names', async () => {
    const target = join(demo.dir, 'stolen.csv');
    const crafted = `energy_rate\nCOPY (SELECT 42 AS x) TO '${target}';\n--`;
    const spec = {
      version: 1,
      source: { kind: 'metrics', pipelineId: 'energy_meters', metrics: [crafted], seriesIds: [] },
      type: 'line',
      bucket: 'auto',
      compare: 'none',
      window: null,
    };
    await mkdir(join(demo.dir, 'charts'), { recursive: true });
    await writeFile(join(demo.dir, 'charts', 'crafted.json'), JSON.stringify(spec));
    // Listed (its file name is fine), but never loaded.
    expect((await callApi(demo.app, 'charts.list', {})).charts.map((c) => c.name)).toContain('crafted');
    const read = await demo.app.api.dispatch('charts.read', { name: 'crafted' });
    expect(read).toMatchObject({
      ok: false,
      error: {
        code: 'bad_request',
        message:
          'charts/crafted.json is not a valid saved chart: source.metrics.0: a metric name cannot contain line breaks or other control characters.',
        hint: 'Fix or remove the file.',
      },
    });
    // The same names are refused where they come in as requests.
    const save = await demo.app.api.dispatch('charts.save', { name: 'again', spec });
    expect(save).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(existsSync(join(demo.dir, 'charts', 'again.json'))).toBe(false);
    const series = await demo.app.api.dispatch('chart.series', {
      requestId: 'chart-test-3',
      pipelineId: 'energy_meters',
      metrics: [crafted],
      seriesIds: [],
      fromMs: 0,
      toMs: 1000,
      width: 100,
      timeZone: 'UTC',
    });
    expect(series).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const list = await demo.app.api.dispatch('chart.seriesList', { pipelineId: 'energy_meters', metrics: [crafted] });
    expect(list).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(existsSync(target)).toBe(false);
  });
});
