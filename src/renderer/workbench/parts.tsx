/**
 * Parts: views one feature draws inside another's (the result grid and chart in
 * a SQL tab, a Parquet file beside the inspector's records). Like intents, the
 * owner registers the component when the workbench starts and the host renders
 * it by name, so neither imports the other. The props are typed here.
 */
import type { ComponentType, CSSProperties, Ref } from 'react';
import type { ColumnInfo } from '../../shared/api/contract';
import type { SortKey } from '../../shared/gridView';
import type { WasmEngine } from '../engine/WasmEngine';
import { createRegistry } from './registry';

/** A query result held by the engine: what the grid and the chart of a result both draw from. */
export interface ResultPartProps {
  engine: WasmEngine | null;
  tableName: string;
  columns: ColumnInfo[];
  rowCount: number;
  timeZone: string;
}

export interface Parts {
  /** The paged, sortable, filterable grid of a result (owner: grid). */
  resultGrid: ResultPartProps & {
    /** What the grid's layout (widths, order, filters) is kept under: the tab's id. */
    gridKey: string;
    sort: SortKey[];
    onSortChange: (sort: SortKey[]) => void;
    /** The query behind the result, for Export. */
    sql: string;
    /** Rows are still arriving: sort, filter and profile wait for the whole result. */
    loading?: boolean;
  };
  /** A time-series chart of the result above its grid, drawn only while the user has it open (owner: charts). */
  resultChart: ResultPartProps & { tabId: string };
  /** The toolbar button that opens and closes `resultChart` (owner: charts). */
  resultChartToggle: { tabId: string; columns: readonly ColumnInfo[] };
  /** One Bronze Parquet file: its schema, statistics and rows (owner: lake). */
  parquetFile: { fileKey: string; onClose: () => void; style?: CSSProperties; ref?: Ref<HTMLElement> };
}

export type PartName = keyof Parts;

// Keyed by name, each entry the component of that name (providePart's signature guarantees it).
const parts = createRegistry<PartName, ComponentType<never>>((name) => `Two features draw the part "${name}"`);

/** Registers the component that draws `name`; returns how to take it back. */
export function providePart<K extends PartName>(name: K, component: ComponentType<Parts[K]>): () => void {
  return parts.provide(name, component as ComponentType<never>);
}

/** Draws the part `name` with `props`; nothing when no feature provides it (a window without that feature). */
export function Part<K extends PartName>({ name, ...props }: { name: K } & Parts[K]) {
  const Component = parts.get(name) as ComponentType<Parts[K]> | undefined;
  return Component ? <Component {...(props as unknown as Parts[K])} /> : null;
}
