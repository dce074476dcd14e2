/**
 * The result grid: TanStack Table for the column model (sizes, resizing, order,
 * visibility, sort state) and our own scaled virtual rows (scaledScroll), so
 * only what is on screen is rendered and a 10-million-row result scrolls to
 * its last row. Rows come page by page from the WASM engine; filters and
 * sorting run there, over the whole result.
 */
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnSizingState,
  type SortingState,
} from '@tanstack/react-table';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { ColumnInfo } from '../../../shared/api/contract';
import { errorMessage } from '../../../shared/errors';
import { FILTER_OPS, whereClause, type ColumnFilter, type GridViewSpec } from '../../../shared/gridView';
import type { CellValue, ColumnKind } from '../../engine/rows';
import type { GridView } from '../../engine/WasmEngine';
import { writeClipboard } from '../common/clipboard';
import { rowsToTsv, rowToJson, type CopyColumn } from './copyFormat';
import { ExportControl } from './ExportControl';
import { formatCell, formatRowCount, isNumericKind, shortType } from '../../workbench/format';
import { Menu, type MenuItem } from '../common/Menu';
import { ColumnsList, FilterEditor } from './GridMenus';
import { request } from '../../workbench/intents';
import type { Parts } from '../../workbench/parts';
import { lineageFromRow } from './lineageFromRow';
import { columnsKey, layoutFor, moveColumn, updateLayout, useGridStore } from './gridStore';
import { columnFit, recalledPlace, rememberPlace } from './pageCaches';
import { ProfilePanel } from './ProfilePanel';
import { scrollLayout, scrollTopFor } from './scaledScroll';
import { cycleSort } from './sorting';
import { usePagedRows } from './usePagedRows';

const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 40;
/** Copying more than this goes through Export instead: the clipboard is not a file. */
const COPY_LIMIT = 100_000;

function gutterWidth(rowCount: number): number {
  return Math.max(44, String(rowCount).length * 8 + 18);
}

/** The props the workbench's `resultGrid` part gives (see workbench/parts). */
export type ResultGridProps = Parts['resultGrid'];

/** A width from the type until the first page arrives and the content can be measured. */
function typeWidth(column: ColumnInfo): number {
  const type = shortType(column.type);
  const byType = type.startsWith('timestamp') ? 170 : type === 'date' ? 110 : type === 'text' ? 160 : 110;
  return Math.min(360, Math.max(byType, column.name.length * 8 + 48));
}

function kindFromType(type: string): ColumnKind {
  const t = shortType(type);
  if (['int', 'bigint', 'smallint', 'tinyint', 'uint', 'ubigint', 'hugeint'].includes(t)) return 'integer';
  if (t === 'double' || t === 'float' || t.startsWith('decimal')) return 'float';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (t === 'date') return 'date';
  if (t === 'bool') return 'boolean';
  return 'text';
}

interface Selection {
  anchor: { row: number; col: number };
  focus: { row: number; col: number };
  /** Whole rows (gutter clicks, Ctrl+A): copied with a header. */
  rows: boolean;
}

function selectionBounds(sel: Selection) {
  return {
    r0: Math.min(sel.anchor.row, sel.focus.row),
    r1: Math.max(sel.anchor.row, sel.focus.row),
    c0: Math.min(sel.anchor.col, sel.focus.col),
    c1: Math.max(sel.anchor.col, sel.focus.col),
  };
}

type Popup =
  | { kind: 'context'; x: number; y: number; row: number; col: number }
  | { kind: 'header'; x: number; y: number; col: number }
  | { kind: 'filter'; x: number; y: number; col: number }
  | { kind: 'columns'; x: number; y: number };

export function ResultGrid(props: ResultGridProps) {
  const { gridKey, engine, tableName, columns, rowCount, sort, onSortChange, sql, timeZone, loading = false } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [columnSizing, setColumnSizing] = useState<ColumnSizingState>(() => recalledPlace(tableName)?.sizing ?? {});
  const key = columnsKey(columns);
  // Select the stored entry itself: a fresh default object per call would never settle.
  const stored = useGridStore((s) => s.layouts[gridKey]);
  const layout = useMemo(() => layoutFor(stored, key, columns.length), [key, columns.length, stored]);
  const setLayout = useCallback(
    (patch: Parameters<typeof updateLayout>[3]) => updateLayout(gridKey, key, columns.length, patch),
    [gridKey, key, columns.length],
  );
  const [popup, setPopup] = useState<Popup | null>(null);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);

  const names = useMemo(() => columns.map((c) => c.name), [columns]);
  const zoned = useMemo(() => columns.map((c) => shortType(c.type) === 'timestamptz'), [columns]);
  const zonedSet = useMemo(() => new Set(columns.filter((_, i) => zoned[i]).map((c) => c.name)), [columns, zoned]);

  // ---------------------------------------------------------------- the view: filters and sort
  const where = useMemo(() => {
    try {
      return whereClause(layout.filters, { timeZone, zoned: zonedSet });
    } catch {
      return ''; // filters are checked when applied; a changed time zone cannot make one invalid
    }
  }, [layout.filters, timeZone, zonedSet]);
  const view = useMemo<GridView>(() => ({ sort, where }), [sort, where]);
  const [viewRows, setViewRows] = useState<{ where: string; rows: number } | null>(null);
  const [viewError, setViewError] = useState<string | null>(null);
  useEffect(() => {
    if (!engine || where === '') return;
    let live = true;
    setViewError(null);
    engine.viewRowCount(tableName, view).then(
      (rows) => live && setViewRows({ where, rows }),
      (err: unknown) => live && setViewError(`Could not filter: ${errorMessage(err)}`),
    );
    return () => {
      live = false;
    };
  }, [engine, tableName, view, where, rowCount]);
  const filtering = where !== '' && viewRows?.where !== where;
  const shownRows = where === '' ? rowCount : filtering ? 0 : (viewRows?.rows ?? 0);
  const GUTTER_WIDTH = gutterWidth(shownRows);

  // ---------------------------------------------------------------- columns
  const fit = columnFit(tableName);
  const widths = fit?.widths;
  const columnDefs = useMemo<ColumnDef<CellValue[]>[]>(
    () =>
      columns.map((column, index) => ({
        // Positions, not names, identify columns: a result may repeat a name.
        id: `c${index}`,
        header: column.name,
        size: widths?.[index] ?? typeWidth(column),
        minSize: 48,
        maxSize: 1200,
      })),
    [columns, widths],
  );
  const sorting = useMemo<SortingState>(
    () =>
      sort.flatMap((s) => {
        const index = columns.findIndex((c) => c.name === s.column);
        return index >= 0 ? [{ id: `c${index}`, desc: s.desc }] : [];
      }),
    [sort, columns],
  );
  const columnOrder = useMemo(() => layout.order.map((i) => `c${i}`), [layout.order]);
  const columnVisibility = useMemo(
    () => Object.fromEntries(layout.hidden.map((i) => [`c${i}`, false])),
    [layout.hidden],
  );
  const table = useReactTable<CellValue[]>({
    data: [],
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableColumnResizing: true,
    columnResizeMode: 'onChange',
    state: { sorting, columnSizing, columnOrder, columnVisibility },
    onColumnSizingChange: setColumnSizing,
  });
  const visible = table.getVisibleLeafColumns();
  /** Display position → column index. */
  const visibleIndex = visible.map((c) => Number(c.id.slice(1)));
  const exportView: GridViewSpec = {
    sort,
    filters: layout.filters,
    columns: visibleIndex.map((i) => names[i] ?? ''),
  };

  // ---------------------------------------------------------------- rows on screen
  const [scroll, setScroll] = useState({ top: recalledPlace(tableName)?.top ?? 0, height: 600 });
  const frame = useRef(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const saved = recalledPlace(tableName);
    if (saved) {
      el.scrollTop = saved.top;
      el.scrollLeft = saved.left;
    }
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [tableName]);
  // Tracked while scrolling: by the time an unmount cleanup runs, the element is detached and reads 0.
  const place = useRef({ top: recalledPlace(tableName)?.top ?? 0, left: recalledPlace(tableName)?.left ?? 0 });
  const sizingRef = useRef(columnSizing);
  sizingRef.current = columnSizing;
  useEffect(() => () => rememberPlace(tableName, { ...place.current, sizing: sizingRef.current }), [tableName]);

  const bodyHeight = Math.max(0, scroll.height - HEADER_HEIGHT);
  const lay = scrollLayout(shownRows, ROW_HEIGHT, scroll.top, bodyHeight);
  const range = lay.rows.length ? { first: lay.first, last: lay.last } : null;
  const { cache, error } = usePagedRows(engine, gridKey, tableName, view, filtering ? 0 : shownRows, range);
  const kinds: ColumnKind[] = columns.map((c, i) => cache.columns?.[i]?.kind ?? kindFromType(c.type));
  const decimals = fit?.decimals;
  const totalWidth = GUTTER_WIDTH + table.getTotalSize();

  const scrollToRow = (row: number) => {
    const el = scrollRef.current;
    if (el) el.scrollTop = scrollTopFor(row, shownRows, ROW_HEIGHT, bodyHeight);
  };

  // A new view starts with nothing selected.
  useEffect(() => setSelection(null), [tableName, where, sort]);

  // ---------------------------------------------------------------- copy
  const copyColumn = (index: number): CopyColumn => ({
    name: names[index] ?? '',
    kind: kinds[index] ?? 'text',
    ...(zoned[index] ? { timeZone } : {}),
  });
  const say = (text: string) => {
    setNotice(text);
    window.setTimeout(() => setNotice((n) => (n === text ? null : n)), 4000);
  };
  const rowsBetween = async (r0: number, r1: number): Promise<CellValue[][]> => {
    const cached: CellValue[][] = [];
    for (let r = r0; r <= r1; r++) {
      const row = cache.row(r);
      if (!row) break;
      cached.push(row);
    }
    if (cached.length === r1 - r0 + 1) return cached;
    if (!engine) throw new Error('The grid engine is not ready');
    return (await engine.page(tableName, r0, r1 - r0 + 1, view)).rows;
  };
  const copy = async (what: () => Promise<string>, done: string) => {
    try {
      await writeClipboard(await what());
      say(done);
    } catch (err) {
      say(`Could not copy: ${errorMessage(err)}`);
    }
  };
  const copySelection = () => {
    if (!selection) return;
    const { r0, r1, c0, c1 } = selectionBounds(selection);
    const count = r1 - r0 + 1;
    if (count > COPY_LIMIT) {
      say(
        `${count.toLocaleString('en-US')} rows are too many to copy (limit ${COPY_LIMIT.toLocaleString('en-US')}): use Export for the full result.`,
      );
      return;
    }
    const cols = selection.rows ? visibleIndex : visibleIndex.slice(c0, c1 + 1);
    void copy(
      async () => {
        const rows = await rowsBetween(r0, r1);
        return rowsToTsv(
          cols.map(copyColumn),
          rows.map((row) => cols.map((i) => row[i] ?? null)),
          selection.rows,
        );
      },
      count === 1 && cols.length === 1 ? 'Copied the value' : `Copied ${formatRowCount(count)} as TSV`,
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      if (shownRows > 0)
        setSelection({
          anchor: { row: 0, col: 0 },
          focus: { row: shownRows - 1, col: visibleIndex.length - 1 },
          rows: true,
        });
    } else if (mod && e.key.toLowerCase() === 'c') {
      e.preventDefault();
      copySelection();
    } else if (e.key === 'Escape') {
      setSelection(null);
    } else if (mod && e.key === 'End') {
      e.preventDefault();
      scrollToRow(shownRows - 1);
    } else if (mod && e.key === 'Home') {
      e.preventDefault();
      scrollToRow(0);
    } else if (selection && ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(e.key)) {
      e.preventDefault();
      const f = selection.focus;
      const row = Math.max(
        0,
        Math.min(shownRows - 1, f.row + (e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0)),
      );
      const col = Math.max(
        0,
        Math.min(visibleIndex.length - 1, f.col + (e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0)),
      );
      setSelection(
        e.shiftKey ? { ...selection, focus: { row, col } } : { anchor: { row, col }, focus: { row, col }, rows: false },
      );
      if (row < lay.first + 10 || row > lay.last - 10)
        scrollToRow(Math.max(0, row - Math.floor(bodyHeight / ROW_HEIGHT / 2)));
    }
  };

  const clickCell = (e: MouseEvent, row: number, col: number) => {
    if (e.button !== 0) return;
    const at = { row, col };
    setSelection(e.shiftKey && selection ? { ...selection, focus: at } : { anchor: at, focus: at, rows: false });
  };
  const clickGutter = (e: MouseEvent, row: number) => {
    const last = visibleIndex.length - 1;
    setSelection(
      e.shiftKey && selection
        ? { anchor: { row: selection.anchor.row, col: 0 }, focus: { row, col: last }, rows: true }
        : { anchor: { row, col: 0 }, focus: { row, col: last }, rows: true },
    );
  };

  // ---------------------------------------------------------------- filters and columns
  const setFilter = (index: number, filter: ColumnFilter | null) => {
    const name = names[index];
    const others = layout.filters.filter((f) => f.column !== name);
    setLayout({ filters: filter ? [...others, filter] : others });
  };
  const hideColumn = (index: number) => {
    if (layout.hidden.length + 1 >= columns.length) return say('At least one column stays visible.');
    setLayout({ hidden: [...layout.hidden, index] });
  };
  const sortBy = (index: number, desc: boolean | null, additive = false) => {
    const name = names[index]!;
    if (desc === null) onSortChange(cycleSort(sort, name, additive));
    else onSortChange([{ column: name, desc }]);
  };
  const waitTitle = loading ? 'Available once every row is loaded' : undefined;

  const headerMenu = (col: number): MenuItem[] => [
    { label: 'Sort ascending', disabled: loading, onSelect: () => sortBy(col, false) },
    { label: 'Sort descending', disabled: loading, onSelect: () => sortBy(col, true) },
    {
      label: 'Filter…',
      disabled: loading,
      testId: 'menu-filter',
      onSelect: () => setPopup({ kind: 'filter', x: popupX(), y: popupY(), col }),
    },
    { label: 'Profile column', disabled: loading, testId: 'menu-profile', onSelect: () => setLayout({ profile: col }) },
    { label: 'Hide column', testId: 'menu-hide', onSelect: () => hideColumn(col) },
    { label: 'Copy column name', onSelect: () => void copy(async () => names[col] ?? '', 'Copied the column name') },
  ];
  const lastPointer = useRef({ x: 0, y: 0 });
  const popupX = () => lastPointer.current.x;
  const popupY = () => lastPointer.current.y;

  const contextMenu = (row: number, col: number): MenuItem[] => {
    const index = visibleIndex[col]!;
    const value = cache.row(row)?.[index] ?? null;
    // A metric row (pipeline_id, series_id, time) leads to the Bronze records behind it.
    const lineage = lineageFromRow(names, cache.row(row));
    return [
      { label: 'Copy', hint: 'Ctrl+C', onSelect: copySelection },
      {
        label: 'Copy value',
        testId: 'menu-copy-value',
        onSelect: () =>
          void copy(
            async () =>
              value === null ? '' : formatCell(value, kinds[index] ?? 'text', zoned[index] ? timeZone : undefined),
            'Copied the value',
          ),
      },
      {
        label: 'Copy row as JSON',
        testId: 'menu-copy-json',
        onSelect: () =>
          void copy(async () => {
            const r = (await rowsBetween(row, row))[0] ?? [];
            return rowToJson(
              columns.map((_, i) => copyColumn(i)),
              r,
            );
          }, 'Copied the row as JSON'),
      },
      {
        label: 'Copy column name',
        onSelect: () => void copy(async () => names[index] ?? '', 'Copied the column name'),
      },
      {
        label: value === null ? 'Filter: is null' : 'Filter: equal to this value',
        disabled: loading,
        onSelect: () =>
          setFilter(index, {
            column: names[index]!,
            kind: kinds[index] ?? 'text',
            op: value === null ? 'is_null' : 'eq',
            value: value === null ? '' : formatCell(value, kinds[index] ?? 'text', zoned[index] ? timeZone : undefined),
          }),
      },
      { label: 'Profile column', disabled: loading, onSelect: () => setLayout({ profile: index }) },
      ...(lineage
        ? [{ label: 'Show Bronze records', testId: 'menu-lineage', onSelect: () => request('lineage.open', lineage) }]
        : []),
    ];
  };

  const sel = selection ? selectionBounds(selection) : null;
  const countText = loading
    ? `Loading… ${formatRowCount(rowCount)} so far`
    : where === ''
      ? formatRowCount(rowCount)
      : filtering
        ? `Filtering ${formatRowCount(rowCount)}…`
        : `${shownRows.toLocaleString('en-US')} of ${formatRowCount(rowCount)}`;

  return (
    <div className="grid-wrap">
      <div className="grid-toolbar" onMouseDown={(e) => (lastPointer.current = { x: e.clientX, y: e.clientY + 12 })}>
        <span className="grid-count" data-testid="grid-count" data-shown={shownRows} data-total={rowCount}>
          {countText}
        </span>
        {layout.filters.map((f) => (
          <span key={f.column} className="grid-chip" data-testid="filter-chip">
            <button
              type="button"
              className="link-button"
              title="Edit this filter"
              onClick={() => setPopup({ kind: 'filter', x: popupX(), y: popupY(), col: names.indexOf(f.column) })}
            >
              {f.column} {FILTER_OPS[f.op]} {f.op === 'is_null' || f.op === 'not_null' ? '' : `“${f.value}”`}
            </button>
            <button
              type="button"
              className="grid-chip-x"
              aria-label={`Remove the filter on ${f.column}`}
              onClick={() => setFilter(names.indexOf(f.column), null)}
            >
              ×
            </button>
          </span>
        ))}
        {layout.filters.length > 1 ? (
          <button type="button" className="link-button" onClick={() => setLayout({ filters: [] })}>
            Clear filters
          </button>
        ) : layout.filters.length === 1 ? (
          <button
            type="button"
            className="link-button"
            data-testid="filters-clear"
            onClick={() => setLayout({ filters: [] })}
          >
            Clear
          </button>
        ) : null}
        {notice ? (
          <span className="grid-notice" data-testid="grid-notice" role="status">
            {notice}
          </span>
        ) : null}
        <span className="toolbar-spacer" />
        <button
          type="button"
          data-testid="columns-button"
          title="Show or hide columns"
          onClick={(e) => {
            const r = e.currentTarget.getBoundingClientRect();
            setPopup({ kind: 'columns', x: r.left, y: r.bottom + 2 });
          }}
        >
          Columns{layout.hidden.length ? ` (${layout.hidden.length} hidden)` : ''} ▾
        </button>
        <button
          type="button"
          data-testid="profile-button"
          disabled={loading}
          title={waitTitle ?? 'Profile a column over the whole result'}
          onClick={() =>
            setLayout({ profile: layout.profile === null ? (visibleIndex[selection?.focus.col ?? 0] ?? 0) : null })
          }
        >
          Profile
        </button>
        <ExportControl
          sql={sql}
          view={exportView}
          names={names}
          exported={layout.exported}
          onStarted={(exported) => setLayout({ exported })}
        />
      </div>
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
          onScroll={(e) => {
            const el = e.currentTarget;
            place.current = { top: el.scrollTop, left: el.scrollLeft };
            cancelAnimationFrame(frame.current);
            frame.current = requestAnimationFrame(() => setScroll({ top: el.scrollTop, height: el.clientHeight }));
          }}
        >
          <div className="grid-header" style={{ width: totalWidth }} role="row">
            <div
              className="grid-gutter grid-header-cell"
              style={{ width: GUTTER_WIDTH }}
              title="Ctrl+A selects every row"
            >
              #
            </div>
            {table.getHeaderGroups()[0]?.headers.map((header, position) => {
              const index = Number(header.column.id.slice(1));
              const name = names[index] ?? '';
              const sorted = header.column.getIsSorted();
              const filtered = layout.filters.some((f) => f.column === name);
              const numeric = isNumericKind(kinds[index] ?? 'text');
              return (
                <div
                  key={header.id}
                  className={`grid-header-cell${numeric ? ' num' : ''}${sorted ? ' sorted' : ''}${filtered ? ' filtered' : ''}${dragFrom === position ? ' dragging' : ''}`}
                  style={{ width: header.getSize() }}
                  role="columnheader"
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                  data-column={name}
                  draggable
                  title={`${name} — ${columns[index]?.type ?? ''}${zoned[index] ? `, shown in ${timeZone}` : ''}\n${waitTitle ?? 'Click to sort; Shift+click to add to the sort; drag to move'}`}
                  onDragStart={(e) => {
                    setDragFrom(position);
                    e.dataTransfer.effectAllowed = 'move';
                    e.dataTransfer.setData('text/plain', name);
                  }}
                  onDragOver={(e) => e.preventDefault()}
                  onDragEnd={() => setDragFrom(null)}
                  onDrop={(e) => {
                    e.preventDefault();
                    if (dragFrom === null || dragFrom === position) return;
                    const displayed = moveColumn(visibleIndex, dragFrom, position);
                    // Hidden columns keep their place after the visible ones.
                    setLayout({ order: [...displayed, ...layout.order.filter((i) => !displayed.includes(i))] });
                    setDragFrom(null);
                  }}
                  onClick={(e) => !loading && onSortChange(cycleSort(sort, name, e.shiftKey))}
                  onContextMenu={(e) => {
                    e.preventDefault();
                    lastPointer.current = { x: e.clientX, y: e.clientY };
                    setPopup({ kind: 'header', x: e.clientX, y: e.clientY, col: index });
                  }}
                >
                  <span className="grid-header-name">{name}</span>
                  <span className="grid-header-type">{shortType(columns[index]?.type ?? '')}</span>
                  <span className="grid-sort" aria-hidden>
                    {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                  </span>
                  <button
                    type="button"
                    className="grid-header-menu"
                    data-testid="column-menu-button"
                    aria-label={`Column menu for ${name}`}
                    onClick={(e) => {
                      e.stopPropagation();
                      const r = e.currentTarget.getBoundingClientRect();
                      lastPointer.current = { x: r.left, y: r.bottom + 2 };
                      setPopup({ kind: 'header', x: r.left, y: r.bottom + 2, col: index });
                    }}
                  >
                    ▾
                  </button>
                  <span
                    className={`grid-resizer${header.column.getIsResizing() ? ' active' : ''}`}
                    onMouseDown={header.getResizeHandler()}
                    onTouchStart={header.getResizeHandler()}
                    onClick={(e) => e.stopPropagation()}
                    onDoubleClick={() => header.column.resetSize()}
                  />
                </div>
              );
            })}
          </div>
          {error || viewError ? <div className="grid-error">{error ?? viewError}</div> : null}
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
          <div className="grid-body" style={{ height: lay.totalHeight, width: totalWidth }}>
            {lay.rows.map(({ index: r, top }) => {
              const row = cache.row(r);
              const rowSelected = sel !== null && r >= sel.r0 && r <= sel.r1;
              return (
                <div
                  key={r}
                  className={`grid-row${r % 2 ? ' odd' : ''}${row ? '' : ' loading'}${rowSelected && selection?.rows ? ' selected' : ''}`}
                  data-testid={row ? 'result-row' : 'result-row-loading'}
                  data-index={r}
                  role="row"
                  style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
                >
                  <div className="grid-gutter" style={{ width: GUTTER_WIDTH }} onMouseDown={(e) => clickGutter(e, r)}>
                    {r + 1}
                  </div>
                  {visible.map((column, p) => {
                    const index = visibleIndex[p]!;
                    const width = column.getSize();
                    if (!row)
                      return (
                        <div key={column.id} className="grid-cell placeholder" style={{ width }}>
                          <span />
                        </div>
                      );
                    const value = row[index] ?? null;
                    const kind = kinds[index] ?? 'text';
                    const text = formatCell(value, kind, zoned[index] ? timeZone : undefined, decimals?.[index]);
                    const selected = rowSelected && sel !== null && p >= sel.c0 && p <= sel.c1;
                    return (
                      <div
                        key={column.id}
                        className={`grid-cell${isNumericKind(kind) ? ' num' : ''}${selected ? ' selected' : ''}`}
                        data-testid="result-cell"
                        data-column={names[index]}
                        style={{ width }}
                        role="gridcell"
                        aria-selected={selected}
                        title={value === null || text.length < 24 ? undefined : text}
                        onMouseDown={(e) => clickCell(e, r, p)}
                        onContextMenu={(e) => {
                          e.preventDefault();
                          if (!selected)
                            setSelection({ anchor: { row: r, col: p }, focus: { row: r, col: p }, rows: false });
                          setPopup({ kind: 'context', x: e.clientX, y: e.clientY, row: r, col: p });
                        }}
                      >
                        {value === null ? <span className="null">NULL</span> : text}
                      </div>
                    );
                  })}
                </div>
              );
            })}
          </div>
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
      {popup?.kind === 'context' ? (
        <Menu
          x={popup.x}
          y={popup.y}
          items={contextMenu(popup.row, popup.col)}
          onClose={() => setPopup(null)}
          testId="cell-menu"
        />
      ) : null}
      {popup?.kind === 'header' ? (
        <Menu
          x={popup.x}
          y={popup.y}
          items={headerMenu(popup.col)}
          onClose={() => setPopup(null)}
          testId="header-menu"
        />
      ) : null}
      {popup?.kind === 'filter' && popup.col >= 0 ? (
        <FilterEditor
          x={popup.x}
          y={popup.y}
          column={names[popup.col] ?? ''}
          kind={kinds[popup.col] ?? 'text'}
          current={layout.filters.find((f) => f.column === names[popup.col])}
          timeZone={zoned[popup.col] ? timeZone : 'UTC'}
          onApply={(f) => setFilter(popup.col, f)}
          onRemove={() => setFilter(popup.col, null)}
          onClose={() => setPopup(null)}
        />
      ) : null}
      {popup?.kind === 'columns' ? (
        <ColumnsList
          x={popup.x}
          y={popup.y}
          names={names}
          order={layout.order}
          hidden={layout.hidden}
          onToggle={(i) =>
            layout.hidden.includes(i) ? setLayout({ hidden: layout.hidden.filter((h) => h !== i) }) : hideColumn(i)
          }
          onShowAll={() => setLayout({ hidden: [] })}
          onClose={() => setPopup(null)}
        />
      ) : null}
    </div>
  );
}
