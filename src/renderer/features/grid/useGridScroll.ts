/**
 * The grid's scroll position and viewport height, read once per animation
 * frame while scrolling, and where the user left the result (scroll and column
 * widths), restored when its grid shows again.
 */
import type { ColumnSizingState } from '@tanstack/react-table';
import { useEffect, useLayoutEffect, useRef, useState, type RefObject, type UIEvent } from 'react';
import { recalledPlace, rememberPlace } from './pageCaches';

export interface GridScroll {
  scrollRef: RefObject<HTMLDivElement | null>;
  scroll: { top: number; height: number };
  onScroll: (e: UIEvent<HTMLDivElement>) => void;
}

export function useGridScroll(tableName: string, columnSizing: ColumnSizingState): GridScroll {
  const scrollRef = useRef<HTMLDivElement>(null);
  // Where the user left the result, read once when the grid mounts (not on every render).
  const [recalled] = useState(() => recalledPlace(tableName));
  const [scroll, setScroll] = useState(() => ({ top: recalled?.top ?? 0, height: 600 }));
  const frame = useRef(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const saved = recalledPlace(tableName);
    if (saved) {
      el.scrollTop = saved.top;
      el.scrollLeft = saved.left;
    }
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [tableName]);
  // Tracked while scrolling: by the time an unmount cleanup runs, the element is detached and reads 0.
  const place = useRef({ top: recalled?.top ?? 0, left: recalled?.left ?? 0 });
  const sizingRef = useRef(columnSizing);
  sizingRef.current = columnSizing;
  useEffect(() => () => rememberPlace(tableName, { ...place.current, sizing: sizingRef.current }), [tableName]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    place.current = { top: el.scrollTop, left: el.scrollLeft };
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScroll({ top: el.scrollTop, height: el.clientHeight }));
  };
  return { scrollRef, scroll, onScroll };
}
