/**
 * The Bronze record inspector tab: a search form, the search's progress with
 * cancel, the records found (a virtualized list that grows while the search
 * runs), and the open record, lineage or file beside them.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { PredicateOp, type InspectorExportFormat } from '../../../shared/api/inspector';
import type { ResultExportStarted } from '../../../shared/api/export';
import { formatBytes } from '../../../shared/format';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { ErrorPanel } from '../common/ErrorPanel';
import { ExportButton, type ExportChoice } from '../common/ExportButton';
import { UtcTimeInput } from '../common/UtcTimeInput';
import { Part } from '../../workbench/parts';
import { inspectorText } from './inspectorFormat';
import { LineagePanel } from './LineagePanel';
import { RecordPanel } from './RecordPanel';
import {
  EMPTY_FORM,
  cancelSearch,
  closeDetail,
  openMatch,
  runSearch,
  setForm,
  useInspectorStore,
  type InspectorForm,
} from './inspectorStore';

const ROW_HEIGHT = 26;

/** One of the search form's text fields; `time` ones take UTC to the second (UtcTimeInput). */
function FormText({
  field,
  label,
  mono,
  time,
  grow,
  title,
  placeholder,
  testId,
}: {
  field: 'recordId' | 'seriesId' | 'from' | 'to' | 'text';
  label: string;
  mono?: boolean;
  time?: boolean;
  grow?: boolean;
  title?: string;
  placeholder?: string;
  testId?: string;
}) {
  const value = useInspectorStore((s) => s.form[field]);
  return (
    <label className={`insp-field${grow ? ' insp-grow' : ''}`} title={title}>
      <span>{label}</span>
      {time ? (
        <UtcTimeInput
          seconds
          className={`form-input${mono ? ' mono' : ''}`}
          value={value}
          {...(testId ? { testId } : {})}
          onChange={(v) => setForm({ [field]: v })}
        />
      ) : (
        <input
          className={`form-input${mono ? ' mono' : ''}`}
          value={value}
          placeholder={placeholder}
          data-testid={testId}
          onChange={(e) => setForm({ [field]: e.target.value })}
        />
      )}
    </label>
  );
}

function SearchForm() {
  const form = useInspectorStore((s) => s.form);
  const pipelines = useWorkspaceStore((s) => s.lake.data?.pipelines ?? []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void runSearch();
  };
  const setPredicate = (i: number, patch: Partial<InspectorForm['predicates'][number]>) =>
    setForm({ predicates: form.predicates.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  return (
    <form className="insp-form" onSubmit={submit} data-testid="insp-form">
      <label className="insp-field">
        <span>Pipeline</span>
        <select
          className="form-input"
          value={form.pipelines[0] ?? ''}
          data-testid="insp-pipeline"
          onChange={(e) => setForm({ pipelines: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">All pipelines</option>
          {pipelines.map((p) => (
            <option key={p.pipelineId} value={p.pipelineId}>
              {p.pipelineId}
            </option>
          ))}
        </select>
      </label>
      <FormText field="recordId" label="record_id" mono placeholder="exact id" testId="insp-record-id" />
      <FormText field="seriesId" label="series_id" mono placeholder="device or source" testId="insp-series-id" />
      <FormText field="from" label="ts from (UTC)" time title="Event time (ts), UTC" testId="insp-from" />
      <FormText field="to" label="to (UTC, excl.)" time testId="insp-to" />
      <FormText
        field="text"
        label="Text in raw"
        grow
        placeholder="anywhere in the payload, any case"
        testId="insp-text"
      />
      {form.predicates.map((p, i) => (
        <div key={i} className="insp-predicate" data-testid="insp-predicate">
          <input
            className="form-input mono"
            value={p.field}
            placeholder="field, e.g. status"
            onChange={(e) => setPredicate(i, { field: e.target.value })}
          />
          <select
            className="form-input"
            value={p.op}
            onChange={(e) => setPredicate(i, { op: PredicateOp.parse(e.target.value) })}
          >
            {PredicateOp.options.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </select>
          {p.op === 'is null' || p.op === 'is not null' ? null : (
            <input
              className="form-input mono"
              value={p.value}
              placeholder="value"
              onChange={(e) => setPredicate(i, { value: e.target.value })}
            />
          )}
          <button
            type="button"
            className="icon-button"
            aria-label="Remove this condition"
            onClick={() => setForm({ predicates: form.predicates.filter((_, j) => j !== i) })}
          >
            ×
          </button>
        </div>
      ))}
      <div className="insp-form-actions">
        <button
          type="button"
          className="plain-button"
          title="A condition on any field, e.g. status = error or value > 1000"
          onClick={() => setForm({ predicates: [...form.predicates, { field: '', op: '=', value: '' }] })}
        >
          + Field condition
        </button>
        <button type="button" className="plain-button" onClick={() => setForm(EMPTY_FORM)}>
          Clear
        </button>
        <span className="toolbar-spacer" />
        <span className="shortcut-hint">Enter searches</span>
        <button type="submit" className="run-button" data-testid="insp-search">
          Search
        </button>
      </div>
    </form>
  );
}

function ExportRecords({ searchId, disabled }: { searchId: string; disabled: boolean }) {
  const [started, setStarted] = useState<ResultExportStarted | null>(null);
  return (
    <ExportButton
      testId="insp-export"
      title="Write the records found to a file in the workspace's exports folder"
      disabled={disabled}
      started={started}
      choices={RECORD_EXPORTS}
      start={async (format) => setStarted(await workbench().call('inspector.export', { searchId, format }))}
    />
  );
}

const RECORD_EXPORTS: ExportChoice<InspectorExportFormat>[] = [
  { format: 'csv', label: 'CSV', hint: 'with header' },
  { format: 'jsonl', label: 'JSON lines', hint: 'one record a line' },
  { format: 'parquet', label: 'Parquet', hint: 'zstd' },
];

function Progress() {
  const page = useInspectorStore((s) => s.page);
  const searchId = useInspectorStore((s) => s.searchId);
  const total = useInspectorStore((s) => s.matches.length);
  const error = useInspectorStore((s) => s.error);
  const [showProblems, setShowProblems] = useState(false);
  if (error) return <ErrorPanel error={error} />;
  if (!page || !searchId) return null;
  const s = page.stats;
  const files = s.filesTotal - s.filesSkipped;
  const running = page.state === 'running';
  // A file can have more than one problem (missing columns and drift): the count is of files.
  const problemFiles = new Set(page.problems.map((p) => p.key)).size;
  return (
    <div className="insp-progress" data-testid="insp-progress" data-state={page.state}>
      <div className="insp-progress-line">
        <strong data-testid="insp-count">
          {total.toLocaleString('en-US')} {total === 1 ? 'record' : 'records'}
        </strong>
        {page.limited ? <span className="dim"> (stopped at the limit; narrow the search for the rest)</span> : null}
        <span className="dim">
          {' '}
          · {s.filesScanned}/{files} files{s.filesSkipped ? ` (${s.filesSkipped} left out by date)` : ''} ·{' '}
          {s.rowGroupsScanned} row group{s.rowGroupsScanned === 1 ? '' : 's'} read, {s.rowGroupsSkipped} skipped by
          statistics · {formatBytes(s.bytesRead)} read
          {s.remoteFiles ? ` · ${s.remoteFiles} files by range reads` : ''} ·{' '}
          {page.state === 'running'
            ? 'searching…'
            : page.state === 'cancelled'
              ? 'cancelled'
              : page.state === 'failed'
                ? 'failed'
                : `${(page.elapsedMs / 1000).toFixed(2)} s`}
        </span>
        <span className="toolbar-spacer" />
        {running ? (
          <button type="button" className="plain-button" data-testid="insp-cancel" onClick={() => void cancelSearch()}>
            Cancel
          </button>
        ) : (
          <ExportRecords searchId={searchId} disabled={total === 0} />
        )}
      </div>
      {running ? (
        <div className="job-bar">
          <div className="job-bar-fill" style={{ width: `${files ? (s.filesScanned / files) * 100 : 0}%` }} />
        </div>
      ) : null}
      {page.error ? <div className="error-message">{page.error}</div> : null}
      {page.problems.length ? (
        <div className="insp-problems" data-testid="insp-problems" data-files={problemFiles}>
          <button type="button" className="link-button" onClick={() => setShowProblems(!showProblems)}>
            {problemFiles} {problemFiles === 1 ? 'file has' : 'files have'} problems {showProblems ? '▴' : '▾'}
          </button>
          {showProblems
            ? page.problems.map((p, i) => (
                <div key={`${p.key}-${i}`} className="insp-problem">
                  <span className={`badge insp-kind-${p.kind}`}>{p.kind}</span> <span className="mono">{p.key}</span>{' '}
                  {p.message}
                </div>
              ))
            : null}
        </div>
      ) : null}
    </div>
  );
}

function Results() {
  const timeZone = useWorkspaceTimeZone();
  const matches = useInspectorStore((s) => s.matches);
  const selected = useInspectorStore((s) => s.selected);
  const page = useInspectorStore((s) => s.page);
  const searchId = useInspectorStore((s) => s.searchId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: matches.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  useEffect(() => {
    if (selected !== null) virtualizer.scrollToIndex(selected, { align: 'auto' });
  }, [selected, virtualizer]);
  const onKey = (e: KeyboardEvent) => {
    if (selected === null) return;
    if (e.key === 'ArrowDown' && selected < matches.length - 1) void openMatch(selected + 1);
    else if (e.key === 'ArrowUp' && selected > 0) void openMatch(selected - 1);
    else return;
    e.preventDefault();
  };
  if (!searchId) {
    return (
      <div className="empty-state insp-empty">
        Find raw records across the Bronze files: by record_id, series and time, field conditions or text in the
        payload. Statistics in each file's footer skip what cannot match, so narrow questions stay fast even on the
        bucket.
      </div>
    );
  }
  if (page && page.state !== 'running' && matches.length === 0) {
    return <div className="empty-state insp-empty">No record matches. Widen the time range or check the ids.</div>;
  }
  return (
    <div className="insp-results" ref={scrollRef} tabIndex={0} onKeyDown={onKey} data-testid="insp-results">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const m = matches[item.index]!;
          return (
            <div
              key={item.key}
              className={`insp-row${item.index === selected ? ' selected' : ''}`}
              data-testid="insp-row"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              onClick={() => void openMatch(item.index)}
              title={`${m.key} · row group ${m.rowGroup} · row ${m.row}`}
            >
              <span className="mono insp-ts">{m.ts === null ? '—' : inspectorText(m.ts, timeZone)}</span>
              <span className="mono insp-id">{m.recordId ?? '—'}</span>
              <span className="insp-where dim">
                {m.pipelineId} · {m.date ?? ''}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Detail() {
  const detail = useInspectorStore((s) => s.detail);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('[aria-modal="true"]')) return;
      // The file view closes itself on Escape.
      if (useInspectorStore.getState().detail.kind !== 'file') closeDetail();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (detail.kind === 'record') return <RecordPanel record={detail.record} error={detail.error} fileKey={detail.key} />;
  if (detail.kind === 'lineage')
    return <LineagePanel request={detail.request} lineage={detail.lineage} error={detail.error} />;
  if (detail.kind === 'file') return <Part name="parquetFile" fileKey={detail.key} onClose={closeDetail} />;
  return null;
}

export function InspectorView() {
  const hasDetail = useInspectorStore((s) => s.detail.kind !== 'none');
  return (
    <div className="inspector" data-testid="inspector">
      <SearchForm />
      <Progress />
      <div className={`insp-main${hasDetail ? ' with-detail' : ''}`}>
        <Results />
        {hasDetail ? (
          <div className="insp-detail">
            <Detail />
          </div>
        ) : null}
      </div>
    </div>
  );
}
