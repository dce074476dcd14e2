/**
 * The Bronze record inspector tab: the search form (InspectorSearchForm), the
 * search's progress with cancel (InspectorProgress), the records found
 * (InspectorResults), and the open record, lineage or file beside them.
 */
import { useEffect } from 'react';
import { Part } from '../../workbench/parts';
import { InspectorProgress } from './InspectorProgress';
import { InspectorResults } from './InspectorResults';
import { InspectorSearchForm } from './InspectorSearchForm';
import { closeDetail, useInspectorStore } from './inspectorStore';
import { LineagePanel } from './LineagePanel';
import { RecordPanel } from './RecordPanel';

/** The panel beside the results: a record, the lineage of a metric point, or a Parquet file; Escape closes it. */
function Detail() {
  const detail = useInspectorStore((s) => s.detail);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('[aria-modal="true"]')) return;
      // The file view closes itself on Escape.
      if (useInspectorStore.getState().detail.kind !== 'file') closeDetail();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (detail.kind === 'record') return <RecordPanel record={detail.record} error={detail.error} fileKey={detail.key} />;
  if (detail.kind === 'lineage')
    return <LineagePanel request={detail.request} lineage={detail.lineage} error={detail.error} />;
  if (detail.kind === 'file') return <Part name="parquetFile" fileKey={detail.key} onClose={closeDetail} />;
  return null;
}

export function InspectorView() {
  const hasDetail = useInspectorStore((s) => s.detail.kind !== 'none');
  return (
    <div className="inspector" data-testid="inspector">
      <InspectorSearchForm />
      <InspectorProgress />
      <div className={`insp-main${hasDetail ? ' with-detail' : ''}`}>
        <InspectorResults />
        {hasDetail ? (
          <div className="insp-detail">
            <Detail />
          </div>
        ) : null}
      </div>
    </div>
  );
}
