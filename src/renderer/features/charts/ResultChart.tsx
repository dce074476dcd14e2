/**
 * A SQL result drawn as a chart, next to its grid: the data stays in the
 * DuckDB-WASM working set and is aggregated there with the same M4 SQL as the
 * warehouse's. A brushed time range becomes the grid's filter on that column.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ColumnInfo } from '../../../shared/api/contract';
import type { ChartSource } from '../../../shared/charts/m4Sql';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import type { WasmEngine } from '../../engine/WasmEngine';
import type { ColumnFilter } from '../../../shared/gridView';
import { shortType } from '../../workbench/format';
import { request } from '../../workbench/intents';
import { ChartPanel } from './ChartPanel';
import { wallText } from './chartFormat';
import { updateResultChart, useChartStore } from './chartStore';
import type { ChartWindow } from './TimeSeriesChart';

const TIME_TYPES = new Set(['timestamptz', 'timestamp', 'date']);
const NUMBER_TYPES = new Set(['double', 'float', 'bigint', 'int', 'smallint', 'tinyint', 'hugeint', 'ubigint', 'uint']);

export function timeColumns(columns: readonly ColumnInfo[]): ColumnInfo[] {
  return columns.filter((c) => TIME_TYPES.has(shortType(c.type)));
}

function valueColumns(columns: readonly ColumnInfo[]): ColumnInfo[] {
  return columns.filter((c) => NUMBER_TYPES.has(shortType(c.type)) || shortType(c.type).startsWith('decimal'));
}

/** The "Chart" toggle for the SQL toolbar: shown only when the result has a time column. */
export function ResultChartToggle({ tabId, columns }: { tabId: string; columns: readonly ColumnInfo[] }) {
  const open = useChartStore((s) => s.results[tabId]?.open ?? false);
  if (timeColumns(columns).length === 0 || valueColumns(columns).length === 0) return null;
  return (
    <button
      type="button"
      className={`header-button${open ? ' active' : ''}`}
      data-testid="result-chart-toggle"
      aria-pressed={open}
      title="Draw the result as a time-series chart above the grid"
      onClick={() => updateResultChart(tabId, { open: !open })}
    >
      Chart
    </button>
  );
}

export function ResultChart(props: {
  tabId: string;
  engine: WasmEngine | null;
  tableName: string;
  columns: ColumnInfo[];
  rowCount: number;
  timeZone: string;
}) {
  const { tabId, engine, tableName, columns } = props;
  const state = useChartStore((s) => s.results[tabId]);
  const times = timeColumns(columns);
  const values = valueColumns(columns).filter((c) => c.name !== state?.timeColumn);
  const splitOptions = columns.filter((c) => shortType(c.type) === 'text');
  const time = times.find((c) => c.name === state?.timeColumn) ?? times[0]!;
  const chosen = (state?.valueColumns ?? []).filter((n) => values.some((v) => v.name === n));
  const plotted = chosen.length ? chosen : values.slice(0, 1).map((c) => c.name);
  const [split, setSplit] = useState<string>(() => splitOptions.find((c) => c.name === 'series_id')?.name ?? '');
  const [bucket, setBucket] = useState<'auto' | 'hour' | 'day' | 'week'>('auto');
  const [window, setWindow] = useState<ChartWindow | null>(null);
  const [extent, setExtent] = useState<ChartWindow | null>(null);
  const zoned = shortType(time.type) === 'timestamptz';
  // Plain TIMESTAMP columns have no zone: the grid shows them as they are, and so does the chart.
  const timeZone = zoned ? props.timeZone : 'UTC';

  const source: ChartSource = useMemo(() => {
    const t = shortType(time.type) === 'date' ? `CAST(${quoteIdent(time.name)} AS TIMESTAMP)` : quoteIdent(time.name);
    const key = (col: string) =>
      split
        ? `${quoteLiteral(`${col} · `)} || coalesce(CAST(${quoteIdent(split)} AS VARCHAR), 'null')`
        : quoteLiteral(col);
    const parts = plotted.map(
      (col) =>
        `SELECT ${t} AS chart_time, ${key(col)} AS chart_key, CAST(${quoteIdent(col)} AS DOUBLE) AS chart_value FROM ${quoteIdent(tableName)}`,
    );
    return {
      relation: `(${parts.join(' UNION ALL ')}) AS chart_rows`,
      timeColumn: 'chart_time',
      valueSql: 'chart_value',
      keySql: 'chart_key',
    };
  }, [time.name, time.type, plotted.join('\u0001'), split, tableName]);

  // The whole range of the time column, from the grid engine's profile (epoch µs).
  useEffect(() => {
    if (!engine) return;
    let live = true;
    const kind = shortType(time.type) === 'date' ? 'date' : 'timestamp';
    void engine.profile(tableName, '', time.name, kind).then((p) => {
      if (!live || typeof p.min !== 'number' || typeof p.max !== 'number') return;
      setExtent({ fromMs: p.min / 1000, toMs: p.max / 1000 + 1 });
      setWindow(null);
    });
    return () => {
      live = false;
    };
  }, [engine, tableName, time.name, time.type, props.rowCount]);

  const filterToRange = (range: ChartWindow | null) => {
    const kind = shortType(time.type) === 'date' ? 'date' : 'timestamp';
    const text = (ms: number) => (kind === 'date' ? wallText(ms, 'UTC').slice(0, 10) : wallText(ms, timeZone));
    const added: ColumnFilter[] = range
      ? [
          { column: time.name, kind, op: 'gt', value: text(range.fromMs - 0.001) },
          { column: time.name, kind, op: 'lt', value: text(range.toMs + 0.001) },
        ]
      : [];
    // The range replaces an earlier one: other filters of the grid stay.
    request('grid.filter', {
      gridKey: tabId,
      columns,
      change: (filters) => [
        ...filters.filter((f) => !(f.column === time.name && (f.op === 'gt' || f.op === 'lt'))),
        ...added,
      ],
    });
  };

  const setup = (
    <>
      <label className="chart-field">
        Time
        <select
          data-testid="result-chart-time"
          value={time.name}
          onChange={(e) => updateResultChart(tabId, { timeColumn: e.target.value })}
        >
          {times.map((c) => (
            <option key={c.name}>{c.name}</option>
          ))}
        </select>
      </label>
      <details className="chart-columns">
        <summary title="Numeric columns to draw, one series each">Values: {plotted.join(', ')}</summary>
        <div className="chart-columns-menu">
          {values.map((c) => (
            <label key={c.name}>
              <input
                type="checkbox"
                checked={plotted.includes(c.name)}
                onChange={(e) =>
                  updateResultChart(tabId, {
                    valueColumns: e.target.checked ? [...plotted, c.name] : plotted.filter((n) => n !== c.name),
                  })
                }
              />
              {c.name}
            </label>
          ))}
        </div>
      </details>
      {splitOptions.length ? (
        <label className="chart-field" title="One series per value of this column">
          Split by
          <select data-testid="result-chart-split" value={split} onChange={(e) => setSplit(e.target.value)}>
            <option value="">—</option>
            {splitOptions.map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
          </select>
        </label>
      ) : null}
    </>
  );

  if (!engine || !extent) return <div className="result-chart empty-result dim">Preparing the chart…</div>;
  return (
    <div className="result-chart">
      <ChartPanel
        testId="result-chart"
        type={state?.type ?? 'line'}
        bucket={bucket}
        onChange={(patch) => {
          if (patch.type) updateResultChart(tabId, { type: patch.type });
          if (patch.bucket) setBucket(patch.bucket);
        }}
        timeZone={timeZone}
        extent={extent}
        window={window}
        onWindow={setWindow}
        fetcher={({ window: w, width }) =>
          engine.chart(source, { fromMs: w.fromMs, toMs: w.toMs, width, bucket, timeZone }, `chart:${tabId}`)
        }
        // DuckDB-WASM runs one query at a time; a superseded one is dropped before it starts.
        cancel={() => undefined}
        signature={`${tableName}|${source.relation}`}
        unitOf={() => ''}
        exportName={`result-${tabId}`}
        toolbarExtra={setup}
        onRange={filterToRange}
      />
    </div>
  );
}
