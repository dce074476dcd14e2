/**
 * The Bronze lake browser: one folder level at a time, pages fetched as the
 * list scrolls (virtualized, so 20,000 objects stay smooth), partitions shown
 * as the pipelines and days they are, files with size, date and cache state.
 * Its state lives in the lake store under the tab's id; lakeActions fills it.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useWorkspaceStore } from '../../state/workspaceStore';
import type { LakeTab } from '../../workbench/tabsStore';
import { ErrorPanel } from '../common/ErrorPanel';
import { finishedDownloads, followCache, settleDownloads, showLakeFolder } from './lakeActions';
import { useLakeTab, visibleEntries } from './lakeStore';
import { LakeEntryList } from './LakeEntryList';
import { LakeFilePanel } from './LakeFilePanel';
import { LakeFilters, LakeToolbar } from './LakeToolbar';

export function LakeBrowser({ tab }: { tab: LakeTab }) {
  const { id: tabId, prefix } = tab;
  const location = useWorkspaceStore((s) => s.status?.lake?.location ?? null);
  const isFolderLake = useWorkspaceStore((s) => s.status?.lake?.driver !== 's3');
  const cacheVersion = useWorkspaceStore((s) => s.cacheVersion);
  const state = useLakeTab(tabId);
  const { entries, nameFilter, from, to, watching } = state;
  // How many of this tab's downloads finished, not the jobs: their progress ticks do not redraw the list.
  const finished = useWorkspaceStore((s) => finishedDownloads(watching, s.jobs).length);
  const rootRef = useRef<HTMLDivElement>(null);

  // A new folder or lake is listed afresh; the same one, shown again, is kept.
  useEffect(() => {
    void showLakeFolder(tabId, prefix);
  }, [tabId, prefix, location]);

  useEffect(() => followCache(tabId), [tabId, cacheVersion]);

  useEffect(() => {
    if (finished > 0) settleDownloads(tabId);
  }, [tabId, finished]);

  const visible = useMemo(() => visibleEntries({ entries, nameFilter, from, to }), [entries, nameFilter, from, to]);

  return (
    <div className="lake-browser" data-testid="lake-browser" data-prefix={prefix} ref={rootRef}>
      <LakeToolbar tabId={tabId} prefix={prefix} isFolderLake={isFolderLake} state={state} />
      <LakeFilters tabId={tabId} state={state} shown={visible.length} />
      {isFolderLake ? (
        <div className="lake-note" data-testid="lake-local-note">
          This lake is a local folder: files are read in place
        </div>
      ) : null}
      {state.message ? (
        <div className="lake-note" data-testid="lake-message">
          {state.message}
        </div>
      ) : null}
      {state.error ? <ErrorPanel error={state.error} testId="lake-error" /> : null}
      <LakeEntryList tabId={tabId} prefix={prefix} isFolderLake={isFolderLake} state={state} visible={visible} />
      {state.openKey ? (
        <LakeFilePanel tabId={tabId} fileKey={state.openKey} height={state.panelHeight} containerRef={rootRef} />
      ) : null}
    </div>
  );
}
