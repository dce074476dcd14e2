/** The bar above the grid: the row count, the filter chips, a passing notice, Columns, Profile and Export. */
import { memo } from 'react';
import { FILTER_OPS, type GridViewSpec } from '../../../shared/gridView';
import { formatRowCount } from '../../workbench/format';
import { ExportControl } from './ExportControl';
import type { GridActions, GridModel } from './gridActions';
import { openPopup, useGridStore } from './gridStore';

/** Memoized: a scroll frame redraws the rows, not the toolbar. */
export const GridToolbar = memo(function GridToolbar({
  grid,
  actions,
  rowCount,
  shownRows,
  where,
  filtering,
  sql,
}: {
  grid: GridModel;
  actions: GridActions;
  rowCount: number;
  shownRows: number;
  where: string;
  filtering: boolean;
  sql: string;
}) {
  const { gridKey, names, layout, setLayout, loading, waitTitle, visibleIndex, pointer } = grid;
  const notice = useGridStore((s) => s.notices[gridKey]);
  const countText = loading
    ? `Loading… ${formatRowCount(rowCount)} so far`
    : where === ''
      ? formatRowCount(rowCount)
      : filtering
        ? `Filtering ${formatRowCount(rowCount)}…`
        : `${shownRows.toLocaleString('en-US')} of ${formatRowCount(rowCount)}`;
  const exportView: GridViewSpec = {
    sort: grid.sort,
    filters: layout.filters,
    columns: visibleIndex.map((i) => names[i] ?? ''),
  };

  return (
    <div className="grid-toolbar" onMouseDown={(e) => (pointer.current = { x: e.clientX, y: e.clientY + 12 })}>
      <span className="grid-count" data-testid="grid-count" data-shown={shownRows} data-total={rowCount}>
        {countText}
      </span>
      {layout.filters.map((f) => (
        <span key={f.column} className="grid-chip" data-testid="filter-chip">
          <button
            type="button"
            className="link-button"
            title="Edit this filter"
            onClick={() =>
              openPopup(gridKey, {
                kind: 'filter',
                x: pointer.current.x,
                y: pointer.current.y,
                col: names.indexOf(f.column),
              })
            }
          >
            {f.column} {FILTER_OPS[f.op]} {f.op === 'is_null' || f.op === 'not_null' ? '' : `“${f.value}”`}
          </button>
          <button
            type="button"
            className="grid-chip-x"
            aria-label={`Remove the filter on ${f.column}`}
            onClick={() => actions.setFilter(names.indexOf(f.column), null)}
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
          openPopup(gridKey, { kind: 'columns', x: r.left, y: r.bottom + 2 });
        }}
      >
        Columns{layout.hidden.length ? ` (${layout.hidden.length} hidden)` : ''} ▾
      </button>
      <button
        type="button"
        data-testid="profile-button"
        disabled={loading}
        title={waitTitle ?? 'Profile a column over the whole result'}
        onClick={() => {
          const focus = useGridStore.getState().selections[gridKey]?.focus.col ?? 0;
          setLayout({ profile: layout.profile === null ? (visibleIndex[focus] ?? 0) : null });
        }}
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
  );
});
