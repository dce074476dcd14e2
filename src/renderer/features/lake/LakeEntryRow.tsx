/** One row of the lake browser: a folder (a pipeline, a day, a partition) or a Parquet file with its cache state. */
import type { CSSProperties } from 'react';
import type { LakeEntry } from '../../../shared/api/lake';
import { formatBytes } from '../../../shared/format';
import { formatInstant } from '../../../shared/timeZone';
import { setLakePrefix } from '../../workbench/tabsStore';
import { cacheFolder, changeCachedFile, openBronzeQuery } from './lakeActions';
import { holdsPipelines, placeOf } from './lakePaths';
import { patchLakeTab, toggleSelected, type FileEntry, type FolderEntry } from './lakeStore';

export const ROW_HEIGHT = 28;

const CACHE_LABEL: Record<FileEntry['cache'], string> = {
  cached: 'cached',
  stale: 'stale',
  'not-cached': 'not cached',
  local: 'local',
};

interface RowProps {
  tabId: string;
  isFolderLake: boolean;
  /** A cache action runs: the row's cache buttons wait. */
  busy: boolean;
  style: CSSProperties;
}

function folderLabel(
  entry: FolderEntry,
  parent: string,
): { label: string; kind: 'day' | 'pipeline' | 'partition' | 'folder' } {
  if (entry.partition?.key === 'date') return { label: entry.partition.value, kind: 'day' };
  if (entry.partition) return { label: `${entry.partition.key}: ${entry.partition.value}`, kind: 'partition' };
  if (holdsPipelines(parent)) return { label: entry.name, kind: 'pipeline' };
  return { label: entry.name, kind: 'folder' };
}

export function FolderRow({
  tabId,
  isFolderLake,
  busy,
  style,
  entry,
  parent,
}: RowProps & { entry: FolderEntry; parent: string }) {
  const { label, kind } = folderLabel(entry, parent);
  const pipelineId = kind === 'pipeline' ? entry.name : placeOf(parent).pipelineId;
  const go = () => setLakePrefix(tabId, entry.prefix);
  return (
    <div
      className="lake-row folder"
      style={style}
      data-testid="lake-entry"
      data-kind={kind}
      data-prefix={entry.prefix}
      onDoubleClick={go}
    >
      <span />
      <button type="button" className="lake-name" title={entry.prefix} onClick={go}>
        <span className={`tree-icon ${kind === 'pipeline' ? 'lake' : 'folder'}`} aria-hidden />
        {label}
        {kind === 'pipeline' ? <span className="badge">pipeline</span> : null}
        {kind === 'day' ? <span className="badge">day</span> : null}
      </button>
      <span />
      <span />
      <span />
      <span className="lake-actions">
        {kind === 'day' && !isFolderLake ? (
          <button
            type="button"
            className="plain-button"
            data-testid="row-cache-day"
            disabled={busy}
            onClick={() => void cacheFolder(tabId, entry.prefix, label)}
          >
            Cache this day
          </button>
        ) : null}
        {(kind === 'day' || kind === 'pipeline') && pipelineId ? (
          <button
            type="button"
            className="plain-button"
            data-testid="row-open-in-query"
            onClick={() => openBronzeQuery(pipelineId, kind === 'day' ? label : null)}
          >
            Query
          </button>
        ) : null}
      </span>
    </div>
  );
}

export function FileRow({
  tabId,
  isFolderLake,
  busy,
  style,
  entry,
  index,
  visible,
  selected,
  open,
  timeZone,
}: RowProps & {
  entry: FileEntry;
  /** Its place among the entries shown, for shift-click ranges. */
  index: number;
  visible: readonly LakeEntry[];
  selected: boolean;
  open: boolean;
  timeZone: string;
}) {
  const cached = entry.cache === 'cached' || entry.cache === 'stale';
  return (
    <div
      className={`lake-row file${selected ? ' selected' : ''}${open ? ' open' : ''}`}
      style={style}
      data-testid="lake-entry"
      data-kind="file"
      data-key={entry.key}
      data-cache={entry.cache}
      data-pinned={String(entry.pinned)}
    >
      {!isFolderLake ? (
        <input
          type="checkbox"
          data-testid="lake-select"
          aria-label={`Select ${entry.name}`}
          checked={selected}
          onClick={(e) => toggleSelected(tabId, visible, index, entry.key, e.shiftKey)}
          onChange={() => undefined}
        />
      ) : (
        <span />
      )}
      <button
        type="button"
        className="lake-name mono"
        data-testid="open-file"
        title={`Open ${entry.key}: schema, row groups, first rows`}
        aria-pressed={open}
        onClick={() => patchLakeTab(tabId, { openKey: entry.key })}
      >
        <span className="tree-icon parquet" aria-hidden />
        {entry.name}
      </button>
      <span className="num">{formatBytes(entry.size)}</span>
      <span className="dim">{formatInstant(Date.parse(entry.lastModified), timeZone)}</span>
      <span>
        <span className={`cache-badge ${entry.cache}`}>{CACHE_LABEL[entry.cache]}</span>
        {entry.pinned ? (
          <span className="badge" title="Pinned: never evicted">
            pinned
          </span>
        ) : null}
      </span>
      <span className="lake-actions">
        {cached ? (
          <>
            <button
              type="button"
              className="plain-button"
              data-testid={entry.pinned ? 'unpin' : 'pin'}
              disabled={busy}
              onClick={() => void changeCachedFile(tabId, entry.pinned ? 'cache.unpin' : 'cache.pin', entry.key)}
            >
              {entry.pinned ? 'Unpin' : 'Pin'}
            </button>
            <button
              type="button"
              className="plain-button"
              data-testid="evict"
              disabled={busy}
              onClick={() => void changeCachedFile(tabId, 'cache.evict', entry.key)}
            >
              Evict
            </button>
          </>
        ) : null}
      </span>
    </div>
  );
}
