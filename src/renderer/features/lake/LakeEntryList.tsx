/**
 * The entries of the folder shown: a header that checks every file shown, and
 * the virtualized rows, the next page fetched as the end comes into view.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import type { LakeEntry } from '../../../shared/api/lake';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { loadMoreLake } from './lakeActions';
import { fileKeys, patchLakeTab, type LakeTabState } from './lakeStore';
import { FileRow, FolderRow, ROW_HEIGHT } from './LakeEntryRow';

export function LakeEntryList({
  tabId,
  prefix,
  isFolderLake,
  state,
  visible,
}: {
  tabId: string;
  prefix: string;
  isFolderLake: boolean;
  state: LakeTabState;
  /** The entries the filters let through. */
  visible: LakeEntry[];
}) {
  const { entries, nextToken, loading, error, selected, openKey, listed } = state;
  const timeZone = useWorkspaceTimeZone();
  const scrollRef = useRef<HTMLDivElement>(null);

  // Another folder starts at its top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [listed]);

  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;

  // Infinite scroll: fetch the next page as the end comes into view.
  useEffect(() => {
    if (nextToken && !loading && !error && lastIndex >= visible.length - 20) void loadMoreLake(tabId);
  }, [lastIndex, visible.length, nextToken, loading, error, tabId]);

  // The list shrinks when a file opens: keep that file's row in view.
  const openIndex = openKey ? visible.findIndex((e) => e.kind === 'file' && e.key === openKey) : -1;
  const openIndexRef = useRef(openIndex);
  openIndexRef.current = openIndex;
  useEffect(() => {
    if (!openKey) return;
    // After the panel took its room, so the list's new height is known.
    const frame = requestAnimationFrame(() => {
      if (openIndexRef.current >= 0) virtualizer.scrollToIndex(openIndexRef.current, { align: 'auto' });
    });
    return () => cancelAnimationFrame(frame);
  }, [openKey, virtualizer]);

  const selectableKeys = useMemo(() => fileKeys(visible), [visible]);
  const allSelected = selectableKeys.length > 0 && selectableKeys.every((k) => selected.has(k));

  return (
    <>
      <div className="lake-header">
        {!isFolderLake ? (
          <input
            type="checkbox"
            aria-label="Select all files shown"
            checked={allSelected}
            disabled={selectableKeys.length === 0}
            onChange={() => patchLakeTab(tabId, { selected: allSelected ? new Set() : new Set(selectableKeys) })}
          />
        ) : (
          <span />
        )}
        <span>Name</span>
        <span className="num">Size</span>
        <span>Last modified</span>
        <span>Cache</span>
        <span />
      </div>
      <div className="lake-scroll" ref={scrollRef}>
        {!loading && entries.length === 0 && !error ? <div className="empty-state">Nothing here.</div> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const entry = visible[item.index]!;
            const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
            const row = { tabId, isFolderLake, busy: state.busy, style };
            return entry.kind === 'folder' ? (
              <FolderRow key={entry.prefix} {...row} entry={entry} parent={prefix} />
            ) : (
              <FileRow
                key={entry.key}
                {...row}
                entry={entry}
                index={item.index}
                visible={visible}
                selected={selected.has(entry.key)}
                open={entry.key === openKey}
                timeZone={timeZone}
              />
            );
          })}
        </div>
        {nextToken && !loading ? (
          <button type="button" className="plain-button lake-more" onClick={() => void loadMoreLake(tabId)}>
            Load more
          </button>
        ) : null}
      </div>
    </>
  );
}
