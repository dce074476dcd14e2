/**
 * What e2e tests read back from the running workbench: a chart's drawn state
 * (the data-* attributes the chart panel sets) and the job list over the API.
 */
import type { Locator } from 'playwright-core';
import type { Workbench } from './browser';

export interface DrawnChart {
  state: string;
  mode: string;
  points: number;
  series: number;
  resolutionMs: number;
  fromMs: number;
  toMs: number;
}

export async function drawnChart(chart: Locator): Promise<DrawnChart> {
  const a = async (name: string) => (await chart.getAttribute(name)) ?? '';
  return {
    state: await a('data-state'),
    mode: await a('data-mode'),
    points: Number(await a('data-points')),
    series: Number(await a('data-series')),
    resolutionMs: Number(await a('data-resolution-ms')),
    fromMs: Number(await a('data-window-from')),
    toMs: Number(await a('data-window-to')),
  };
}

export interface ListedJob {
  jobId: string;
  kind: string;
  state: string;
  finishedAt: string | null;
}

export async function listJobs(workbench: Workbench): Promise<ListedJob[]> {
  const { jobs } = await workbench.api<{ jobs: ListedJob[] }>('jobs.list', {});
  return jobs;
}
