/**
 * Selecting a time range on a chart ("⇹ Select range", then a drag): the
 * brush's state, and the bar that shows the range with zoom, the owner's
 * actions and clear.
 */
import { useEffect, useState, type ReactNode, type RefObject } from 'react';
import { formatInstant } from './chartFormat';
import type { ChartHandle, ChartWindow } from './TimeSeriesChart';

/** Whether the brush is on (Escape ends it), the range selected, and `onRange` told of each change. */
export function useChartBrush(
  chart: RefObject<ChartHandle | null>,
  onRange: ((range: ChartWindow | null) => void) | undefined,
) {
  const [brushing, setBrushing] = useState(false);
  const [range, setRange] = useState<ChartWindow | null>(null);

  useEffect(() => {
    if (!brushing) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setBrushing(false);
        chart.current?.brush(false);
      }
    };
    globalThis.addEventListener('keydown', onKey);
    return () => globalThis.removeEventListener('keydown', onKey);
  }, [brushing]);

  return {
    brushing,
    range,
    toggle: () => {
      chart.current?.brush(!brushing);
      setBrushing(!brushing);
    },
    /** The chart's brush ended on `selected` (null: nothing selected). */
    select: (selected: ChartWindow | null) => {
      setRange(selected);
      onRange?.(selected);
    },
    clear: () => {
      chart.current?.clearBrush();
      setRange(null);
      onRange?.(null);
    },
  };
}

export function ChartRangeBar(props: {
  range: ChartWindow;
  timeZone: string;
  onZoom: (range: ChartWindow) => void;
  onClear: () => void;
  /** The owner's actions for the range, between zoom and clear. */
  children?: ReactNode;
}) {
  const { range, timeZone } = props;
  return (
    <div
      className="chart-range-bar"
      data-testid="chart-range"
      data-from={Math.round(range.fromMs)}
      data-to={Math.round(range.toMs)}
    >
      <span>
        Selected {formatInstant(range.fromMs, timeZone)} – {formatInstant(range.toMs, timeZone)}
      </span>
      <button type="button" className="header-button" onClick={() => props.onZoom(range)}>
        Zoom to selection
      </button>
      {props.children}
      <button type="button" className="header-button" onClick={props.onClear}>
        Clear
      </button>
    </div>
  );
}
