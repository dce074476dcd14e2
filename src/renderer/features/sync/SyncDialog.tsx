/**
 * "Sync metrics": pick pipelines, metrics, series and a date range; see the
 * server's estimate; start the sync as a job and follow it here and in the
 * status bar. The final line says what was fetched.
 */
import { Modal } from '../common/Modal';
import { UtcTimeInput } from '../common/UtcTimeInput';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SyncEstimate, SyncOptions, SyncSelectionInput, SyncStatus } from '../../../shared/api/sync';
import { formatBytes } from '../../../shared/format';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { cancelJob, refreshSection } from '../../state/workspaceActions';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { closeSyncDialog, useSyncDialog } from './syncDialog';
import { addDays } from '../../../shared/utcDays';
import { apiRange, quickRange, type RangePick } from './syncRange';

const RANGE_LABELS: Record<Exclude<RangePick, 'custom'>, string> = {
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  everything: 'Everything',
};

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(Math.round(n));
}

function toggle<T>(set: Set<T>, value: T): Set<T> {
  const next = new Set(set);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return next;
}

function ErrorBox({ error, testId }: { error: ErrorView; testId: string }) {
  return (
    <div className="test-result failed" data-testid={testId}>
      <div>{error.message}</div>
      {error.hint ? <div className="dim">{error.hint}</div> : null}
    </div>
  );
}

export function SyncDialog() {
  const initialPipeline = useSyncDialog((s) => s.pipelineId);
  const preset = useSyncDialog((s) => s.preset);
  const [options, setOptions] = useState<SyncOptions | null>(null);
  const [optionsError, setOptionsError] = useState<ErrorView | null>(null);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [pipelines, setPipelines] = useState<Set<string>>(new Set());
  const [metrics, setMetrics] = useState<Set<string>>(new Set());
  const [allSeries, setAllSeries] = useState(true);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<{ series: string[]; more: boolean } | null>(null);
  const [searchError, setSearchError] = useState<ErrorView | null>(null);
  const [series, setSeries] = useState<Set<string>>(new Set());
  const [range, setRange] = useState<RangePick>(preset ? 'custom' : 'everything');
  const [from, setFrom] = useState(preset?.from ?? '');
  const [through, setThrough] = useState(preset ? addDays(preset.to, -1) : '');
  const [estimate, setEstimate] = useState<SyncEstimate | null>(null);
  const [estimateError, setEstimateError] = useState<ErrorView | null>(null);
  const [startError, setStartError] = useState<ErrorView | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useWorkspaceStore((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
  const running = job !== null && job.finishedAt === null;

  const loadStatus = useCallback(async () => {
    try {
      const next = await workbench().call('sync.status', {});
      setStatus(next);
      // Reopened while a sync runs: follow it.
      if (next.runningJobId) setJobId((id) => id ?? next.runningJobId);
    } catch {
      // The status is a nicety beside the checkboxes; the dialog works without it.
    }
  }, []);

  useEffect(() => {
    void loadStatus();
    workbench()
      .call('sync.options', {})
      .then((o) => {
        setOptions(o);
        const first = o.pipelines.find((p) => p.id === initialPipeline) ?? o.pipelines[0];
        const picked = first ? [first.id] : [];
        setPipelines(new Set(picked));
        const defined = o.pipelines.filter((p) => picked.includes(p.id)).flatMap((p) => p.metrics);
        setMetrics(new Set(preset ? defined.filter((m) => preset.metrics.includes(m)) : defined));
      })
      .catch((err: unknown) => setOptionsError(toErrorView(err)));
  }, [initialPipeline, preset, loadStatus]);

  /** Metric names of the picked pipelines, in definition order. */
  const metricChoices = useMemo(() => {
    const names: string[] = [];
    for (const p of options?.pipelines ?? []) {
      if (!pipelines.has(p.id)) continue;
      for (const m of p.metrics) if (!names.includes(m)) names.push(m);
    }
    return names;
  }, [options, pipelines]);

  const selection = useMemo((): SyncSelectionInput | null => {
    if (pipelines.size === 0) return null;
    const pickedMetrics = metricChoices.filter((m) => metrics.has(m));
    if (metricChoices.length > 0 && pickedMetrics.length === 0) return null;
    if (!allSeries && series.size === 0) return null;
    const { from: apiFrom, to } = apiRange(from, through);
    if (apiFrom && to && apiFrom >= to) return null;
    return {
      pipelines: [...pipelines].sort(),
      metricNames: pickedMetrics.length === metricChoices.length ? null : pickedMetrics,
      seriesIds: allSeries ? null : [...series].sort(),
      from: apiFrom,
      to,
    };
  }, [pipelines, metrics, metricChoices, allSeries, series, from, through]);

  const problem =
    pipelines.size === 0
      ? 'Pick at least one pipeline.'
      : metricChoices.length > 0 && !metricChoices.some((m) => metrics.has(m))
        ? 'Pick at least one metric.'
        : !allSeries && series.size === 0
          ? 'Pick at least one series, or choose “All series”.'
          : from && through && from > through
            ? 'The “to” day is before the “from” day.'
            : null;

  // The estimate follows the selection, a moment after the user stops changing it.
  useEffect(() => {
    setEstimate(null);
    setEstimateError(null);
    if (!selection) return;
    let stale = false;
    const timer = setTimeout(() => {
      workbench()
        .call('sync.estimate', selection)
        .then((e) => !stale && setEstimate(e))
        .catch((err: unknown) => !stale && setEstimateError(toErrorView(err)));
    }, 250);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [selection]);

  // Series search, debounced the same way.
  useEffect(() => {
    if (allSeries || pipelines.size === 0) return;
    let stale = false;
    const timer = setTimeout(() => {
      workbench()
        .call('sync.series', { pipelines: [...pipelines], search, limit: 100 })
        .then((r) => {
          if (stale) return;
          setFound(r);
          setSearchError(null);
        })
        .catch((err: unknown) => !stale && setSearchError(toErrorView(err)));
    }, 200);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [allSeries, pipelines, search]);

  // When the job ends: refresh what the cache holds and the catalog (new views).
  const finished = job?.finishedAt ?? null;
  useEffect(() => {
    if (!finished) return;
    void loadStatus();
    void refreshSection('catalog');
  }, [finished, loadStatus]);

  const start = useCallback(async () => {
    if (!selection || running) return;
    setStartError(null);
    try {
      const { jobId: id } = await workbench().call('sync.start', selection);
      setJobId(id);
    } catch (err) {
      setStartError(toErrorView(err));
    }
  }, [selection, running]);

  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void start();
      }
    },
    [start],
  );

  const pickRange = (pick: Exclude<RangePick, 'custom'>) => {
    const r = quickRange(pick);
    setRange(pick);
    setFrom(r.from);
    setThrough(r.through);
  };

  const cachedOf = (id: string) => status?.pipelines.find((p) => p.pipelineId === id) ?? null;
  const percent =
    job && job.progress.total ? Math.min(100, Math.round((job.progress.done / job.progress.total) * 100)) : null;

  return (
    <Modal
      title="Sync metrics to this computer"
      className="sync-dialog"
      testId="sync-dialog"
      closeTestId="close-sync-dialog"
      onClose={closeSyncDialog}
      onKeyDown={onKeyDown}
      badges={
        options ? (
          <span className={`badge ${options.mode === 'timescaledb' ? 'accent' : ''}`}>
            {options.mode === 'timescaledb' ? 'TimescaleDB' : 'plain PostgreSQL'}
          </span>
        ) : null
      }
    >
      <div className="modal-body sync-body">
        {optionsError ? <ErrorBox error={optionsError} testId="sync-options-error" /> : null}
        {!options && !optionsError ? <div className="empty-state">Reading pipelines from the server…</div> : null}
        {options && options.pipelines.length === 0 ? (
          <div className="empty-state">
            The server has no pipelines yet (dash.pipelines is empty), so there is nothing to sync.
          </div>
        ) : null}
        {options && options.pipelines.length > 0 ? (
          <div className="sync-columns">
            <fieldset className="sync-group" data-testid="sync-pipelines">
              <legend>Pipelines</legend>
              {options.pipelines.map((p) => {
                const cached = cachedOf(p.id);
                return (
                  <label key={p.id} className="form-check sync-check">
                    <input
                      type="checkbox"
                      checked={pipelines.has(p.id)}
                      data-pipeline={p.id}
                      onChange={() => {
                        setPipelines((s) => toggle(s, p.id));
                        if (!pipelines.has(p.id)) setMetrics((m) => new Set([...m, ...p.metrics]));
                      }}
                    />
                    <span className="sync-check-label">{p.name}</span>
                    <span
                      className="dim sync-cached"
                      title={cached?.lastSyncAt ? `Last sync ${cached.lastSyncAt}` : ''}
                    >
                      {cached && cached.days > 0
                        ? `${cached.days} days cached${cached.syncedDays ? ` · ${formatCount(cached.rows)} rows synced` : ''}`
                        : 'not cached'}
                    </span>
                  </label>
                );
              })}
            </fieldset>

            <fieldset className="sync-group" data-testid="sync-metrics">
              <legend>Metrics</legend>
              {metricChoices.length === 0 ? <div className="dim">Pick a pipeline to see its metrics.</div> : null}
              {metricChoices.map((m) => (
                <label key={m} className="form-check sync-check">
                  <input
                    type="checkbox"
                    checked={metrics.has(m)}
                    data-metric={m}
                    onChange={() => setMetrics((s) => toggle(s, m))}
                  />
                  <span className="mono">{m}</span>
                </label>
              ))}
            </fieldset>

            <fieldset className="sync-group sync-series" data-testid="sync-series">
              <legend>Series</legend>
              <label className="form-check">
                <input type="radio" checked={allSeries} onChange={() => setAllSeries(true)} data-testid="all-series" />
                All series
              </label>
              <label className="form-check">
                <input
                  type="radio"
                  checked={!allSeries}
                  onChange={() => setAllSeries(false)}
                  data-testid="pick-series"
                />
                Only these{!allSeries && series.size ? ` (${series.size} picked)` : ''}
              </label>
              {!allSeries ? (
                <>
                  <input
                    className="form-input"
                    type="search"
                    placeholder="Search series ids…"
                    value={search}
                    onChange={(e) => setSearch(e.target.value)}
                    data-testid="series-search"
                    autoFocus
                  />
                  {searchError ? <ErrorBox error={searchError} testId="series-error" /> : null}
                  <div className="sync-series-list">
                    {[...series]
                      .filter((s) => !found?.series.includes(s))
                      .map((s) => (
                        <label key={`picked-${s}`} className="form-check sync-check">
                          <input type="checkbox" checked onChange={() => setSeries((set) => toggle(set, s))} />
                          <span className="mono">{s}</span>
                        </label>
                      ))}
                    {found?.series.map((s) => (
                      <label key={s} className="form-check sync-check">
                        <input
                          type="checkbox"
                          checked={series.has(s)}
                          onChange={() => setSeries((set) => toggle(set, s))}
                        />
                        <span className="mono">{s}</span>
                      </label>
                    ))}
                    {found && found.series.length === 0 ? <div className="dim">No series match “{search}”.</div> : null}
                    {found?.more ? <div className="dim">More match: type more of the id to narrow.</div> : null}
                  </div>
                </>
              ) : null}
            </fieldset>

            <fieldset className="sync-group" data-testid="sync-range">
              <legend>Days (UTC)</legend>
              <div className="sync-quick">
                {(Object.keys(RANGE_LABELS) as Exclude<RangePick, 'custom'>[]).map((pick) => (
                  <button
                    key={pick}
                    type="button"
                    className={`plain-button${range === pick ? ' active' : ''}`}
                    data-range={pick}
                    onClick={() => pickRange(pick)}
                  >
                    {RANGE_LABELS[pick]}
                  </button>
                ))}
              </div>
              <label className="form-field">
                <span className="form-label">From</span>
                <UtcTimeInput
                  day
                  value={from}
                  testId="sync-from"
                  onChange={(day) => {
                    setRange('custom');
                    setFrom(day);
                  }}
                />
              </label>
              <label className="form-field">
                <span className="form-label">To (included)</span>
                <UtcTimeInput
                  day
                  value={through}
                  testId="sync-through"
                  onChange={(day) => {
                    setRange('custom');
                    setThrough(day);
                  }}
                />
              </label>
              <span className="form-hint">Empty means from the first / through the last day on the server.</span>
            </fieldset>
          </div>
        ) : null}
      </div>

      <footer className="sync-footer">
        <div className="sync-estimate" data-testid="sync-estimate">
          {problem ? (
            <span className="form-error">{problem}</span>
          ) : estimateError ? (
            <span className="form-error">Could not estimate: {estimateError.message}</span>
          ) : estimate ? (
            <span title={estimate.note} data-rows={estimate.rows} data-method={estimate.method}>
              About <strong>{formatCount(estimate.rows)} rows</strong> · {formatBytes(estimate.bytes)} to transfer ·{' '}
              <span className="dim">
                {estimate.method === 'planner' ? 'planner estimate' : 'TimescaleDB batch counts and chunk statistics'}
              </span>
              {estimate.rows === 0 ? <span className="dim"> · the server may have nothing in this range</span> : null}
              <div className="dim sync-estimate-note" data-testid="sync-estimate-note">
                {estimate.note}
              </div>
            </span>
          ) : selection ? (
            <span className="dim">Estimating…</span>
          ) : null}
        </div>
        {job ? (
          <div className={`sync-job ${job.state}`} data-testid="sync-job" data-state={job.state}>
            {running ? (
              <>
                <progress max={100} value={percent ?? undefined} />
                <span className="sync-job-message">{job.message || 'Starting…'}</span>
              </>
            ) : job.state === 'succeeded' ? (
              <span className="form-notice" data-testid="sync-result">
                {job.message}
              </span>
            ) : job.state === 'cancelled' ? (
              <span className="dim">Cancelled. Days already fetched stay cached; syncing again resumes.</span>
            ) : (
              <span className="form-error" data-testid="sync-error">
                {job.error}
              </span>
            )}
          </div>
        ) : null}
        {startError ? <ErrorBox error={startError} testId="sync-start-error" /> : null}
        <div className="form-actions">
          <span className="dim">Synced days are queryable offline as metrics and metrics_&lt;pipeline&gt;.</span>
          <span className="toolbar-spacer" />
          {running && job ? (
            <button type="button" className="plain-button danger" onClick={() => void cancelJob(job.jobId)}>
              Cancel sync
            </button>
          ) : null}
          <button type="button" className="plain-button" onClick={closeSyncDialog}>
            {running ? 'Hide' : 'Close'}
          </button>
          <button
            type="button"
            className="run-button"
            data-testid="start-sync"
            disabled={!selection || running}
            title="Sync (Ctrl+Enter)"
            onClick={() => void start()}
          >
            {running ? 'Syncing…' : 'Sync'}
          </button>
        </div>
      </footer>
    </Modal>
  );
}
