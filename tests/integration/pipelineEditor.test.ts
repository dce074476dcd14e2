import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleSql } from '../../src/main/services/pipelines/PreviewSample';
import { previewCompileSchema, previewStatements } from '../../src/renderer/features/pipelines/previewSql';
import { PreviewSampleRequest } from '../../src/shared/api/drafts';
import { compilePipeline, type PipelineDraft } from '../../src/shared/formula';
import { quoteIdent } from '../../src/shared/sql';
import { NodeWasmEngine } from '../support/NodeWasmEngine';
import { callApi, useDemoApp } from '../support/api';

describe('the pipeline editor: drafts as workspace files, and the live preview sample', () => {
  const demo = useDemoApp('dash-pipeline-editor-');

  it('saves a draft as pipelines/<id>.draft.json with its base version, lists, reads and deletes it', async () => {
    expect(await callApi(demo.app, 'drafts.list', {})).toEqual({ drafts: [] });
    expect(await callApi(demo.app, 'drafts.read', { pipelineId: 'energy_meters' })).toEqual({ draft: null });
    const saved = await callApi(demo.app, 'drafts.save', {
      pipelineId: 'energy_meters',
      baseVersion: 1,
      filter: "status = 'ok'",
      metrics: [{ name: 'power_w', formula: 'value * multiplier', unit: 'W' }],
    });
    const onDisk = JSON.parse(
      await readFile(join(demo.dir, 'pipelines', 'energy_meters.draft.json'), 'utf8'),
    ) as unknown;
    expect(onDisk).toEqual(saved);
    expect(saved).toMatchObject({ pipelineId: 'energy_meters', baseVersion: 1, filter: "status = 'ok'" });
    expect(await callApi(demo.app, 'drafts.read', { pipelineId: 'energy_meters' })).toEqual({ draft: saved });
    expect(await callApi(demo.app, 'drafts.list', {})).toEqual({
      drafts: [{ pipelineId: 'energy_meters', baseVersion: 1, savedAt: saved.savedAt }],
    });
    expect(await callApi(demo.app, 'drafts.delete', { pipelineId: 'energy_meters' })).toEqual({ deleted: true });
    expect(await callApi(demo.app, 'drafts.delete', { pipelineId: 'energy_meters' })).toEqual({ deleted: false });
    expect(await callApi(demo.app, 'drafts.list', {})).toEqual({ drafts: [] });
  });

  it('refuses pipeline ids that would leave the pipelines folder, and says what is wrong with a broken file', async () => {
    for (const pipelineId of ['../escape', 'a/b', '..', '.hidden', 'a\\b', '', 'x'.repeat(200)]) {
      const reply = await demo.app.api.dispatch('drafts.save', {
        pipelineId,
        baseVersion: 1,
        filter: null,
        metrics: [],
      });
      expect(reply, pipelineId).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    await writeFile(join(demo.dir, 'pipelines', 'temperature_sensors.draft.json'), '{"pipelineId": 3', 'utf8');
    const broken = await demo.app.api.dispatch('drafts.read', { pipelineId: 'temperature_sensors' });
    expect(broken).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    if (!broken.ok) expect(broken.error.message).toContain('temperature_sensors.draft.json');
    // The broken file costs that draft only.
    expect(await callApi(demo.app, 'drafts.list', {})).toEqual({ drafts: [] });
  });

  it('offers the cached Bronze columns and series, and a sample the in-app engine computes like the warehouse', async () => {
    const options = await callApi(demo.app, 'preview.options', { pipelineId: 'energy_meters' });
    const names = options.columns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['series_id', 'ts', 'value', 'multiplier', 'status', 'energy_kwh']));
    expect(options.series.length).toBeGreaterThan(2);
    const picked = options.series.slice(0, 2);
    const from = new Date(Math.min(...picked.map((s) => s.first))).toISOString();
    const to = new Date(Math.max(...picked.map((s) => s.last)) + 1).toISOString();
    const seriesIds = picked.map((s) => s.seriesId);
    const meta = await callApi(demo.app, 'preview.sample', {
      pipelineId: 'energy_meters',
      seriesIds,
      from,
      to,
      queryId: 'sample-1',
    });
    expect(meta.rowCount).toBe(picked.reduce((n, s) => n + s.records, 0));

    const missing = await demo.app.api.dispatch('preview.options', { pipelineId: 'no_such_pipeline' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    if (!missing.ok) expect(missing.error.hint).toMatch(/Cache/);

    // The preview path: the sample's Arrow chunks into DuckDB-WASM, the compiled draft run there and on the warehouse.
    const wasm = await NodeWasmEngine.start();
    try {
      for (let c = 0; c < meta.chunkCount; c++) {
        wasm.insertArrow(
          'sample_1',
          await callApi(demo.app, 'results.chunk', { resultId: meta.resultId, chunk: c }),
          c === 0,
        );
      }
      await callApi(demo.app, 'results.release', { resultId: meta.resultId });
      expect(Number(wasm.query('SELECT count(*) AS n FROM sample_1').getChild('n')?.get(0))).toBe(meta.rowCount);

      // The editor's statements over the sample on both engines: same counts and sums (the preview's checksum).
      const draft: PipelineDraft = {
        filter: "status = 'ok'",
        metrics: [
          { name: 'power_kw', formula: 'value * multiplier / 1000', unit: 'kW' },
          { name: 'energy_rate', formula: 'rate(energy_kwh, 1h)', unit: 'kWh/h' },
        ],
      };
      const names = draft.metrics.map((m) => m.name);
      const statements = (source: string, table: string) =>
        previewStatements(
          compilePipeline(draft, previewCompileSchema(draft, options.columns), source, { ordered: false }),
          table,
          names,
        );
      const wasmAnswers = statements(quoteIdent('sample_1'), 'preview_1').map((sql) => wasm.query(sql));
      const wasmStats = Object.values(wasmAnswers[2]!.toArray()[0]!.toJSON()).map(Number);

      const warehouse = demo.app.workspace.warehouse();
      const request = PreviewSampleRequest.parse({ pipelineId: 'energy_meters', seriesIds, from, to, queryId: 'x' });
      await warehouse.exec(
        `CREATE OR REPLACE TABLE main.preview_sample_test AS ${sampleSql(request, options.columns)}`,
      );
      const nativeAnswers = [];
      for (const sql of statements('main.preview_sample_test', 'preview_native'))
        nativeAnswers.push(await warehouse.rows(sql));
      await warehouse.exec('DROP TABLE main.preview_sample_test; DROP TABLE preview_native');
      const nativeStats = Object.values(nativeAnswers[2]![0]!).map(Number);

      expect(wasmStats[0]).toBeGreaterThan(0);
      expect(wasmStats.length).toBe(1 + 4 * names.length);
      for (let i = 0; i < wasmStats.length; i++) expect(nativeStats[i]!, `stat ${i}`).toBeCloseTo(wasmStats[i]!, 6);
      // The same first rows and chart points, in the same order.
      expect(nativeAnswers[1]!.length).toBe(wasmAnswers[1]!.numRows);
      expect(nativeAnswers[3]!.length).toBe(wasmAnswers[3]!.numRows);
    } finally {
      wasm.close();
    }
  });
});
