/**
 * The workbench's features, started together: each registers its tab kinds,
 * intents and parts with the tier below (src/renderer/workbench). Only the
 * shell knows every feature; features know only the tier.
 */
import { contributeCharts } from '../features/charts/contributions';
import { contributeGrid } from '../features/grid/contributions';
import { contributeInspector } from '../features/inspector/contributions';
import { contributeLake } from '../features/lake/contributions';
import { contributePipelines } from '../features/pipelines/contributions';
import { contributeQuery } from '../features/query/contributions';
import { contributeSync } from '../features/sync/contributions';

let started: Array<() => void> | null = null;

/** Registers every feature once; returns how to take them all back (tests). */
export function startWorkbench(): () => void {
  started ??= [
    contributeQuery,
    contributeGrid,
    contributeCharts,
    contributeLake,
    contributeInspector,
    contributePipelines,
    contributeSync,
  ].flatMap((contribute) => contribute());
  return () => {
    for (const undo of started ?? []) undo();
    started = null;
  };
}
