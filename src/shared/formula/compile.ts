/**
 * Compiles a checked pipeline to one DuckDB query that runs unchanged on the
 * native warehouse and on DuckDB-WASM (no ICU: times are epoch microseconds,
 * time parts are taken from a plain UTC TIMESTAMP).
 *
 * Why it cannot inject SQL: the only text from the formula that reaches the SQL
 * is (a) column names that were looked up in the schema and go through
 * quoteIdent, (b) string literals through quoteLiteral, (c) numbers printed
 * back from their parsed value, and (d) metric names, which must match
 * [A-Za-z_][A-Za-z0-9_]* and go through quoteIdent. Everything else is text
 * written here.
 *
 * The query is a chain of CTE stages: a window function needs its argument as a
 * column of an earlier stage, and a metric is a column later metrics read.
 */
import { quoteIdent, quoteLiteral } from '../sql';
import { ROLLING, TIME_PARTS } from './functions';
import type { CheckedDraft, CheckedFormula, FType } from './check';
import { columnKind } from './check';
import type { Node } from './parser';
import type { BronzeColumn } from './types';

interface Sql {
  sql: string;
  /** The first stage whose select list may contain this expression. */
  level: number;
  /** A column or literal: cheap to repeat. */
  simple: boolean;
  type: FType;
}

/** A finite number printed back as a DOUBLE literal; never raw formula text. */
export function numberSql(value: number): string {
  if (Number.isNaN(value)) return "'nan'::DOUBLE";
  if (value === Infinity) return "'inf'::DOUBLE";
  if (value === -Infinity) return "'-inf'::DOUBLE";
  const text = String(value);
  if (!/^-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?$/.test(text)) throw new Error(`unexpected number form ${text}`);
  return `(${text}::DOUBLE)`;
}

const STAGE = (k: number): string => `__formula_s${k}`;

class Builder {
  /** stages[0] is the projection of the source; later ones add columns. */
  readonly cols: string[][] = [[]];
  readonly wheres: (string | null)[] = [null];
  floor = 1;
  private counter = 0;
  readonly columnAlias = new Map<string, string>();
  readonly windowSpec: string;

  constructor(
    private readonly ts: BronzeColumn,
    hasRecordId: boolean,
  ) {
    this.windowSpec = `(PARTITION BY __sid ORDER BY __t${hasRecordId ? ', __rid' : ''})`;
  }

  private stage(k: number): string[] {
    while (this.cols.length <= k) {
      this.cols.push([]);
      this.wheres.push(null);
    }
    return this.cols[k]!;
  }

  /** Puts `e` in a stage as a column and returns a reference to it. */
  materialize(e: Sql): Sql {
    if (e.simple) return e;
    const at = Math.max(e.level, this.floor);
    const alias = `__x${this.counter++}`;
    const sql = e.type === 'null' ? `CAST(${e.sql} AS DOUBLE)` : e.sql;
    this.stage(at).push(`${sql} AS ${alias}`);
    return { sql: alias, level: at + 1, simple: true, type: e.type === 'null' ? 'number' : e.type };
  }

  column(col: BronzeColumn): Sql {
    const kind = columnKind(col.type)!;
    let alias = this.columnAlias.get(col.name);
    if (!alias) {
      alias = `__c${this.columnAlias.size}`;
      this.columnAlias.set(col.name, alias);
      this.stage(0).push(`${columnValueSql(col)} AS ${alias}`);
    }
    return { sql: alias, level: 1, simple: true, type: kind };
  }

  addWhere(e: Sql): void {
    const at = Math.max(e.level, this.floor);
    this.stage(at);
    this.wheres[at] = `(${e.sql}) IS TRUE`;
    this.floor = at;
  }

  metric(index: number, e: Sql): Sql {
    const at = Math.max(e.level, this.floor);
    this.stage(at).push(`CAST(${e.sql} AS DOUBLE) AS __m${index}`);
    return { sql: `__m${index}`, level: at + 1, simple: true, type: 'number' };
  }

  compile(f: CheckedFormula, node: Node, metricRefs: Sql[]): Sql {
    const lit = (sql: string, type: FType): Sql => ({ sql, level: 0, simple: true, type });
    const rec = (n: Node): Sql => this.compile(f, n, metricRefs);
    const combine = (sql: string, parts: Sql[], type: FType): Sql => ({
      sql,
      level: Math.max(0, ...parts.map((p) => p.level)),
      simple: false,
      type,
    });
    switch (node.kind) {
      case 'number':
        return lit(numberSql(node.value), 'number');
      case 'string':
        return lit(quoteLiteral(node.value), 'string');
      case 'bool':
        return lit(node.value ? 'true' : 'false', 'boolean');
      case 'null':
        return lit('NULL', 'null');
      case 'duration':
      case 'error':
        throw new Error('unreachable: checked formulas have no errors or stray durations');
      case 'name': {
        const r = f.names.get(node)!;
        return r.kind === 'column' ? this.column(r.column) : metricRefs[r.index]!;
      }
      case 'unary': {
        const a = rec(node.arg);
        return combine(
          node.op === '-' ? `(-(${a.sql}))` : `(NOT (${a.sql}))`,
          [a],
          node.op === '-' ? 'number' : 'boolean',
        );
      }
      case 'binary': {
        const a = rec(node.left);
        const b = rec(node.right);
        const t = f.types.get(node)!;
        switch (node.op) {
          case '/':
          case '%':
            return combine(`(${a.sql} ${node.op} NULLIF(${b.sql}, 0::DOUBLE))`, [a, b], t);
          case '^':
            return combine(`pow(${a.sql}, ${b.sql})`, [a, b], t);
          case 'and':
          case 'or':
            return combine(`(${a.sql} ${node.op.toUpperCase()} ${b.sql})`, [a, b], t);
          default:
            return combine(`(${a.sql} ${node.op} ${b.sql})`, [a, b], t);
        }
      }
      case 'in': {
        const a = rec(node.arg);
        const list = node.list.map(rec);
        return combine(
          `(${a.sql} ${node.negated ? 'NOT IN' : 'IN'} (${list.map((l) => l.sql).join(', ')}))`,
          [a, ...list],
          'boolean',
        );
      }
      case 'between': {
        const a = rec(node.arg);
        const lo = rec(node.lo);
        const hi = rec(node.hi);
        return combine(
          `(${a.sql} ${node.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${lo.sql} AND ${hi.sql})`,
          [a, lo, hi],
          'boolean',
        );
      }
      case 'isnull': {
        const a = rec(node.arg);
        return combine(`(${a.sql} IS ${node.negated ? 'NOT ' : ''}NULL)`, [a], 'boolean');
      }
      case 'call':
        return this.call(f, node, metricRefs, combine, rec);
    }
  }

  private call(
    f: CheckedFormula,
    node: Extract<Node, { kind: 'call' }>,
    metricRefs: Sql[],
    combine: (sql: string, parts: Sql[], type: FType) => Sql,
    rec: (n: Node) => Sql,
  ): Sql {
    const name = node.name.toLowerCase();
    const t = f.types.get(node)!;
    const args = node.args;
    const windowed = (sql: string, parts: Sql[]): Sql => combine(sql, parts, t);
    if (TIME_PARTS.has(name)) {
      const ts = args[0] ? rec(args[0]) : this.column(this.tsColumn());
      if (name === 'epoch') return combine(`(CAST(${ts.sql} AS DOUBLE) / (1000000::DOUBLE))`, [ts], 'number');
      const fn = {
        hour: 'hour',
        minute: 'minute',
        day_of_week: 'isodow',
        day: 'day',
        day_of_year: 'dayofyear',
        month: 'month',
        year: 'year',
      }[name]!;
      return combine(`CAST(${fn}(make_timestamp(${ts.sql})) AS DOUBLE)`, [ts], 'number');
    }
    if (ROLLING.has(name)) {
      const x = this.materialize(rec(args[0]!));
      const d = args[1]!;
      const micros = d.kind === 'duration' ? d.micros : 0;
      const agg = {
        rolling_avg: 'avg',
        rolling_min: 'min',
        rolling_max: 'max',
        rolling_sum: 'sum',
        rolling_count: 'count',
      }[name]!;
      const frame = `(PARTITION BY __sid ORDER BY __t RANGE BETWEEN ${micros} PRECEDING AND CURRENT ROW)`;
      return windowed(`CAST(${agg}(${x.sql}) OVER ${frame} AS DOUBLE)`, [x]);
    }
    // Durations are read from the node where needed, never printed as themselves.
    const a = args.map((x): Sql =>
      x.kind === 'duration' ? { sql: '', level: 0, simple: true, type: 'duration' } : rec(x),
    );
    const sqls = a.map((x) => x.sql);
    switch (name) {
      case 'if':
        return combine(`(CASE WHEN ${sqls[0]} THEN ${sqls[1]} ELSE ${sqls[2]} END)`, a, t);
      case 'case': {
        const parts: string[] = [];
        for (let i = 0; i + 1 < sqls.length; i += 2) parts.push(`WHEN ${sqls[i]} THEN ${sqls[i + 1]}`);
        return combine(`(CASE ${parts.join(' ')} ELSE ${sqls[sqls.length - 1]} END)`, a, t);
      }
      case 'coalesce':
        return combine(`COALESCE(${sqls.join(', ')})`, a, t);
      case 'nullif':
        return combine(`NULLIF(${sqls[0]}, ${sqls[1]})`, a, t);
      case 'is_nan':
        return combine(`isnan(${sqls[0]})`, a, t);
      case 'is_finite':
        return combine(`isfinite(${sqls[0]})`, a, t);
      case 'abs':
      case 'floor':
      case 'ceil':
      case 'exp':
        return combine(`${name}(${sqls[0]})`, a, t);
      case 'sqrt': {
        const x = this.materialize(a[0]!);
        return combine(`sqrt(CASE WHEN ${x.sql} >= 0::DOUBLE THEN ${x.sql} END)`, [x], t);
      }
      case 'ln':
      case 'log10': {
        const x = this.materialize(a[0]!);
        return combine(`${name}(CASE WHEN ${x.sql} > 0::DOUBLE THEN ${x.sql} END)`, [x], t);
      }
      case 'round':
        return combine(`round(${sqls[0]}, ${args[1] && args[1].kind === 'number' ? args[1].value : 0})`, [a[0]!], t);
      case 'pow':
        return combine(`pow(${sqls[0]}, ${sqls[1]})`, a, t);
      case 'min':
      case 'max':
        return combine(`CAST(${name === 'min' ? 'least' : 'greatest'}(${sqls.join(', ')}) AS DOUBLE)`, a, t);
      case 'clamp': {
        const x = this.materialize(a[0]!);
        return combine(
          `(CASE WHEN ${x.sql} IS NOT NULL THEN least(greatest(${x.sql}, ${sqls[1]}), ${sqls[2]}) END)`,
          [x, a[1]!, a[2]!],
          t,
        );
      }
      case 'lower':
      case 'upper':
        return combine(`${name}(${sqls[0]})`, a, t);
      case 'length':
        return combine(`CAST(length(${sqls[0]}) AS DOUBLE)`, a, t);
      case 'contains':
      case 'starts_with':
      case 'ends_with':
        return combine(`${name}(${sqls[0]}, ${sqls[1]})`, a, t);
      case 'matches':
        return combine(`regexp_matches(${sqls[0]}, ${sqls[1]})`, a, t);
      case 'lag':
      case 'lead': {
        const x = this.materialize(a[0]!);
        const n = args[1] && args[1].kind === 'number' ? args[1].value : 1;
        return windowed(`${name}(${x.sql}, ${n}) OVER ${this.windowSpec}`, [x]);
      }
      case 'delta': {
        const x = this.materialize(a[0]!);
        return windowed(`(${x.sql} - lag(${x.sql}, 1) OVER ${this.windowSpec})`, [x]);
      }
      case 'rate': {
        const x = this.materialize(a[0]!);
        const per = args[1] && args[1].kind === 'duration' ? args[1].micros : 1_000_000;
        const mode = args[2] && args[2].kind === 'string' ? args[2].value : 'counter';
        const prev = `lag(${x.sql}, 1) OVER ${this.windowSpec}`;
        const prevT = `lag(__t, 1) OVER ${this.windowSpec}`;
        const increase =
          mode === 'gauge'
            ? `(${x.sql} - ${prev})`
            : mode === 'restart'
              ? `(CASE WHEN ${x.sql} >= ${prev} THEN ${x.sql} - ${prev} WHEN ${x.sql} < ${prev} THEN ${x.sql} END)`
              : `(CASE WHEN ${x.sql} >= ${prev} THEN ${x.sql} - ${prev} END)`;
        return windowed(
          `(CASE WHEN __t > ${prevT} THEN ${increase} / (CAST(__t - ${prevT} AS DOUBLE) / (1000000::DOUBLE)) * ${numberSql(per / 1_000_000)} END)`,
          [x],
        );
      }
      default:
        throw new Error(`unreachable: unknown function ${name}`);
    }
  }

  tsColumn(): BronzeColumn {
    return this.ts;
  }
}

/** How a Bronze column is read: numbers as DOUBLE, times as epoch microseconds (no ICU needed). */
function columnValueSql(col: BronzeColumn): string {
  const q = quoteIdent(col.name);
  switch (columnKind(col.type)) {
    case 'number':
      return `CAST(${q} AS DOUBLE)`;
    case 'timestamp':
      return /TZ|TIME ZONE/i.test(col.type) ? `epoch_us(${q})` : `epoch_us(CAST(${q} AS TIMESTAMP))`;
    case 'string':
      return `CAST(${q} AS VARCHAR)`;
    default:
      return q;
  }
}

/**
 * The pipeline's SQL over `source`. `ordered: false` leaves out the final sort
 * by series, time and record: a reader that aggregates, or sorts only the few
 * rows it shows (the editor's preview), saves a sort of every row.
 */
export function compileChecked(
  draft: CheckedDraft,
  names: string[],
  schema: BronzeColumn[],
  source: string,
  options: { ordered?: boolean } = {},
): string {
  const byName = new Map(schema.map((c) => [c.name.toLowerCase(), c] as const));
  const recordId = byName.get('record_id');
  const ingestedAt = byName.get('ingested_at');
  const ts = byName.get('ts')!;
  const b = new Builder(ts, recordId !== undefined);
  const base = [
    `${quoteIdent(byName.get('series_id')!.name)} AS __sid`,
    `${quoteIdent(ts.name)} AS __ts`,
    `${columnValueSql(ts)} AS __t`,
  ];
  if (recordId) base.push(`${quoteIdent(recordId.name)} AS __rid`);
  b.cols[0]!.push(...base);
  if (draft.filter) b.addWhere(b.compile(draft.filter, draft.filter.node, []));
  const refs: Sql[] = [];
  draft.metrics.forEach((m, i) => {
    refs.push(b.metric(i, b.compile(m, m.node, refs)));
  });
  // Connectors deliver at least once: keep the copy of each record ingested first.
  const dedupe =
    recordId && ingestedAt
      ? ` QUALIFY row_number() OVER (PARTITION BY ${quoteIdent(recordId.name)} ORDER BY ${quoteIdent(ingestedAt.name)}) = 1`
      : '';
  const ctes = [`${STAGE(0)} AS (SELECT ${b.cols[0]!.join(', ')} FROM ${source}${dedupe})`];
  for (let k = 1; k < b.cols.length; k++) {
    const cols = b.cols[k]!;
    const where = b.wheres[k];
    ctes.push(
      `${STAGE(k)} AS (SELECT *${cols.length ? ', ' + cols.join(', ') : ''} FROM ${STAGE(k - 1)}${where ? ` WHERE ${where}` : ''})`,
    );
  }
  const out = ['__sid AS series_id', '__ts AS ts', ...names.map((n, i) => `__m${i} AS ${quoteIdent(n)}`)];
  const order = options.ordered === false ? '' : ` ORDER BY __sid, __t${recordId ? ', __rid' : ''}`;
  return `WITH ${ctes.join(',\n  ')}\nSELECT ${out.join(', ')} FROM ${STAGE(b.cols.length - 1)}${order}`;
}
