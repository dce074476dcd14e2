/** What can be done where the browser is: query the pipeline or day, cache the day or the checked files. */
import { cacheFolder, cacheSelected, openBronzeQuery } from './lakeActions';
import { bronzeQuery, placeOf } from './lakePaths';
import type { LakeTabState } from './lakeStore';

export function LakeActionBar({
  tabId,
  prefix,
  isFolderLake,
  state,
}: {
  tabId: string;
  prefix: string;
  isFolderLake: boolean;
  state: LakeTabState;
}) {
  const { pipelineId, day } = placeOf(prefix);
  const { busy, selected } = state;
  return (
    <>
      {pipelineId ? (
        <button
          type="button"
          className="plain-button"
          data-testid="open-in-query"
          title={bronzeQuery(pipelineId, day)}
          onClick={() => openBronzeQuery(pipelineId, day)}
        >
          Open in query
        </button>
      ) : null}
      {!isFolderLake && day ? (
        <button
          type="button"
          className="plain-button"
          data-testid="cache-day"
          disabled={busy}
          onClick={() => void cacheFolder(tabId, prefix, day)}
        >
          Cache this day
        </button>
      ) : null}
      {!isFolderLake ? (
        <button
          type="button"
          className="run-button"
          data-testid="cache-selected"
          disabled={busy || selected.size === 0}
          onClick={() => void cacheSelected(tabId)}
        >
          Cache selected{selected.size > 0 ? ` (${selected.size})` : ''}
        </button>
      ) : null}
    </>
  );
}
