import type { ChartSeriesRequest, ChartSeriesResult } from '../../../shared/api/charts';
import { decodeChartSeries } from '../../../shared/charts/chartArrow';
import { workbench } from '../../state/workbench';

/** One chart's points for a window (cache or server), read from the Arrow stream the API answers with. */
export async function fetchChartSeries(request: ChartSeriesRequest): Promise<ChartSeriesResult> {
  return decodeChartSeries(await workbench().call('chart.series', request));
}
