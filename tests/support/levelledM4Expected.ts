/**
 * What a levelled zoom step promises, computed from the raw points alone: M4
 * per pixel column with each point of the plan's interior placed where its
 * level bucket starts and the edges' points where they are — each column's
 * points are those of [start, end) moved by less than one level bucket.
 */
import type { LevelPlan } from '../../src/shared/charts/m4Levels';
import { pointsSql, type ChartSource, type TimeWindow } from '../../src/shared/charts/m4Sql';

export function levelPlacedM4Sql(source: ChartSource, plan: LevelPlan, window: TimeWindow): string {
  const width = 2 ** plan.level;
  const { fromUs, toUs } = plan.interior;
  const at = `CASE WHEN t >= ${fromUs} AND t < ${toUs} THEN t - (((t % ${width}) + ${width}) % ${width}) ELSE t END`;
  return `SELECT k, CAST((${at} - ${plan.grid.originUs}) // ${plan.grid.bucketUs} AS DOUBLE) AS px,
      CAST(count(*) AS DOUBLE) AS n, CAST(min(t) AS DOUBLE) AS t0, arg_min(v, t) AS v0, CAST(max(t) AS DOUBLE) AS t1,
      arg_max(v, t) AS v1, CAST(arg_min(t, v) AS DOUBLE) AS tmin, min(v) AS vmin, CAST(arg_max(t, v) AS DOUBLE) AS tmax,
      max(v) AS vmax
    FROM (${pointsSql(source, window)})
    GROUP BY ALL ORDER BY k, px`;
}
