/**
 * The ECharts option for a time-series chart: gaps as nulls, one y-axis per
 * unit, the workspace's zone on the axis and in the crosshair tooltip.
 */
import type { ChartType } from '../../../shared/api/charts';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { insertGaps } from '../../../shared/charts/gaps';
import type { EChartsCoreOption } from '../../workbench/echarts';
import { formatInstant, formatTick } from './chartFormat';

export interface DrawSeries {
  key: string;
  t: number[];
  v: number[];
  unit: string;
  /** The previous period shifted onto this one: drawn dashed. */
  compare?: boolean;
}

export interface DrawModel {
  series: DrawSeries[];
  mode: ChartData['mode'];
  bucketMs: number;
  type: ChartType;
  timeZone: string;
  /** The whole time range the axis can zoom over. */
  extent: { fromMs: number; toMs: number };
  /** What is zoomed to now (for tick formatting). */
  window: { fromMs: number; toMs: number };
  /** Legend entries shown (the legend search); all when null. */
  legendNames: string[] | null;
  selected: Record<string, boolean>;
}

// The app's dark theme (styles.css :root).
const TEXT = '#d5d8dc';
const DIM = '#8a9099';
const LINE = '#2c3036';
export const CHART_BACKGROUND = '#1b1d21';
export const BRUSH_STYLE = { color: 'rgba(91,157,255,0.15)', borderColor: 'rgba(91,157,255,0.8)', borderWidth: 1 };

const PALETTE = [
  '#5b9dff',
  '#f08c4a',
  '#4cb782',
  '#c77dff',
  '#e5615b',
  '#3bc9db',
  '#d9a441',
  '#94d82d',
  '#f783ac',
  '#91a7ff',
];

/** Series with nulls in their gaps, as [time, value] pairs; counts the points handed over. */
export function seriesData(model: DrawModel): { name: string; data: [number, number | null][]; s: DrawSeries }[] {
  // Inside an M4 column points are uneven, so only an empty column (or more) is a gap.
  const minGap = model.mode === 'm4' ? 2 * model.bucketMs : model.mode === 'calendar' ? 1.5 * model.bucketMs : 0;
  return model.series.map((s) => {
    const { t, v } = insertGaps(s.t, s.v, { minGap });
    return { name: s.key, data: t.map((time, i) => [time, v[i] ?? null]), s };
  });
}

export function pointCount(model: DrawModel): number {
  return model.series.reduce((n, s) => n + s.t.length, 0);
}

function baseKey(name: string): string {
  return name.replace(/ \(previous (day|week)\)$/, '');
}

function unitsOf(model: Pick<DrawModel, 'series'>): string[] {
  const units = [...new Set(model.series.map((s) => s.unit))];
  if (units.length === 0) units.push('');
  return units;
}

/** The plot's left and right margins in px: one y-axis per unit, alternating sides. */
export function plotInsets(model: Pick<DrawModel, 'series'>): { left: number; right: number } {
  const units = unitsOf(model).length;
  return { left: 16 + 56 * Math.ceil(units / 2), right: 16 + 56 * Math.floor(units / 2) };
}

export function buildOption(model: DrawModel, options: { animation?: boolean } = {}): EChartsCoreOption {
  const units = unitsOf(model);
  const span = model.window.toMs - model.window.fromMs;
  const data = seriesData(model);
  const colorOf = new Map<string, string>();
  for (const d of data) {
    const key = baseKey(d.name);
    if (!colorOf.has(key)) colorOf.set(key, PALETTE[colorOf.size % PALETTE.length]!);
  }
  const unitOf = new Map(model.series.map((s) => [s.key, s.unit]));
  return {
    animation: options.animation ?? false,
    backgroundColor: CHART_BACKGROUND,
    textStyle: { color: TEXT },
    grid: {
      ...plotInsets(model),
      // Room for the legend row (it scrolls: one row however many series), and above it the y-axis names, if any.
      top: units.some((u) => u !== '') ? 52 : 34,
      bottom: 56,
      containLabel: false,
    },
    legend: {
      type: 'scroll',
      top: 4,
      left: 8,
      right: 16,
      data: model.legendNames ?? data.map((d) => d.name),
      selected: model.selected,
      textStyle: { fontSize: 11, color: TEXT },
      inactiveColor: '#4a4f57',
      pageTextStyle: { color: DIM },
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'cross', label: { show: false } },
      confine: true,
      backgroundColor: '#23262bee',
      borderColor: '#3a3f46',
      textStyle: { color: TEXT, fontSize: 12 },
      formatter: (raw: unknown) => {
        const params = (Array.isArray(raw) ? raw : [raw]) as {
          seriesName: string;
          marker: string;
          value: [number, number | null];
        }[];
        if (params.length === 0) return '';
        const head = formatInstant(params[0]!.value[0], model.timeZone);
        const lines = params
          .filter((p) => p.value[1] !== null && p.value[1] !== undefined)
          .map((p) => {
            const unit = unitOf.get(p.seriesName) ?? '';
            return `${p.marker}${escapeHtml(p.seriesName)}: <b>${formatValue(p.value[1]!)}</b>${unit ? ` ${escapeHtml(unit)}` : ''}`;
          });
        return [
          `<div style="font-weight:600">${head} <span style="opacity:.6">${escapeHtml(model.timeZone)}</span></div>`,
          ...lines,
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'time',
      min: model.extent.fromMs,
      max: model.extent.toMs,
      axisLabel: {
        hideOverlap: true,
        color: DIM,
        formatter: (value: number) => formatTick(value, span, model.timeZone),
      },
      axisLine: { lineStyle: { color: '#3a3f46' } },
      splitLine: { show: true, lineStyle: { color: LINE } },
    },
    yAxis: units.map((unit, i) => ({
      type: 'value',
      name: unit,
      nameTextStyle: { fontSize: 11, color: DIM },
      axisLabel: { color: DIM },
      position: i % 2 === 0 ? 'left' : 'right',
      offset: Math.floor(i / 2) * 56,
      scale: true,
      alignTicks: i > 0,
      splitLine: { show: i === 0, lineStyle: { color: LINE } },
      axisLine: { show: units.length > 1, lineStyle: { color: '#3a3f46' } },
    })),
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: true, moveOnMouseMove: true },
      {
        type: 'slider',
        xAxisIndex: 0,
        filterMode: 'none',
        height: 18,
        bottom: 8,
        borderColor: '#3a3f46',
        textStyle: { color: DIM },
        fillerColor: 'rgba(91,157,255,0.15)',
        dataBackground: { lineStyle: { color: '#4a4f57' }, areaStyle: { color: '#2a2e34' } },
        labelFormatter: (value: number) => formatTick(value, span, model.timeZone),
      },
    ],
    brush: {
      xAxisIndex: 0,
      brushType: 'lineX',
      brushMode: 'single',
      transformable: true,
      throttleType: 'debounce',
      throttleDelay: 200,
      brushStyle: BRUSH_STYLE,
      // Dim what is outside the selection instead of greying it.
      inBrush: {},
      outOfBrush: { colorAlpha: 0.35 },
    },
    toolbox: { show: false, feature: { brush: { type: ['lineX', 'clear'] } } },
    series: data.map((d) => {
      const color = colorOf.get(baseKey(d.name));
      const yAxisIndex = Math.max(0, units.indexOf(d.s.unit));
      if (model.type === 'scatter') {
        return { type: 'scatter', name: d.name, data: d.data, yAxisIndex, symbolSize: 3, large: true, color };
      }
      return {
        type: 'line',
        name: d.name,
        data: d.data,
        yAxisIndex,
        color,
        showSymbol: model.mode === 'raw' && d.data.length < 200,
        symbolSize: 4,
        connectNulls: false,
        sampling: undefined,
        step: model.type === 'step' ? 'end' : false,
        areaStyle: model.type === 'area' ? { opacity: d.s.compare ? 0.05 : 0.15 } : undefined,
        lineStyle: { width: 1.25, type: d.s.compare ? 'dashed' : 'solid', opacity: d.s.compare ? 0.7 : 1 },
        emphasis: { disabled: true },
      };
    }),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-3)) return v.toExponential(3);
  return v.toLocaleString('en-US', { maximumFractionDigits: abs >= 100 ? 2 : 4 });
}
