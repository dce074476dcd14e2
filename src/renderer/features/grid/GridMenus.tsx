/** The grid's popovers beside the shared menu: the filter editor and the columns list. */
import { useState } from 'react';
import { Popover } from '../common/Menu';
import {
  FILTER_OPS,
  FilterValueError,
  filterCondition,
  opsFor,
  type ColumnFilter,
  type FilterOp,
} from '../../../shared/gridView';
import type { ColumnKind } from '../../engine/rows';

export function FilterEditor({
  x,
  y,
  column,
  kind,
  current,
  timeZone,
  onApply,
  onRemove,
  onClose,
}: {
  x: number;
  y: number;
  column: string;
  kind: ColumnKind;
  current: ColumnFilter | undefined;
  timeZone: string;
  onApply: (filter: ColumnFilter) => void;
  onRemove: () => void;
  onClose: () => void;
}) {
  const ops = opsFor(kind);
  const [op, setOp] = useState<FilterOp>(current?.op ?? ops[0]!);
  const [value, setValue] = useState(current?.value ?? '');
  const [error, setError] = useState<string | null>(null);
  const needsValue = op !== 'is_null' && op !== 'not_null';
  const apply = () => {
    const filter: ColumnFilter = { column, kind, op, value };
    if (needsValue && value.trim() === '') {
      setError('Type a value to compare with');
      return;
    }
    try {
      filterCondition(filter, { timeZone });
    } catch (err) {
      setError(err instanceof FilterValueError ? err.message : String(err));
      return;
    }
    onApply(filter);
    onClose();
  };
  const placeholder =
    kind === 'timestamp'
      ? `2024-05-01 13:30 (${timeZone})`
      : kind === 'date'
        ? '2024-05-01'
        : kind === 'boolean'
          ? 'true or false'
          : 'value';
  return (
    <Popover x={x} y={y} onClose={onClose} className="grid-filter" testId="filter-editor">
      <div className="grid-filter-title">
        Filter <strong>{column}</strong>
      </div>
      <div className="grid-filter-row">
        <select
          value={op}
          onChange={(e) => setOp(e.target.value as FilterOp)}
          data-testid="filter-op"
          aria-label="Condition"
        >
          {ops.map((o) => (
            <option key={o} value={o}>
              {FILTER_OPS[o]}
            </option>
          ))}
        </select>
        {needsValue ? (
          <input
            autoFocus
            value={value}
            placeholder={placeholder}
            data-testid="filter-value"
            aria-label="Value"
            onChange={(e) => {
              setValue(e.target.value);
              setError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') apply();
            }}
          />
        ) : null}
      </div>
      {error ? (
        <div className="grid-filter-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="grid-filter-actions">
        {current ? (
          <button type="button" onClick={() => (onRemove(), onClose())}>
            Remove
          </button>
        ) : null}
        <span className="toolbar-spacer" />
        <button type="button" className="primary" data-testid="filter-apply" onClick={apply}>
          Apply
        </button>
      </div>
    </Popover>
  );
}

export function ColumnsList({
  x,
  y,
  names,
  order,
  hidden,
  onToggle,
  onShowAll,
  onClose,
}: {
  x: number;
  y: number;
  names: string[];
  order: number[];
  hidden: number[];
  onToggle: (index: number) => void;
  onShowAll: () => void;
  onClose: () => void;
}) {
  return (
    <Popover x={x} y={y} onClose={onClose} className="grid-columns" testId="columns-menu">
      <div className="grid-columns-list">
        {order.map((i) => (
          <label key={i} className="grid-columns-item">
            <input
              type="checkbox"
              checked={!hidden.includes(i)}
              data-testid="column-toggle"
              data-column={names[i]}
              onChange={() => onToggle(i)}
            />
            {names[i]}
          </label>
        ))}
      </div>
      <div className="grid-filter-actions">
        <button type="button" onClick={onShowAll} disabled={hidden.length === 0}>
          Show all
        </button>
      </div>
    </Popover>
  );
}
