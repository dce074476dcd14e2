/**
 * Continuous aggregates a metric chart can read instead of raw rows: which
 * ones hold every M4 corner (recognised from the aggregate's query as
 * PostgreSQL deparses it), and the SQL that groups their buckets into the
 * chart's pixel columns, answering exactly what serverM4Sql answers over the
 * raw rows (k, px, n, t0, v0, t1, v1, tmin, vmin, tmax, vmax; times in epoch
 * µs), so the two merge column by column (mergeM4Columns).
 *
 * Pure: every name is quoted (pgName/pgLiteral), every number a checked integer.
 */
import { pgLiteral, pgName, timescaleFunction, type ServerKind } from '../serverSql';
import { wholeBuckets } from './chartParts';
import { SERIES_KEY_SEPARATOR } from './chartQuery';
import { chartGrid, type ChartGrid } from './m4Columns';
import { epochUsSql, timestamptzSql, type MetricSelection, type UsRange } from './serverChartSql';

/** The aggregate's output columns by role (names as the view has them, unquoted); null: not there. */
export interface ChartAggregateColumns {
  bucket: string;
  pipelineId: string;
  metricName: string;
  seriesId: string;
  /** count(value) */
  n: string;
  /** min(value), max(value) */
  vmin: string;
  vmax: string;
  /** first(value, time), last(value, time) */
  v0: string;
  v1: string;
  /** min(time), max(time) */
  t0: string | null;
  t1: string | null;
  /** first(time, value): when the least value was; last(time, value): when the greatest was. */
  tmin: string | null;
  tmax: string | null;
}

/** A continuous aggregate over dash.pipeline_metrics that a chart can read its M4 columns from. */
export interface ChartAggregate {
  /** `schema.view` as SQL. */
  nameSql: string;
  /** What the chart says it reads: `metrics_hourly`. */
  label: string;
  /** Its buckets: [originUs + i·bucketUs, originUs + (i+1)·bucketUs). */
  bucketUs: number;
  originUs: number;
  /**
   * Whether it reads only rows with a value (`WHERE value IS NOT NULL`). If not,
   * first(value, time) is NULL in a bucket whose first row has a NULL value, and
   * such a pixel column's first point is the first one the aggregate knows (a
   * later bucket's, or the column's least value): a real point of the column,
   * not always its first. Likewise its last point.
   */
  nullValuesExcluded: boolean;
  columns: ChartAggregateColumns;
}

export interface ChartAggregateInput {
  nameSql: string;
  label: string;
  /** The aggregate's query as PostgreSQL deparses it (its direct view). */
  viewDefinition: string;
  /** Width and edge (origin plus offset) in µs, null when unknown or not a fixed width. */
  bucket: { widthUs: number; originUs: number } | null;
  timezone: string | null;
}

export type ChartAggregateRecognition = { aggregate: ChartAggregate } | { reason: string };

// --- A small tokenizer for deparsed SQL -------------------------------------

type Token =
  | { kind: 'word'; text: string; quoted: boolean }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'punct'; text: string };

/** The text between the quote at `start` and its closing twin (doubled quotes inside are one), and where it ends. */
function readQuoted(sql: string, start: number): { text: string; end: number } {
  const quote = sql[start]!;
  let text = '';
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote && sql[i + 1] === quote) {
      text += quote;
      i += 2;
    } else if (sql[i] === quote) {
      return { text, end: i + 1 };
    } else text += sql[i++];
  }
  return { text, end: i };
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '"') {
      const quoted = readQuoted(sql, i);
      tokens.push({ kind: 'word', text: quoted.text, quoted: true });
      i = quoted.end;
    } else if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'")) {
      const quoted = readQuoted(sql, c === "'" ? i : i + 1);
      tokens.push({ kind: 'string', text: quoted.text });
      i = quoted.end;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'word', text: m.toLowerCase(), quoted: false });
      i += m.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'number', text: m });
      i += m.length;
    } else {
      const two = sql.slice(i, i + 2);
      const text = ['::', '=>', '<=', '>=', '<>', '!=', '||'].includes(two) ? two : c;
      tokens.push({ kind: 'punct', text });
      i += text.length;
    }
  }
  return tokens;
}

const isPunct = (t: Token | undefined, text: string): boolean => t?.kind === 'punct' && t.text === text;
const isKeyword = (t: Token | undefined, word: string): boolean => t?.kind === 'word' && !t.quoted && t.text === word;

/** `tokens` split at commas outside parentheses. */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    if (isPunct(t, ')') || isPunct(t, ']')) depth--;
    if (depth === 0 && isPunct(t, ',')) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

/** Index of the first top-level keyword of `words` at or after `from`, or -1. */
function topLevelIndex(tokens: readonly Token[], words: readonly string[], from = 0): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    else if (isPunct(t, ')') || isPunct(t, ']')) depth--;
    else if (depth === 0 && t.kind === 'word' && !t.quoted && words.includes(t.text)) return i;
  }
  return -1;
}

function stripParens(tokens: Token[]): Token[] {
  while (tokens.length >= 2 && isPunct(tokens[0], '(') && isPunct(tokens[tokens.length - 1], ')')) {
    // Only when the outer pair encloses everything: `(a) + (b)` keeps its parentheses.
    let depth = 0;
    let encloses = true;
    for (let i = 0; i < tokens.length - 1; i++) {
      if (isPunct(tokens[i], '(')) depth++;
      if (isPunct(tokens[i], ')')) depth--;
      if (depth === 0) {
        encloses = false;
        break;
      }
    }
    if (!encloses) break;
    tokens = tokens.slice(1, -1);
  }
  return tokens;
}

/** A column reference `a`, `t.a`, `s.t."a"`: its column name, or null. */
function columnRef(tokens: Token[]): string | null {
  tokens = stripParens(tokens);
  if (tokens.length % 2 === 0) return null;
  for (let i = 0; i < tokens.length; i++) {
    if (i % 2 === 0 ? tokens[i]!.kind !== 'word' : !isPunct(tokens[i], '.')) return null;
  }
  return tokens[tokens.length - 1]!.text;
}

/** The table a FROM list of one relation (`s.t`, `s.t AS a`, `s.t a`) reads, or null for anything else. */
function relationName(tokens: Token[]): string | null {
  if (isKeyword(tokens[0], 'only')) tokens = tokens.slice(1);
  const end = tokens.findIndex((t, i) => i > 0 && !isPunct(t, '.') && !isPunct(tokens[i - 1], '.'));
  const relation = end < 0 ? tokens : tokens.slice(0, end);
  const alias = end < 0 ? [] : tokens.slice(end);
  if (isKeyword(alias[0], 'as')) alias.shift();
  if (alias.length > 1 || (alias.length === 1 && alias[0]!.kind !== 'word')) return null;
  return columnRef(relation);
}

/** `value IS NOT NULL`, however qualified and parenthesised. */
function isValueNotNull(tokens: Token[]): boolean {
  tokens = stripParens(tokens);
  const n = tokens.length;
  return (
    n >= 4 &&
    isKeyword(tokens[n - 3], 'is') &&
    isKeyword(tokens[n - 2], 'not') &&
    isKeyword(tokens[n - 1], 'null') &&
    columnRef(tokens.slice(0, n - 3)) === 'value'
  );
}

/** A call `f(…)`, `schema.f(…)`: its unqualified name, its qualifier, and its arguments; or null. */
function functionCall(tokens: Token[]): { name: string; schema: string | null; args: Token[][] } | null {
  tokens = stripParens(tokens);
  let i = 0;
  let schema: string | null = null;
  if (tokens[0]?.kind !== 'word') return null;
  if (isPunct(tokens[1], '.') && tokens[2]?.kind === 'word') {
    schema = tokens[0].text;
    i = 2;
  }
  const name = tokens[i]!;
  if (!isPunct(tokens[i + 1], '(') || !isPunct(tokens[tokens.length - 1], ')')) return null;
  const inner = tokens.slice(i + 2, -1);
  let depth = 0;
  for (const t of inner) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')') && --depth < 0) return null; // `f(a) + g(b)`
  }
  return { name: name.text, schema, args: inner.length ? splitTopLevel(inner) : [] };
}

// --- Recognising the aggregate ------------------------------------------------

type Role = Exclude<keyof ChartAggregateColumns, 'bucket'>;

const REQUIRED: readonly [Role, string][] = [
  ['pipelineId', 'pipeline_id'],
  ['metricName', 'metric_name'],
  ['seriesId', 'series_id'],
  ['n', 'count(value)'],
  ['vmin', 'min(value)'],
  ['vmax', 'max(value)'],
  ['v0', 'first(value, time)'],
  ['v1', 'last(value, time)'],
];

/** The role of an aggregate's select-list item, from its expression. */
function roleOf(expr: Token[]): Role | 'bucket-call' | null {
  const column = columnRef(expr);
  if (column === 'pipeline_id') return 'pipelineId';
  if (column === 'metric_name') return 'metricName';
  if (column === 'series_id') return 'seriesId';
  const call = functionCall(expr);
  if (!call) return null;
  if (call.name === 'time_bucket') return 'bucket-call';
  const args = call.args.map(columnRef);
  const is = (...want: string[]) => args.length === want.length && want.every((w, i) => args[i] === w);
  const builtin = call.schema === null || call.schema === 'pg_catalog';
  if (builtin && call.name === 'count' && is('value')) return 'n';
  if (builtin && call.name === 'min' && is('value')) return 'vmin';
  if (builtin && call.name === 'max' && is('value')) return 'vmax';
  if (builtin && call.name === 'min' && is('time')) return 't0';
  if (builtin && call.name === 'max' && is('time')) return 't1';
  // TimescaleDB's first/last, qualified by whatever schema the extension is in.
  if (call.name === 'first' && is('value', 'time')) return 'v0';
  if (call.name === 'last' && is('value', 'time')) return 'v1';
  if (call.name === 'first' && is('time', 'value')) return 'tmin';
  if (call.name === 'last' && is('time', 'value')) return 'tmax';
  return null;
}

/** Why this time_bucket call does not give fixed UTC buckets over `time`, or null when it does. */
function bucketCallProblem(args: Token[][]): string | null {
  const [width, time, ...rest] = args;
  if (!width || !time) return 'its time_bucket call has too few arguments';
  if (columnRef(time) !== 'time') return 'its time_bucket is not over the time column';
  const literal = stripParens(width).find((t) => t.kind === 'string');
  if (literal && /\b(mons?|months?|years?)\b/i.test(literal.text)) {
    return `its buckets are calendar months or years ('${literal.text}'), not a fixed width`;
  }
  for (const arg of rest) {
    const tokens = stripParens(arg);
    const named = tokens[0]?.kind === 'word' && isPunct(tokens[1], '=>') ? tokens[0].text : null;
    if (named === 'timezone') return 'its buckets are cut in a time zone';
    if (named === null) {
      // Positional: a timestamptz origin, an interval offset, or a bare text time zone.
      const cast = tokens.findIndex((t) => isPunct(t, '::'));
      if (cast < 0 && tokens.length === 1 && tokens[0]!.kind === 'string') return 'its buckets are cut in a time zone';
      if (cast >= 0 && tokens.slice(cast + 1).some((t) => isKeyword(t, 'text'))) {
        return 'its buckets are cut in a time zone';
      }
    }
  }
  return null;
}

/**
 * Whether a continuous aggregate holds a chart's M4 corners, read from its
 * query: its time_bucket column, pipeline_id, metric_name and series_id, and
 * count(value), min(value), max(value), first(value, time), last(value, time);
 * min(time), max(time), first(time, value) and last(time, value) make the
 * corners' times exact. Every refusal says why, in words.
 */
export function recognizeChartAggregate(input: ChartAggregateInput): ChartAggregateRecognition {
  const refuse = (why: string): ChartAggregateRecognition => ({ reason: `${input.label} cannot serve charts: ${why}` });
  const tokens = tokenize(input.viewDefinition.trim().replace(/;\s*$/, ''));
  if (!isKeyword(tokens[0], 'select')) return refuse('its definition is not a single SELECT');
  if (isKeyword(tokens[1], 'distinct')) return refuse('it selects DISTINCT rows');
  const from = topLevelIndex(tokens, ['from']);
  if (from < 0) return refuse('its definition has no FROM');
  const set = topLevelIndex(tokens, ['union', 'intersect', 'except'], from);
  if (set >= 0) return refuse(`it combines queries with ${tokens[set]!.text.toUpperCase()}`);
  const where = topLevelIndex(tokens, ['where'], from);
  let end = topLevelIndex(tokens, ['group', 'having', 'order', 'limit', 'window'], from);
  if (end < 0) end = tokens.length;
  // The one filter that keeps every point a chart draws (charts leave NULL values out as well).
  const nullValuesExcluded = where >= 0 && isValueNotNull(tokens.slice(where + 1, end));
  if (where >= 0 && !nullValuesExcluded) {
    return refuse('it filters rows with WHERE, so its buckets do not hold every point');
  }
  const having = topLevelIndex(tokens, ['having'], from);
  if (having >= 0) return refuse('it filters buckets with HAVING, so it does not hold every bucket');
  const fromList = tokens.slice(from + 1, where >= 0 ? where : end);
  if (fromList.some((t) => isKeyword(t, 'join')) || splitTopLevel(fromList).length > 1) {
    return refuse('it joins other tables');
  }
  if (relationName(fromList) !== 'pipeline_metrics') return refuse('it does not read dash.pipeline_metrics alone');

  if (input.timezone) return refuse(`its buckets are cut in the time zone ${input.timezone}`);

  const found = new Map<Role | 'bucket', string>();
  let bucketProblem: string | null = null;
  for (const item of splitTopLevel(tokens.slice(1, from))) {
    let expr = item;
    let alias: string | null = null;
    const n = item.length;
    if (n >= 3 && isKeyword(item[n - 2], 'as') && item[n - 1]!.kind === 'word') {
      alias = item[n - 1]!.text;
      expr = item.slice(0, n - 2);
    }
    const role = roleOf(expr);
    const name = alias ?? columnRef(expr);
    if (role === null || name === null) continue;
    if (role === 'bucket-call') {
      const call = functionCall(expr)!;
      const problem = bucketCallProblem(call.args);
      if (problem) bucketProblem ??= problem;
      else if (!found.has('bucket')) found.set('bucket', name);
    } else if (!found.has(role)) {
      found.set(role, name);
    }
  }
  if (!found.has('bucket')) return refuse(bucketProblem ?? 'it has no time_bucket column over time');
  const missing = REQUIRED.filter(([role]) => !found.has(role)).map(([, what]) => what);
  if (missing.length) return refuse(`it lacks ${missing.join(', ')}`);
  if (!input.bucket) return refuse('its bucket width is not known');
  const { widthUs, originUs } = input.bucket;
  if (!Number.isSafeInteger(widthUs) || widthUs <= 0 || !Number.isSafeInteger(originUs)) {
    return refuse(`its bucket (${widthUs} µs from ${originUs}) is not a whole number of microseconds`);
  }
  const get = (role: Role | 'bucket') => found.get(role) ?? null;
  return {
    aggregate: {
      nameSql: input.nameSql,
      label: input.label,
      bucketUs: widthUs,
      originUs,
      nullValuesExcluded,
      columns: {
        bucket: get('bucket')!,
        pipelineId: get('pipelineId')!,
        metricName: get('metricName')!,
        seriesId: get('seriesId')!,
        n: get('n')!,
        vmin: get('vmin')!,
        vmax: get('vmax')!,
        v0: get('v0')!,
        v1: get('v1')!,
        t0: get('t0'),
        t1: get('t1'),
        tmin: get('tmin'),
        tmax: get('tmax'),
      },
    },
  };
}

// --- Reading it as M4 columns -------------------------------------------------

function int(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}`);
  return String(Math.trunc(n));
}

/**
 * M4 columns of `grid` from the aggregate's buckets in `ranges` (each from and
 * to on the aggregate's bucket edges; the grid's columns are whole numbers of
 * its buckets, see chartGrid): the same columns serverM4Sql answers over the
 * raw rows. Where the aggregate lacks a corner's time, the bucket's start
 * stands in (its last µs for the last point): inside the bucket, so inside the
 * same pixel column.
 */
export function aggregateM4Sql(
  server: ServerKind,
  agg: ChartAggregate,
  selection: MetricSelection,
  ranges: readonly UsRange[],
  grid: ChartGrid,
): string {
  if (server.mode !== 'timescaledb') throw new Error('Continuous aggregates need TimescaleDB');
  if (ranges.length === 0) throw new Error('A server chart part needs at least one time range');
  if (selection.metrics.length === 0) throw new Error('A chart needs at least one metric');
  if (!(grid.bucketUs > 0)) throw new Error(`Not a pixel column width: ${grid.bucketUs}`);
  for (const r of ranges) {
    int(r.fromUs);
    int(r.toUs);
  }
  const c = agg.columns;
  const col = (name: string) => pgName(name);
  const bucket = col(c.bucket);
  const first = timescaleFunction(server, 'first');
  const last = timescaleFunction(server, 'last');
  const lastUs = `(${bucket} + INTERVAL '${int(agg.bucketUs - 1)} microseconds')`;
  const t0 = c.t0 ? col(c.t0) : bucket;
  const t1 = c.t1 ? col(c.t1) : lastUs;
  const tmin = c.tmin ? col(c.tmin) : bucket;
  const tmax = c.tmax ? col(c.tmax) : bucket;
  const list = (values: readonly string[]) => values.map(pgLiteral).join(', ');
  const conds = [
    `${col(c.pipelineId)} = ${pgLiteral(selection.pipelineId)}`,
    `${col(c.metricName)} IN (${list(selection.metrics)})`,
  ];
  if (selection.seriesIds.length) conds.push(`${col(c.seriesId)} IN (${list(selection.seriesIds)})`);
  // count(value) leaves NULL values out; a bucket of only NULLs has no point to draw.
  conds.push(`${col(c.n)} > 0`);
  const times = ranges.map(
    (r) => `(${bucket} >= ${timestamptzSql(r.fromUs)} AND ${bucket} < ${timestamptzSql(r.toUs)})`,
  );
  conds.push(times.length === 1 ? times[0]! : `(${times.join(' OR ')})`);
  // extract(epoch …) is numeric: exact µs, so the column index is exact too. GROUP BY is positional:
  // an aggregate's own column may be called m, s or px.
  const px = `floor((extract(epoch FROM ${bucket}) * 1000000 - ${int(grid.originUs)}) / ${int(grid.bucketUs)})::float8`;
  // A bucket whose first (last) row has a NULL value has a NULL first (last) value: the column's
  // first point is then the first bucket's that has one, or failing all, its least value (see nullValuesExcluded).
  const v0 = col(c.v0);
  const v1 = col(c.v1);
  return `SELECT m || ${pgLiteral(SERIES_KEY_SEPARATOR)} || s AS k, px, n::float8 AS n,
    ${epochUsSql('CASE WHEN v0 IS NULL THEN tmin ELSE t0 END')} AS t0, coalesce(v0, vmin) AS v0,
    ${epochUsSql('CASE WHEN v1 IS NULL THEN tmax ELSE t1 END')} AS t1, coalesce(v1, vmax) AS v1,
    ${epochUsSql('tmin')} AS tmin, vmin, ${epochUsSql('tmax')} AS tmax, vmax
  FROM (SELECT ${col(c.metricName)} AS m, ${col(c.seriesId)} AS s, ${px} AS px, sum(${col(c.n)}) AS n,
      min(${t0}) FILTER (WHERE ${v0} IS NOT NULL) AS t0, ${first}(${v0}, ${t0}) FILTER (WHERE ${v0} IS NOT NULL) AS v0,
      max(${t1}) FILTER (WHERE ${v1} IS NOT NULL) AS t1, ${last}(${v1}, ${t1}) FILTER (WHERE ${v1} IS NOT NULL) AS v1,
      ${first}(${tmin}, ${col(c.vmin)}) AS tmin, min(${col(c.vmin)}) AS vmin,
      ${last}(${tmax}, ${col(c.vmax)}) AS tmax, max(${col(c.vmax)}) AS vmax
    FROM ${agg.nameSql} WHERE ${conds.join(' AND ')}
    GROUP BY 1, 2, 3) AS c
  ORDER BY k, px`;
}

/** What reading a window from an aggregate needs to know about it. */
export interface AggregateExtent {
  bucketUs: number;
  originUs: number;
  /** Epoch µs where its materialised buckets end; null when nothing is. */
  watermarkUs: number | null;
}

/**
 * How a window [fromUs, toUs) splits between an aggregate and raw rows: the
 * aggregate's whole buckets inside the window and below its watermark (null
 * when there are none), and the rest — the window's ragged edges and the
 * newest, not yet materialised stretch — from raw rows.
 */
export function aggregateSplit(agg: AggregateExtent, window: UsRange): { aggregate: UsRange | null; raw: UsRange[] } {
  const { whole, rest } = wholeBuckets([window], agg, agg.watermarkUs ?? -Infinity);
  return { aggregate: whole[0] ?? null, raw: rest };
}

/**
 * The aggregate a window drawn `width` px wide reads, or null: among those
 * whose buckets are at most a pixel wide, the one covering most of the window,
 * and of those the widest buckets (the fewest rows).
 */
export function pickChartAggregate<A extends AggregateExtent>(
  aggregates: readonly A[],
  window: UsRange,
  width: number,
): A | null {
  let best: { agg: A; covered: number } | null = null;
  for (const agg of aggregates) {
    if (!chartGrid(window, width, { alignUs: agg.bucketUs, alignOriginUs: agg.originUs })) continue;
    const part = aggregateSplit(agg, window).aggregate;
    if (!part) continue;
    const covered = part.toUs - part.fromUs;
    if (!best || covered > best.covered || (covered === best.covered && agg.bucketUs > best.agg.bucketUs)) {
      best = { agg, covered };
    }
  }
  return best?.agg ?? null;
}
