/** The records found: a virtualized list that grows while the search runs; ↑/↓ open the record above or below. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { inspectorText } from './inspectorFormat';
import { openMatch, useInspectorStore } from './inspectorStore';

const ROW_HEIGHT = 26;

export function InspectorResults() {
  const timeZone = useWorkspaceTimeZone();
  const matches = useInspectorStore((s) => s.matches);
  const selected = useInspectorStore((s) => s.selected);
  const page = useInspectorStore((s) => s.page);
  const searchId = useInspectorStore((s) => s.searchId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: matches.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  useEffect(() => {
    if (selected !== null) virtualizer.scrollToIndex(selected, { align: 'auto' });
  }, [selected, virtualizer]);
  const onKey = (e: KeyboardEvent) => {
    if (selected === null) return;
    if (e.key === 'ArrowDown' && selected < matches.length - 1) void openMatch(selected + 1);
    else if (e.key === 'ArrowUp' && selected > 0) void openMatch(selected - 1);
    else return;
    e.preventDefault();
  };
  if (!searchId) {
    return (
      <div className="empty-state insp-empty">
        Find raw records across the Bronze files: by record_id, series and time, field conditions or text in the
        payload. Statistics in each file's footer skip what cannot match, so narrow questions stay fast even on the
        bucket.
      </div>
    );
  }
  if (page && page.state !== 'running' && matches.length === 0) {
    return <div className="empty-state insp-empty">No record matches. Widen the time range or check the ids.</div>;
  }
  return (
    <div className="insp-results" ref={scrollRef} tabIndex={0} onKeyDown={onKey} data-testid="insp-results">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const m = matches[item.index]!;
          return (
            <div
              key={item.key}
              className={`insp-row${item.index === selected ? ' selected' : ''}`}
              data-testid="insp-row"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              onClick={() => void openMatch(item.index)}
              title={`${m.key} · row group ${m.rowGroup} · row ${m.row}`}
            >
              <span className="mono insp-ts">{m.ts === null ? '—' : inspectorText(m.ts, timeZone)}</span>
              <span className="mono insp-id">{m.recordId ?? '—'}</span>
              <span className="insp-where dim">
                {m.pipelineId} · {m.date ?? ''}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
