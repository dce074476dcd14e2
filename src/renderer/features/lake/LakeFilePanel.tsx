/** The file open in the lake browser, below the list, with a splitter to give it more or less room. */
import { useCallback, useRef, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import { patchLakeTab } from './lakeStore';
import { ParquetFileView } from './ParquetFileView';

/** The list keeps at least this much room above an open file. */
const LIST_MIN = 120;
const PANEL_MIN = 160;

export function LakeFilePanel({
  tabId,
  fileKey,
  height,
  containerRef,
}: {
  tabId: string;
  fileKey: string;
  /** As the user dragged it; null for the stylesheet's. */
  height: number | null;
  /** The browser the panel shares its height with. */
  containerRef: RefObject<HTMLDivElement | null>;
}) {
  const panelRef = useRef<HTMLElement>(null);
  const closeFile = useCallback(() => patchLakeTab(tabId, { openKey: null }), [tabId]);

  const startResize = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const startY = e.clientY;
    const startHeight = panelRef.current?.offsetHeight ?? 400;
    const max = (containerRef.current?.clientHeight ?? 800) - LIST_MIN - 100;
    const move = (ev: PointerEvent) =>
      patchLakeTab(tabId, { panelHeight: Math.max(PANEL_MIN, Math.min(max, startHeight - (ev.clientY - startY))) });
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  return (
    <>
      <div
        className="splitter"
        onPointerDown={startResize}
        role="separator"
        aria-orientation="horizontal"
        aria-label="Resize the file panel"
      />
      <ParquetFileView
        ref={panelRef}
        fileKey={fileKey}
        onClose={closeFile}
        style={height === null ? undefined : { height }}
      />
    </>
  );
}
