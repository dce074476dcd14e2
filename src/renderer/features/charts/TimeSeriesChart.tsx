/**
 * The ECharts canvas of the explorer. It reports zoom/pan (as a time window),
 * the plot's width in pixels and brush selections; the owner re-queries the
 * engine at the new resolution. Exports PNG, SVG (re-rendered with the SVG
 * renderer) and CSV. data-* attributes say what is drawn (for tests and tools).
 */
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { echarts } from '../../workbench/echarts';
import { formatCount } from '../../workbench/format';
import { BRUSH_STYLE, CHART_BACKGROUND, buildOption, pointCount, type DrawModel } from './chartOption';
import { formatSpan, wallText } from './chartFormat';

export interface ChartWindow {
  fromMs: number;
  toMs: number;
}

export interface ChartHandle {
  png(): string;
  svg(): string;
  csv(): string;
  /** Starts a brush (time range) selection; Escape or clear() ends it. */
  brush(on: boolean): void;
  clearBrush(): void;
}

interface Props {
  model: DrawModel;
  /**
   * The window the user asked for (wheel, slider, reset, zoom to range, a saved chart). The chart's
   * zoom follows it, not `model.window` — the window the drawn data was fetched for, which lags while
   * a zoom goes on: following that snapped the chart back each time an older fetch landed.
   */
  window: ChartWindow;
  loading: boolean;
  rawPoints: number;
  onWindow: (window: ChartWindow) => void;
  onWidth: (plotWidth: number) => void;
  onBrush: (range: ChartWindow | null) => void;
  onLegend: (selected: Record<string, boolean>) => void;
}

/** "M4 · 1 px = 2 h", "raw points", "per day (Europe/Berlin)". */
export function resolutionLabel(model: Pick<DrawModel, 'mode' | 'bucketMs' | 'timeZone'>): string {
  if (model.mode === 'raw') return 'Raw points';
  if (model.mode === 'calendar') {
    const unit = model.bucketMs >= 604_800_000 ? 'week' : model.bucketMs >= 86_400_000 ? 'day' : 'hour';
    return `Average per ${unit} (${model.timeZone})`;
  }
  return `M4 · 1 px = ${formatSpan(model.bucketMs)}`;
}

/**
 * Where the plot (the grid the series are drawn in) is, in the canvas's pixels: written to
 * data-plot-top/-height so tests and tools can see what room the series get.
 */
function markPlot(instance: ReturnType<typeof echarts.init>, el: HTMLElement): void {
  const x = Math.round(instance.getWidth() / 2);
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < instance.getHeight(); y++) {
    if (!instance.containPixel({ gridIndex: 0 }, [x, y])) continue;
    if (top < 0) top = y;
    bottom = y;
  }
  el.dataset.plotTop = String(Math.max(0, top));
  el.dataset.plotHeight = String(top < 0 ? 0 : bottom - top + 1);
}

export const TimeSeriesChart = forwardRef<ChartHandle, Props>(function TimeSeriesChart(props, ref) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const extentRef = useRef(props.model.extent);
  extentRef.current = props.model.extent;
  const windowRef = useRef(props.window);
  windowRef.current = props.window;

  useEffect(() => {
    const el = box.current!;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const plotWidth = () => {
      const grid = (instance.getOption() as { grid?: { left?: number; right?: number }[] } | undefined)?.grid?.[0];
      return Math.max(10, Math.round(el.clientWidth - (grid?.left ?? 60) - (grid?.right ?? 20)));
    };
    instance.on('datazoom', () => {
      const zoom = (instance.getOption() as { dataZoom?: { start?: number; end?: number }[] } | undefined)
        ?.dataZoom?.[0];
      const { fromMs, toMs } = extentRef.current;
      const span = toMs - fromMs;
      latest.current.onWindow({
        fromMs: fromMs + (span * (zoom?.start ?? 0)) / 100,
        toMs: fromMs + (span * (zoom?.end ?? 100)) / 100,
      });
    });
    instance.on('brushEnd', (raw: unknown) => {
      const areas = (raw as { areas?: { coordRange?: [number, number] }[] }).areas ?? [];
      const range = areas[0]?.coordRange;
      latest.current.onBrush(range ? { fromMs: Math.min(...range), toMs: Math.max(...range) } : null);
    });
    instance.on('legendselectchanged', (raw: unknown) => {
      latest.current.onLegend({ ...(raw as { selected: Record<string, boolean> }).selected });
    });
    const observer = new ResizeObserver(() => {
      instance.resize();
      markPlot(instance, el);
      latest.current.onWidth(plotWidth());
    });
    observer.observe(el);
    latest.current.onWidth(plotWidth());
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  const { model } = props;
  /** Moves the zoom to the asked-for window where it is elsewhere (a saved chart reopens zoomed; a new extent resets it). */
  const followWindow = (instance: ReturnType<typeof echarts.init>) => {
    const { fromMs, toMs } = extentRef.current;
    const asked = windowRef.current;
    const zoom = (instance.getOption() as { dataZoom?: { start?: number; end?: number }[] } | undefined)?.dataZoom?.[0];
    const span = toMs - fromMs;
    const start = span > 0 ? ((asked.fromMs - fromMs) / span) * 100 : 0;
    const end = span > 0 ? ((asked.toMs - fromMs) / span) * 100 : 100;
    if (Math.abs((zoom?.start ?? 0) - start) > 0.5 || Math.abs((zoom?.end ?? 100) - end) > 0.5) {
      instance.dispatchAction({ type: 'dataZoom', start, end });
    }
  };
  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    instance.setOption(buildOption(model), { replaceMerge: ['series', 'yAxis'] });
    markPlot(instance, box.current!);
    followWindow(instance);
    // followWindow reads refs: it runs when the data lands, and below when the asked-for window moves.
  }, [model]);
  useEffect(() => {
    if (chart.current) followWindow(chart.current);
  }, [props.window.fromMs, props.window.toMs]);

  useImperativeHandle(
    ref,
    () => ({
      png: () => chart.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: CHART_BACKGROUND }) ?? '',
      svg: () => {
        const el = box.current!;
        const holder = document.createElement('div');
        const off = echarts.init(holder, undefined, {
          renderer: 'svg',
          width: el.clientWidth,
          height: el.clientHeight,
        });
        try {
          off.setOption(buildOption(latest.current.model));
          const span = model.extent.toMs - model.extent.fromMs;
          off.dispatchAction({
            type: 'dataZoom',
            start: ((latest.current.model.window.fromMs - model.extent.fromMs) / span) * 100,
            end: ((latest.current.model.window.toMs - model.extent.fromMs) / span) * 100,
          });
          return off.renderToSVGString();
        } finally {
          off.dispose();
        }
      },
      csv: () => {
        const { series, timeZone } = latest.current.model;
        const lines = [`series,time_utc,time_${timeZone.replace(/[^A-Za-z0-9]+/g, '_')},value`];
        for (const s of series) {
          const name = `"${s.key.replaceAll('"', '""')}"`;
          for (let i = 0; i < s.t.length; i++) {
            lines.push(`${name},${new Date(s.t[i]!).toISOString()},${wallText(s.t[i]!, timeZone)},${s.v[i]}`);
          }
        }
        return `${lines.join('\n')}\n`;
      },
      brush: (on) =>
        chart.current?.dispatchAction({
          type: 'takeGlobalCursor',
          key: 'brush',
          brushOption: on
            ? {
                brushType: 'lineX',
                brushMode: 'single',
                brushStyle: { fill: BRUSH_STYLE.color, stroke: BRUSH_STYLE.borderColor, lineWidth: 1 },
              }
            : { brushType: false },
        }),
      clearBrush: () => chart.current?.dispatchAction({ type: 'brush', areas: [] }),
    }),
    [model.extent.fromMs, model.extent.toMs],
  );

  const points = pointCount(model);
  return (
    <div className="ts-chart-wrap">
      <div className="ts-chart-box">
        <div
          ref={box}
          className="ts-chart"
          data-testid="ts-chart"
          data-state={props.loading ? 'loading' : 'ready'}
          data-mode={model.mode}
          data-points={points}
          data-series={model.series.length}
          data-raw-points={props.rawPoints}
          data-resolution-ms={model.bucketMs}
          data-window-from={Math.round(model.window.fromMs)}
          data-window-to={Math.round(model.window.toMs)}
        />
      </div>
      {/* Below the canvas, not over it: the legend row above the plot is the chart's. */}
      <div
        className="ts-chart-note"
        data-testid="chart-resolution"
        title="Points handed to the chart / points in the window"
      >
        {resolutionLabel(model)} · {formatCount(points)} of {formatCount(props.rawPoints)} points
        {model.series.length > 1 ? ` · ${formatCount(model.series.length)} series` : ''}
        {props.loading ? ' · updating…' : ''}
      </div>
    </div>
  );
});
