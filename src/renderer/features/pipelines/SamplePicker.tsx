/**
 * Picks the live preview's sample from cached Bronze: a few series (searchable)
 * and a time window (UTC), loaded once into the in-app engine.
 */
import { useMemo, useState } from 'react';
import { parseUtcInput, utcInputValue } from '../../../shared/timeZone';
import { formatCount } from '../../workbench/format';
import { UtcTimeInput } from '../common/UtcTimeInput';
import { spanOf, type PipelineEditorState } from './editorStore';
import { loadSample } from './pipelineActions';
import { DAY_MS } from '../../../shared/utcDays';

const MAX_SERIES = 50;

/** Epoch ms as the time fields hold it (see UtcTimeInput), in UTC. */
function toInput(ms: number): string {
  return utcInputValue(ms).replace(' ', 'T');
}

function fromInput(text: string): string | null {
  const ms = parseUtcInput(text);
  return ms === null ? null : new Date(ms).toISOString();
}

export function SamplePicker({ tabId, editor }: { tabId: string; editor: PipelineEditorState }) {
  const all = editor.series ?? [];
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<string[]>(
    () => editor.sample?.seriesIds ?? all.slice(0, 3).map((s) => s.seriesId),
  );
  const pickedSeries = all.filter((s) => picked.includes(s.seriesId));
  const span = spanOf(pickedSeries.length ? pickedSeries : all);
  const [from, setFrom] = useState(() =>
    editor.sample
      ? toInput(Date.parse(editor.sample.from))
      : span
        ? toInput(Math.max(span.first, span.last - 2 * DAY_MS))
        : '',
  );
  const [to, setTo] = useState(() =>
    editor.sample ? toInput(Date.parse(editor.sample.to)) : span ? toInput(span.last + 60_000) : '',
  );
  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (needle ? all.filter((s) => s.seriesId.toLowerCase().includes(needle)) : all).slice(0, 200);
  }, [all, search]);

  if (editor.schemaError) {
    return (
      <div className="sample-picker empty" data-testid="sample-unavailable">
        <p className="error-text">{editor.schemaError.message}</p>
        {editor.schemaError.hint ? <p className="hint">{editor.schemaError.hint}</p> : null}
      </div>
    );
  }
  if (!editor.series) return <div className="sample-picker empty">Reading the cached Bronze…</div>;
  if (all.length === 0) {
    return (
      <div className="sample-picker empty">
        The cached Bronze of this pipeline has no records with a series and a time.
      </div>
    );
  }

  const preset = (days: number | null) => {
    if (!span) return;
    setFrom(toInput(days === null ? span.first : Math.max(span.first, span.last - days * DAY_MS)));
    setTo(toInput(span.last + 60_000));
  };
  const fromIso = fromInput(from);
  const toIso = fromInput(to);
  const problem =
    picked.length === 0
      ? 'Pick at least one series.'
      : !fromIso || !toIso
        ? 'Set both ends of the window.'
        : fromIso >= toIso
          ? 'The window ends before it starts.'
          : null;
  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= MAX_SERIES ? p : [...p, id]));

  return (
    <div className="sample-picker" data-testid="sample-picker">
      <div className="sample-series">
        <input
          type="search"
          className="sample-search"
          placeholder={`Search ${all.length} series…`}
          value={search}
          data-testid="sample-search"
          onChange={(e) => setSearch(e.target.value)}
        />
        <ul className="sample-series-list">
          {visible.map((s) => (
            <li key={s.seriesId}>
              <label
                title={`${formatCount(s.records)} records, ${utcInputValue(s.first)} – ${utcInputValue(s.last)} UTC`}
              >
                <input
                  type="checkbox"
                  checked={picked.includes(s.seriesId)}
                  data-testid="sample-series"
                  data-series={s.seriesId}
                  onChange={() => toggle(s.seriesId)}
                />
                <span className="series-name">{s.seriesId}</span>
                <span className="series-count">{formatCount(s.records)}</span>
              </label>
            </li>
          ))}
        </ul>
      </div>
      <div className="sample-window">
        <label>
          From (UTC)
          <UtcTimeInput className="" value={from} testId="sample-from" onChange={setFrom} />
        </label>
        <label>
          To (UTC)
          <UtcTimeInput className="" value={to} testId="sample-to" onChange={setTo} />
        </label>
        <div className="sample-presets">
          <button type="button" onClick={() => preset(1)}>
            Last day
          </button>
          <button type="button" onClick={() => preset(7)}>
            Last 7 days
          </button>
          <button type="button" onClick={() => preset(null)}>
            All
          </button>
        </div>
        <button
          type="button"
          className="run-button"
          data-testid="load-sample"
          disabled={problem !== null || editor.sampleLoading}
          title={problem ?? 'Load these records once into the in-app engine; every edit re-runs over them'}
          onClick={() => fromIso && toIso && void loadSample(tabId, picked, fromIso, toIso)}
        >
          {editor.sampleLoading ? 'Loading…' : editor.sample ? 'Reload sample' : 'Load sample'}
        </button>
        <div className="sample-status">
          {problem ? <span className="hint">{problem}</span> : null}
          {editor.sampleError ? (
            <span className="error-text" data-testid="sample-error">
              {editor.sampleError.message}
              {editor.sampleError.hint ? ` ${editor.sampleError.hint}` : ''}
            </span>
          ) : editor.sample ? (
            <span data-testid="sample-status">
              {formatCount(editor.sample.records)} records of {editor.sample.seriesIds.length} series loaded in{' '}
              {Math.round(editor.sample.loadMs)} ms{editor.sample.truncated ? ' (capped: narrow the window)' : ''}
            </span>
          ) : null}
        </div>
      </div>
    </div>
  );
}
