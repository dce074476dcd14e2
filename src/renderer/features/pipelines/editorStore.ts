/**
 * Per-tab state of the pipeline editors: the server's pipeline, the draft being
 * edited (saved or not), the Bronze schema, the preview sample and the latest
 * preview. It lives outside the components so switching tabs keeps everything.
 */
import { create } from 'zustand';
import type { PipelineSummary } from '../../../shared/api/contract';
import type { PipelineDraftFile, SampleSeries } from '../../../shared/api/drafts';
import type { SkippedFile } from '../../../shared/api/lake';
import type { BronzeColumn, CheckedPipeline, PipelineDraft } from '../../../shared/formula';
import type { CellValue, EngineColumn } from '../../engine/rows';
import type { ErrorView } from '../../state/errorView';
import { withoutKey } from '../../workbench/records';
import { DEFAULT_CHART_WIDTH, type SampleTable } from './previewSql';

/** A metric as edited: `key` stays with it through renames and reorders (it names its Monaco model). */
export interface EditedMetric {
  key: string;
  name: string;
  formula: string;
  unit: string;
}

export interface EditedDraft {
  /** Names the filter's Monaco model; a new one after a discard gives the editor a fresh model. */
  filterKey: string;
  filter: string;
  metrics: EditedMetric[];
}

export interface PreviewSample extends SampleTable {
  seriesIds: string[];
  from: string;
  to: string;
  records: number;
  /** True when the sample hit its row limit. */
  truncated: boolean;
  /** One value per Bronze column, as text, for completion. */
  exampleValues: Record<string, string>;
  loadMs: number;
}

export interface MetricStats {
  name: string;
  nulls: number;
  nans: number;
  infinities: number;
  /** Sum of the finite values (the preview's checksum). */
  sum: number | null;
}

export interface PreviewResult {
  /** The preview run (one per edit, see previewGeneration) this answer was computed for. */
  generation: number;
  /** Records of the sample it was computed over: a slice of them first, then all (`sampleRecords`). */
  records: number;
  sampleRecords: number;
  /** Compile + run in the engine, ms. */
  engineMs: number;
  rows: number;
  columns: EngineColumn[];
  firstRows: CellValue[][];
  stats: MetricStats[];
  /** The charted metric's lines per series: [epoch ms, value] points, a few per pixel column (null: a gap). */
  chart: { metric: string; series: { seriesId: string; points: [number, number | null][] }[] } | null;
}

export interface PipelineEditorState {
  pipelineId: string;
  loading: boolean;
  error: ErrorView | null;
  server: PipelineSummary | null;
  /** The draft file as last saved (null: no draft on disk). */
  savedDraft: PipelineDraftFile | null;
  /** The server version this editing started from. */
  baseVersion: number | null;
  edited: EditedDraft;
  /** Bronze columns of the cached files (union of their schemas). */
  schema: BronzeColumn[] | null;
  schemaError: ErrorView | null;
  series: SampleSeries[] | null;
  /** Damaged Bronze files left out of the schema, series and sample, as the warehouse last said. */
  skippedFiles: SkippedFile[];
  checked: CheckedPipeline | null;
  sample: PreviewSample | null;
  sampleLoading: boolean;
  sampleError: ErrorView | null;
  preview: PreviewResult | null;
  /**
   * Counts the edits the preview was asked to follow: an answer computed for an
   * older one is dropped (acceptPreview), so what is shown is always one draft's.
   */
  previewGeneration: number;
  /** The metric the chart shows (null: the first), and the chart's width in pixels. */
  chartMetric: string | null;
  chartWidth: number;
  previewRunning: boolean;
  previewError: ErrorView | null;
  /** The metric whose editor gets focus next (go to definition). */
  focusMetric: string | null;
}

interface EditorsStore {
  editors: Record<string, PipelineEditorState>;
}

export const useEditorsStore = create<EditorsStore>(() => ({ editors: {} }));

let keySeq = 0;
export function newMetricKey(): string {
  keySeq++;
  return `m${keySeq}`;
}

export function initialEditor(pipelineId: string): PipelineEditorState {
  return {
    pipelineId,
    loading: true,
    error: null,
    server: null,
    savedDraft: null,
    baseVersion: null,
    edited: { filterKey: 'filter', filter: '', metrics: [] },
    schema: null,
    schemaError: null,
    series: null,
    skippedFiles: [],
    checked: null,
    sample: null,
    sampleLoading: false,
    sampleError: null,
    preview: null,
    previewGeneration: 0,
    chartMetric: null,
    chartWidth: DEFAULT_CHART_WIDTH,
    previewRunning: false,
    previewError: null,
    focusMetric: null,
  };
}

export function getEditor(tabId: string): PipelineEditorState | undefined {
  return useEditorsStore.getState().editors[tabId];
}

export function patchEditor(tabId: string, patch: Partial<PipelineEditorState>): void {
  useEditorsStore.setState((s) => {
    const current = s.editors[tabId];
    if (!current) return s;
    return { editors: { ...s.editors, [tabId]: { ...current, ...patch } } };
  });
}

/**
 * Shows a preview answer unless a newer edit asked for another since it was
 * computed (checked and set in one step). Returns whether it was shown.
 */
export function acceptPreview(tabId: string, result: PreviewResult, patch: Partial<PipelineEditorState> = {}): boolean {
  let accepted = false;
  useEditorsStore.setState((s) => {
    const current = s.editors[tabId];
    if (!current || current.previewGeneration !== result.generation) return s;
    accepted = true;
    return { editors: { ...s.editors, [tabId]: { ...current, ...patch, preview: result, previewError: null } } };
  });
  return accepted;
}

export function setEditor(tabId: string, state: PipelineEditorState): void {
  useEditorsStore.setState((s) => ({ editors: { ...s.editors, [tabId]: state } }));
}

export function removeEditor(tabId: string): void {
  useEditorsStore.setState((s) => ({ editors: withoutKey(s.editors, tabId) }));
}

/** From the first to the last record of these series (epoch ms), or null for none. */
export function spanOf(series: readonly SampleSeries[]): { first: number; last: number } | null {
  if (series.length === 0) return null;
  return { first: Math.min(...series.map((s) => s.first)), last: Math.max(...series.map((s) => s.last)) };
}

/** The draft as the formula language sees it: an empty filter is no filter. */
export function toPipelineDraft(edited: EditedDraft): PipelineDraft {
  return {
    filter: edited.filter.trim() === '' ? null : edited.filter,
    metrics: edited.metrics.map(({ name, formula, unit }) => ({ name, formula, unit })),
  };
}

export function editedFrom(definition: {
  filter: string | null;
  metrics: { name: string; formula: string; unit: string }[];
}): EditedDraft {
  return {
    filterKey: newMetricKey(),
    filter: definition.filter ?? '',
    metrics: definition.metrics.map((m) => ({ key: newMetricKey(), name: m.name, formula: m.formula, unit: m.unit })),
  };
}
