/**
 * Pipeline drafts as the API carries them: one plain `pipelines/<id>.draft.json`
 * per pipeline in the workspace, remembering the server version it started from,
 * so the editor can show what the draft changes and notice a newer server version.
 */
import { z } from 'zod';
import { Id } from './ids';
import { SkippedFile } from './lake';

/** A pipeline id that stays a plain file name inside `pipelines/`: no separators, no dots first. */
export const DraftPipelineId = z
  .string()
  .min(1, 'the pipeline id is empty')
  .max(128, 'the pipeline id is longer than 128 characters')
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, 'a pipeline id is letters, digits, _ and - (and does not start with -)');

export const DraftMetric = z.object({
  name: z.string().max(256),
  formula: z.string().max(20_000),
  unit: z.string().max(256),
});
export type DraftMetric = z.infer<typeof DraftMetric>;

/** What a draft file holds. */
export const PipelineDraftFile = z.object({
  pipelineId: DraftPipelineId,
  /** The server's version the draft was started from; null for a pipeline the server does not have. */
  baseVersion: z.number().int().nonnegative().nullable(),
  filter: z.string().max(20_000).nullable(),
  metrics: z.array(DraftMetric).max(500),
  savedAt: z.string(),
});
export type PipelineDraftFile = z.infer<typeof PipelineDraftFile>;

export const SaveDraftRequest = PipelineDraftFile.omit({ savedAt: true });
export type SaveDraftRequest = z.infer<typeof SaveDraftRequest>;

export const DraftInfo = PipelineDraftFile.pick({ pipelineId: true, baseVersion: true, savedAt: true });
export type DraftInfo = z.infer<typeof DraftInfo>;

/** A sample of one pipeline's cached Bronze for the live preview: some series over [from, to). */
export const PreviewSampleRequest = z.object({
  pipelineId: DraftPipelineId,
  seriesIds: z.array(z.string().min(1).max(256)).min(1, 'pick at least one series').max(50),
  /** ISO instants; `to` is exclusive. */
  from: z.string().datetime({ offset: true }),
  to: z.string().datetime({ offset: true }),
  queryId: Id,
  /** At most this many records (the working set must stay small enough to re-run on every keystroke). */
  limit: z.number().int().min(1).max(5_000_000).default(1_000_000),
});
export type PreviewSampleRequest = z.infer<typeof PreviewSampleRequest>;

export const SampleSeries = z.object({
  seriesId: z.string(),
  records: z.number().nonnegative(),
  /** Epoch milliseconds of the series' first and last record. */
  first: z.number(),
  last: z.number(),
});
export type SampleSeries = z.infer<typeof SampleSeries>;

/** What can be sampled: the cached Bronze's columns (union of the files' schemas) and its series. */
export const SampleOptions = z.object({
  pipelineId: z.string(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  series: z.array(SampleSeries),
  /** The pipeline's damaged Bronze files, left out of the view these come from. */
  skippedFiles: z.array(SkippedFile).max(10_000),
});
export type SampleOptions = z.infer<typeof SampleOptions>;

export const draftsApi = {
  'drafts.list': { input: z.object({}).strict(), output: z.object({ drafts: z.array(DraftInfo) }) },
  'drafts.read': {
    input: z.object({ pipelineId: DraftPipelineId }),
    output: z.object({ draft: PipelineDraftFile.nullable() }),
  },
  'drafts.save': { input: SaveDraftRequest, output: PipelineDraftFile },
  'drafts.delete': { input: z.object({ pipelineId: DraftPipelineId }), output: z.object({ deleted: z.boolean() }) },
  'preview.options': { input: z.object({ pipelineId: DraftPipelineId }), output: SampleOptions },
} as const;
