/**
 * The result grid: TanStack Table for the column model (sizes, resizing, order,
 * visibility, sort state) and our own scaled virtual rows (scaledScroll), so
 * only what is on screen is rendered and a 10-million-row result scrolls to
 * its last row. Rows come page by page from the WASM engine; filters and
 * sorting run there, over the whole result.
 *
 * This component ties the pieces together: the toolbar, the header row, the
 * body and the popups draw from one GridModel per render; what they share
 * beyond a render (layout, selection, popup, notice) is in gridStore.
 */
import { useEffect, useMemo, useRef, type KeyboardEvent, type UIEvent } from 'react';
import { shortType } from '../../workbench/format';
import type { Parts } from '../../workbench/parts';
import { gridActions, type GridModel, type Pointer } from './gridActions';
import { GridBody } from './GridBody';
import { GridHeader } from './GridHeader';
import { GridPopups } from './GridPopups';
import { leaveGrid, select, useGridLayout, useGridStore } from './gridStore';
import { GridToolbar } from './GridToolbar';
import { ProfilePanel } from './ProfilePanel';
import { scrollLayout, scrollTopFor } from './scaledScroll';
import { allRows, ARROW_KEYS, moveSelection } from './selection';
import { kindFromType, useGridColumns } from './useGridColumns';
import { useGridScroll } from './useGridScroll';
import { useGridView } from './useGridView';
import { usePagedRows } from './usePagedRows';

const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 40;

/** The rows' part of the grid's viewport, below the header. */
function bodyHeightOf(viewportHeight: number): number {
  return Math.max(0, viewportHeight - HEADER_HEIGHT);
}

function gutterWidth(rowCount: number): number {
  return Math.max(44, String(rowCount).length * 8 + 18);
}

/** The props the workbench's `resultGrid` part gives (see workbench/parts). */
export type ResultGridProps = Parts['resultGrid'];

export function ResultGrid(props: ResultGridProps) {
  const { gridKey, engine, tableName, columns, rowCount, sort, onSortChange, sql, timeZone, loading = false } = props;
  const { layout, setLayout } = useGridLayout(gridKey, columns);
  const names = useMemo(() => columns.map((c) => c.name), [columns]);
  const zoned = useMemo(() => columns.map((c) => shortType(c.type) === 'timestamptz'), [columns]);
  const zonedSet = useMemo(() => new Set(columns.filter((_, i) => zoned[i]).map((c) => c.name)), [columns, zoned]);
  const shown = useGridView(engine, tableName, rowCount, zonedSet, layout.filters, sort, timeZone);
  const { where, view, filtering, shownRows } = shown;
  const { table, visible, visibleIndex, columnSizing, fit } = useGridColumns(tableName, columns, sort, layout);
  const { scrollRef, scroll, onScroll } = useGridScroll(tableName, columnSizing);

  // ---------------------------------------------------------------- rows on screen
  const gutter = gutterWidth(shownRows);
  const bodyHeight = bodyHeightOf(scroll.height);
  const lay = scrollLayout(shownRows, ROW_HEIGHT, scroll.top, bodyHeight);
  const range = lay.rows.length ? { first: lay.first, last: lay.last } : null;
  const { cache, error, prefetch } = usePagedRows(engine, gridKey, tableName, view, filtering ? 0 : shownRows, range);
  const engineColumns = cache.columns;
  const kinds = useMemo(
    () => columns.map((c, i) => engineColumns?.[i]?.kind ?? kindFromType(c.type)),
    [columns, engineColumns],
  );
  const totalWidth = gutter + table.getTotalSize();

  // A new view starts with nothing selected; a grid off screen keeps no selection, popup or notice.
  useEffect(() => select(gridKey, null), [gridKey, tableName, where, sort]);
  useEffect(() => () => leaveGrid(gridKey), [gridKey]);
  const pointer = useRef<Pointer>({ x: 0, y: 0 });

  // The same model while only the scroll moves: the toolbar and header (memoized) skip those frames.
  const grid = useMemo<GridModel>(
    () => ({
      gridKey,
      engine,
      tableName,
      columns,
      names,
      kinds,
      zoned,
      timeZone,
      view,
      cache,
      layout,
      setLayout,
      visibleIndex,
      sort,
      onSortChange,
      loading,
      waitTitle: loading ? 'Available once every row is loaded' : undefined,
      pointer,
    }),
    [
      gridKey,
      engine,
      tableName,
      columns,
      names,
      kinds,
      zoned,
      timeZone,
      view,
      cache,
      layout,
      setLayout,
      visibleIndex,
      sort,
      onSortChange,
      loading,
    ],
  );
  const actions = useMemo(() => gridActions(grid), [grid]);

  // The rows the new scroll position shows are asked for at once, before the grid renders their placeholders.
  const onGridScroll = (e: UIEvent<HTMLDivElement>) => {
    onScroll(e);
    const el = e.currentTarget;
    const next = scrollLayout(shownRows, ROW_HEIGHT, el.scrollTop, bodyHeightOf(el.clientHeight));
    if (next.rows.length) prefetch(next);
  };

  // ---------------------------------------------------------------- keyboard
  const scrollToRow = (row: number) => {
    const el = scrollRef.current;
    if (el) el.scrollTop = scrollTopFor(row, shownRows, ROW_HEIGHT, bodyHeight);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const mod = e.ctrlKey || e.metaKey;
    const selection = useGridStore.getState().selections[gridKey];
    if (mod && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      if (shownRows > 0) select(gridKey, allRows(shownRows, visibleIndex.length));
    } else if (mod && e.key.toLowerCase() === 'c') {
      e.preventDefault();
      actions.copySelection();
    } else if (e.key === 'Escape') {
      select(gridKey, null);
    } else if (mod && e.key === 'End') {
      e.preventDefault();
      scrollToRow(shownRows - 1);
    } else if (mod && e.key === 'Home') {
      e.preventDefault();
      scrollToRow(0);
    } else if (selection && ARROW_KEYS.includes(e.key)) {
      e.preventDefault();
      const next = moveSelection(selection, e.key, e.shiftKey, shownRows, visibleIndex.length);
      select(gridKey, next);
      const { row } = next.focus;
      if (row < lay.first + 10 || row > lay.last - 10)
        scrollToRow(Math.max(0, row - Math.floor(bodyHeight / ROW_HEIGHT / 2)));
    }
  };

  return (
    <div className="grid-wrap">
      <GridToolbar
        grid={grid}
        actions={actions}
        rowCount={rowCount}
        shownRows={shownRows}
        where={where}
        filtering={filtering}
        sql={sql}
      />
      <div className="grid-main">
        <div
          className="grid-scroll"
          data-testid="result-grid"
          ref={scrollRef}
          role="grid"
          tabIndex={0}
          aria-rowcount={shownRows}
          aria-multiselectable
          onKeyDown={onKeyDown}
          onScroll={onGridScroll}
        >
          <GridHeader
            grid={grid}
            actions={actions}
            table={table}
            sizing={columnSizing}
            resizing={table.getState().columnSizingInfo}
            gutterWidth={gutter}
            totalWidth={totalWidth}
          />
          {error || shown.viewError ? <div className="grid-error">{error ?? shown.viewError}</div> : null}
          {!loading && rowCount === 0 ? (
            <div className="grid-empty" data-testid="grid-empty">
              The query returned no rows.
            </div>
          ) : null}
          {!filtering && where !== '' && shownRows === 0 && rowCount > 0 ? (
            <div className="grid-empty" data-testid="grid-empty">
              No rows match the filters.{' '}
              <button type="button" className="link-button" onClick={() => setLayout({ filters: [] })}>
                Clear filters
              </button>
            </div>
          ) : null}
          <GridBody
            grid={grid}
            lay={lay}
            visible={visible}
            decimals={fit?.decimals}
            rowHeight={ROW_HEIGHT}
            gutterWidth={gutter}
            totalWidth={totalWidth}
          />
        </div>
        {layout.profile !== null && !loading ? (
          <ProfilePanel
            engine={engine}
            tableName={tableName}
            where={where}
            names={names}
            kinds={kinds}
            zoned={zoned}
            timeZone={timeZone}
            column={layout.profile}
            onColumn={(profile) => setLayout({ profile })}
            onClose={() => setLayout({ profile: null })}
          />
        ) : null}
      </div>
      <GridPopups grid={grid} actions={actions} />
    </div>
  );
}
