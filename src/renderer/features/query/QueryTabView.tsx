/**
 * One SQL tab: the editor, a toolbar with Run/Cancel, and below it either the
 * error (in place, never an alert) or the result grid.
 */
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { useEngineStore, getEngine } from '../../engine/engineStore';
import type { WasmEngine } from '../../engine/WasmEngine';
import { formatDuration, formatRowCount } from '../../workbench/format';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { cancelQuery, newQueryTab, runQuery } from './queryActions';
import { closeTab } from '../../workbench/tabKinds';
import { SqlEditor } from './SqlEditor';
import { request } from '../../workbench/intents';
import { TargetSwitch } from './TargetSwitch';
import { runCurrent } from './editorModels';
import { SqlFileControls } from './SqlFileControls';
import { saveTab } from './sqlFilesStore';
import type { SortKey } from '../../engine/pagingSql';
import { updateTab, type QueryTab, type RunState } from '../../workbench/tabsStore';
import { Part } from '../../workbench/parts';
import { ErrorPanel } from '../common/ErrorPanel';
import { SkippedFilesNotice } from '../common/SkippedFilesNotice';
import { StaleMetricsNotice } from '../common/StaleMetricsNotice';

function useEngine(): WasmEngine | null {
  const state = useEngineStore((s) => s.state);
  const [engine, setEngine] = useState<WasmEngine | null>(null);
  useEffect(() => {
    if (state !== 'ready') return;
    let live = true;
    void getEngine().then((e) => live && setEngine(e));
    return () => {
      live = false;
    };
  }, [state]);
  return engine;
}

function useElapsed(run: RunState): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (run.phase === 'idle') return;
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [run.phase]);
  return run.phase === 'idle' ? null : Math.max(0, now - run.startedAt);
}

const EDITOR_MIN = 80;

export function QueryTabView({ tab }: { tab: QueryTab }) {
  const engine = useEngine();
  const timeZone = useWorkspaceTimeZone();
  const elapsed = useElapsed(tab.run);
  const busy = tab.run.phase !== 'idle';
  const [editorHeight, setEditorHeight] = useState(240);
  const rootRef = useRef<HTMLDivElement>(null);
  const sqlRef = useRef(tab.sql);
  sqlRef.current = tab.sql;
  // Stable, so the grid (memoized) skips the renders a keystroke or the elapsed timer cause here.
  const onSortChange = useCallback((sort: SortKey[]) => updateTab(tab.id, { sort }), [tab.id]);

  // Escape cancels even when the focus is outside the editor.
  useEffect(() => {
    if (!busy) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') void cancelQuery(tab.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, tab.id]);

  const startResize = (e: ReactPointerEvent<HTMLDivElement>) => {
    const startY = e.clientY;
    const startHeight = editorHeight;
    const max = (rootRef.current?.clientHeight ?? 800) - 120;
    const move = (ev: PointerEvent) =>
      setEditorHeight(Math.max(EDITOR_MIN, Math.min(max, startHeight + ev.clientY - startY)));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const result = tab.result;
  const status =
    tab.run.phase === 'waiting'
      ? `Waiting for ${tab.run.on === 'postgres' ? 'PostgreSQL' : 'the local warehouse'}… ${formatDuration(elapsed ?? 0)}`
      : tab.run.phase === 'running'
        ? `Running… ${formatDuration(elapsed ?? 0)}`
        : tab.run.phase === 'loading'
          ? `Loading rows ${tab.run.chunksLoaded}/${tab.run.chunkCount}… ${formatDuration(elapsed ?? 0)}`
          : null;

  return (
    <div className="query-tab" ref={rootRef}>
      <div className="editor-pane" style={{ height: editorHeight }}>
        <SqlEditor
          tabId={tab.id}
          initialSql={tab.sql}
          onChange={(sql) => updateTab(tab.id, { sql })}
          onRun={(sql, origin) => void runQuery(tab.id, sql, origin)}
          onSave={() => void saveTab(tab.id)}
          onCancel={() => void cancelQuery(tab.id)}
          onNewTab={() => newQueryTab()}
          onCloseTab={() => closeTab(tab.id)}
        />
      </div>
      <div className="splitter" onPointerDown={startResize} role="separator" aria-orientation="horizontal" />
      <div className="query-toolbar">
        <button
          type="button"
          className={`run-button${busy ? ' cancel' : ''}`}
          data-testid="run-query"
          data-state={busy ? 'running' : 'idle'}
          title={
            busy ? 'Cancel the query (Esc)' : 'Run the selection, or the statement under the cursor (Ctrl/Cmd+Enter)'
          }
          onClick={() =>
            busy ? void cancelQuery(tab.id) : runCurrent(tab.id) || void runQuery(tab.id, sqlRef.current)
          }
        >
          {busy ? '■ Cancel' : '▶ Run'}
        </button>
        <TargetSwitch tab={tab} disabled={busy} />
        {status ? (
          <span className="query-progress" data-testid="query-progress" data-phase={tab.run.phase}>
            {status}
          </span>
        ) : null}
        {!status && result ? (
          <>
            <span className="result-rowcount" data-testid="result-rowcount" data-count={result.rowCount}>
              {formatRowCount(result.rowCount)}
            </span>
            <span
              className="result-elapsed"
              data-testid="result-elapsed"
              title={`${tab.target === 'server' ? 'Server (live)' : 'Warehouse'} ${result.serverMs.toFixed(1)} ms, loading into the grid engine ${result.loadMs.toFixed(1)} ms`}
            >
              {formatDuration(result.serverMs + result.loadMs)}
              <span className="dim">
                {' '}
                (server {formatDuration(result.serverMs)} + load {formatDuration(result.loadMs)})
              </span>
            </span>
          </>
        ) : null}
        {tab.notice && !busy ? (
          <span className="query-notice" data-testid="query-notice" role="status">
            {tab.notice}
          </span>
        ) : null}
        <span className="toolbar-spacer" />
        {result?.tableName && !busy ? <Part name="resultChartToggle" tabId={tab.id} columns={result.columns} /> : null}
        <SqlFileControls tab={tab} />
        <span
          className="dim shortcut-hint"
          data-testid="shortcut-hint"
          title="Ctrl/Cmd+Enter runs the selection or the statement under the cursor · Ctrl/Cmd+Shift+Enter runs all · Esc cancels"
        >
          <kbd>Ctrl+Enter</kbd> run · <kbd>+Shift</kbd> all · <kbd>Esc</kbd> cancel
        </span>
      </div>
      <div className="result-pane">
        {tab.error ? (
          <ErrorPanel
            error={tab.error}
            title={
              tab.error.code === 'query_failed'
                ? 'The query failed'
                : tab.error.code === 'heavy_read'
                  ? 'This would be heavy work on the server'
                  : 'Could not run the query'
            }
            testId="result-error"
            actions={tab.heavySql ? <HeavyReadActions sql={tab.heavySql} tabId={tab.id} /> : undefined}
          />
        ) : null}
        {!tab.error && result?.skippedFiles?.length ? (
          <SkippedFilesNotice files={result.skippedFiles} missingFrom="this result" />
        ) : null}
        {/* A warehouse result over the cached metrics: say when some cached days are known to be stale. */}
        {result && tab.target !== 'server' && /\bmetrics/i.test(result.sql) ? <StaleMetricsNotice /> : null}
        {!tab.error && result && result.tableName ? (
          <Part
            name="resultChart"
            tabId={tab.id}
            engine={engine}
            tableName={result.tableName}
            columns={result.columns}
            rowCount={result.rowCount}
            timeZone={timeZone}
          />
        ) : null}
        {!tab.error && result && result.tableName ? (
          <Part
            name="resultGrid"
            gridKey={tab.id}
            engine={engine}
            tableName={result.tableName}
            columns={result.columns}
            rowCount={result.rowCount}
            sort={tab.sort}
            onSortChange={onSortChange}
            sql={result.sql}
            timeZone={timeZone}
            loading={result.rowCount < result.expectedRows && tab.run.phase === 'loading'}
          />
        ) : null}
        {!tab.error && result && !result.tableName ? (
          <div className="empty-result">
            {result.columns.length ? 'The query returned no rows.' : 'The statement ran; it returns no rows.'}
          </div>
        ) : null}
        {tab.run.phase === 'waiting' ? (
          <div className="empty-result dim" data-testid="query-waiting">
            The workspace is still starting (progress in the status bar): the query runs as soon as{' '}
            {tab.run.on === 'postgres' ? 'PostgreSQL is ready' : 'the local warehouse has its views'}. Esc or Cancel
            stops waiting.
          </div>
        ) : null}
        {!tab.error && !result && !busy ? (
          <div className="empty-result dim">Run a query to see its result here.</div>
        ) : null}
      </div>
    </div>
  );
}

/** A live query refused for reading too much: run it as written, or open the sync dialog to cache those days. */
function HeavyReadActions({ tabId, sql }: { tabId: string; sql: string }) {
  return (
    <>
      <button
        type="button"
        className="header-button"
        data-testid="run-anyway"
        onClick={() => void runQuery(tabId, sql, undefined, { anyway: true })}
      >
        Run anyway
      </button>
      <button type="button" className="header-button" data-testid="heavy-sync" onClick={() => request('sync.open', {})}>
        Sync data…
      </button>
    </>
  );
}
