/** The grid's one open popup: a cell's or a column's menu, the filter editor or the columns list. */
import { request } from '../../workbench/intents';
import { Menu, type MenuItem } from '../common/Menu';
import type { GridActions, GridModel } from './gridActions';
import { openPopup, useGridStore } from './gridStore';
import { ColumnsList, FilterEditor } from './GridMenus';
import { lineageFromRow } from './lineageFromRow';

/** The menu of a column (by index): sort, filter, profile, hide, copy its name. */
function headerMenu(grid: GridModel, actions: GridActions, col: number): MenuItem[] {
  const { loading } = grid;
  return [
    { label: 'Sort ascending', disabled: loading, onSelect: () => actions.sortBy(col, false) },
    { label: 'Sort descending', disabled: loading, onSelect: () => actions.sortBy(col, true) },
    {
      label: 'Filter…',
      disabled: loading,
      testId: 'menu-filter',
      onSelect: () =>
        openPopup(grid.gridKey, { kind: 'filter', x: grid.pointer.current.x, y: grid.pointer.current.y, col }),
    },
    {
      label: 'Profile column',
      disabled: loading,
      testId: 'menu-profile',
      onSelect: () => grid.setLayout({ profile: col }),
    },
    { label: 'Hide column', testId: 'menu-hide', onSelect: () => actions.hideColumn(col) },
    { label: 'Copy column name', onSelect: () => actions.copyName(col) },
  ];
}

/** The menu of a cell (by row and display position): copy, filter on its value, profile, lineage. */
function cellMenu(grid: GridModel, actions: GridActions, row: number, col: number): MenuItem[] {
  const { cache, names, loading } = grid;
  const index = grid.visibleIndex[col]!;
  const value = cache.row(row)?.[index] ?? null;
  // A metric row (pipeline_id, series_id, time) leads to the Bronze records behind it.
  const lineage = lineageFromRow(names, cache.row(row));
  return [
    { label: 'Copy', hint: 'Ctrl+C', onSelect: actions.copySelection },
    { label: 'Copy value', testId: 'menu-copy-value', onSelect: () => actions.copyValue(value, index) },
    { label: 'Copy row as JSON', testId: 'menu-copy-json', onSelect: () => actions.copyRowJson(row) },
    { label: 'Copy column name', onSelect: () => actions.copyName(index) },
    {
      label: value === null ? 'Filter: is null' : 'Filter: equal to this value',
      disabled: loading,
      onSelect: () => actions.filterEqual(index, value),
    },
    { label: 'Profile column', disabled: loading, onSelect: () => grid.setLayout({ profile: index }) },
    ...(lineage
      ? [{ label: 'Show Bronze records', testId: 'menu-lineage', onSelect: () => request('lineage.open', lineage) }]
      : []),
  ];
}

export function GridPopups({ grid, actions }: { grid: GridModel; actions: GridActions }) {
  const { gridKey, names, kinds, zoned, timeZone, layout, setLayout } = grid;
  const popup = useGridStore((s) => s.popups[gridKey]);
  const close = () => openPopup(gridKey, null);
  if (!popup) return null;
  // Keyed by kind: a cell's menu and a column's are separate menus, not one updated in place.
  switch (popup.kind) {
    case 'context':
      return (
        <Menu
          key="context"
          x={popup.x}
          y={popup.y}
          items={cellMenu(grid, actions, popup.row, popup.col)}
          onClose={close}
          testId="cell-menu"
        />
      );
    case 'header':
      return (
        <Menu
          key="header"
          x={popup.x}
          y={popup.y}
          items={headerMenu(grid, actions, popup.col)}
          onClose={close}
          testId="header-menu"
        />
      );
    case 'filter':
      return popup.col >= 0 ? (
        <FilterEditor
          x={popup.x}
          y={popup.y}
          column={names[popup.col] ?? ''}
          kind={kinds[popup.col] ?? 'text'}
          current={layout.filters.find((f) => f.column === names[popup.col])}
          timeZone={zoned[popup.col] ? timeZone : 'UTC'}
          onApply={(f) => actions.setFilter(popup.col, f)}
          onRemove={() => actions.setFilter(popup.col, null)}
          onClose={close}
        />
      ) : null;
    case 'columns':
      return (
        <ColumnsList
          x={popup.x}
          y={popup.y}
          names={names}
          order={layout.order}
          hidden={layout.hidden}
          onToggle={(i) =>
            layout.hidden.includes(i)
              ? setLayout({ hidden: layout.hidden.filter((h) => h !== i) })
              : actions.hideColumn(i)
          }
          onShowAll={() => setLayout({ hidden: [] })}
          onClose={close}
        />
      );
  }
}
