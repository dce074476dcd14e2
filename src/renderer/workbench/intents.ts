/**
 * Intents: how one feature asks for another's work without importing it (the
 * lint rule forbids that). The owning feature provides the handler when the
 * workbench starts (its `contributions`); any feature may ask. Each intent is
 * typed here, so asking with the wrong shape does not compile.
 */
import type { LineageRequest } from '../../shared/api/inspector';
import type { ColumnFilter } from '../../shared/gridView';
import { WorkbenchError } from '../../shared/errors';
import { createRegistry } from './registry';
import type { QueryTarget } from './tabsStore';

/** What the sync dialog starts with besides the pipeline: its metrics and UTC days [from, to) (a chart's "Sync these days"). */
export interface SyncPreset {
  metrics: string[];
  from: string;
  to: string;
}

export interface Intents {
  /**
   * Open a SQL tab with this text (owner: query). `generated` marks SQL the workbench
   * wrote from data: the tab says so and it never runs unasked. Answers the tab's id.
   */
  'sql.open': { input: { sql: string; title?: string; target?: QueryTarget; generated?: boolean }; output: string };
  /** Show the Bronze records behind a metric point (owner: inspector). */
  'lineage.open': { input: LineageRequest; output: void };
  /** Open (or switch to) the record inspector (owner: inspector). */
  'inspector.open': { input: void; output: string };
  /** Open the lake browser at a prefix (owner: lake). */
  'lake.open': { input: { prefix: string }; output: string };
  /** Change a result grid's filters, e.g. to a chart's brushed range (owner: grid). */
  'grid.filter': {
    input: {
      gridKey: string;
      columns: readonly { name: string; type: string }[];
      change: (filters: ColumnFilter[]) => ColumnFilter[];
    };
    output: void;
  };
  /** Open the "Sync metrics" dialog, for a pipeline and days when given (owner: sync). */
  'sync.open': { input: { pipelineId?: string | null; preset?: SyncPreset | null }; output: void };
}

export type IntentName = keyof Intents;
type Handler<K extends IntentName> = (input: Intents[K]['input']) => Intents[K]['output'];

// Keyed by name, each entry the handler of that name (provideIntent's signature guarantees it).
const handlers = createRegistry<IntentName, unknown>((name) => `Two features handle the intent "${name}"`);

/** Makes `handler` the one answer to `name`; returns how to take it back. */
export function provideIntent<K extends IntentName>(name: K, handler: Handler<K>): () => void {
  return handlers.provide(name, handler);
}

/** Asks for another feature's work. A missing owner is a wiring bug, reported as such. */
export function request<K extends IntentName>(name: K, input: Intents[K]['input']): Intents[K]['output'] {
  const handler = handlers.get(name) as Handler<K> | undefined;
  if (!handler) {
    throw new WorkbenchError('internal', `Nothing in this window handles "${name}"`, 'Reload the window');
  }
  return handler(input);
}
