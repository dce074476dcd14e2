/** An ECharts chart owned by a component (for the small charts that need no toolbar of their own). */
import { useEffect, useRef } from 'react';
import { echarts, type EChartsCoreOption } from './echarts';

/**
 * A dark canvas chart on the returned ref's element, resized with it, drawing
 * `option` afresh whenever it changes. `onInit` wires the chart's events once.
 */
export function useEChart(option: EChartsCoreOption, onInit?: (chart: echarts.ECharts) => void) {
  const ref = useRef<HTMLDivElement>(null);
  const instance = useRef<echarts.ECharts | null>(null);
  const init = useRef(onInit);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, 'dark', { renderer: 'canvas' });
    instance.current = chart;
    init.current?.(chart);
    // How many times the chart finished drawing: what the bench (and a test) waits on after a change.
    let drawn = 0;
    chart.on('finished', () => {
      el.dataset.rendered = String(++drawn);
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
      instance.current = null;
    };
  }, []);

  useEffect(() => {
    instance.current?.setOption(option, { notMerge: true });
  }, [option]);

  return ref;
}
