/**
 * What a place in the Bronze lake is, in the user's words: the lake's top, a
 * pipeline (`bronze/<pipeline>/`) or one of its days (`…/date=<YYYY-MM-DD>/`).
 */
import { quoteLiteral } from '../../../shared/sql';
import { relationName } from '../../../shared/sql';

const PLACE = /(?:^|\/)bronze\/([^/]+)\/(?:date=(\d{4}-\d{2}-\d{2})\/)?$/;

export interface LakePlace {
  pipelineId: string | null;
  day: string | null;
}

export function placeOf(prefix: string): LakePlace {
  const match = PLACE.exec(prefix);
  return { pipelineId: match?.[1] ?? null, day: match?.[2] ?? null };
}

/** Whether folders directly under `prefix` are pipelines (it ends in `bronze/`). */
export function holdsPipelines(prefix: string): boolean {
  return prefix === 'bronze/' || prefix.endsWith('/bronze/');
}

/** Where browsing starts: the S3 profile's prefix (from `s3://bucket/prefix`), or a folder lake's top. */
export function lakeRootPrefix(location: string, driver: 'folder' | 's3'): string {
  if (driver === 'folder') return '';
  const match = /^s3:\/\/[^/]+\/(.*)$/.exec(location);
  const prefix = match?.[1] ?? '';
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** A pipeline's folder under the lake's root. */
export function pipelinePrefix(root: string, pipelineId: string): string {
  return `${holdsPipelines(root) ? root : `${root}bronze/`}${pipelineId}/`;
}

export interface Crumb {
  label: string;
  prefix: string;
}

/** `bronze/energy_meters/date=2026-10-01/` → lake › bronze › energy_meters › 2026-10-01. */
export function breadcrumb(prefix: string): Crumb[] {
  const crumbs: Crumb[] = [{ label: 'lake', prefix: '' }];
  let at = '';
  for (const part of prefix.split('/').filter(Boolean)) {
    at += `${part}/`;
    const day = /^date=(.+)$/.exec(part);
    crumbs.push({ label: day ? day[1]! : part, prefix: at });
  }
  return crumbs;
}

/** The query "Open in query" starts with: one day of a pipeline, or its first rows. */
export function bronzeQuery(pipelineId: string, day: string | null, limit = 100): string {
  const relation = relationName('bronze', pipelineId);
  return day
    ? `SELECT * FROM ${relation} WHERE date = ${quoteLiteral(day)} LIMIT ${limit};\n`
    : `SELECT * FROM ${relation} LIMIT ${limit};\n`;
}

/** Whether a day (YYYY-MM-DD) is inside an inclusive range whose ends may be empty. */
export function dayInRange(day: string, from: string, to: string): boolean {
  return (from === '' || day >= from) && (to === '' || day <= to);
}
