/**
 * The pipeline formula language (docs/formulas.md): a parser with error
 * recovery, a type checker against the Bronze schema, a compiler to DuckDB SQL
 * that runs on both engines, and a reference evaluator in TypeScript.
 */
import { checkDraft } from './check';
import { compileChecked } from './compile';
import { lex, type TokenKind } from './lexer';
import { FormulaError, type BronzeColumn, type CheckedPipeline, type PipelineDraft, type TextRange } from './types';

export type {
  BronzeColumn,
  BronzeType,
  CheckedPipeline,
  FormulaDiagnostic,
  FunctionDoc,
  PipelineDraft,
  TextRange,
} from './types';
export type { TokenKind } from './lexer';
export { FormulaError } from './types';
export { FORMULA_FUNCTIONS } from './functions';
export { referenceEvaluate } from './evaluate';

export function checkPipeline(draft: PipelineDraft, schema: BronzeColumn[]): CheckedPipeline {
  const { diagnostics, ok, metricTypes } = checkDraft(draft, schema);
  return { diagnostics, ok, metricTypes };
}

/**
 * SQL computing, per Bronze row (ordered per series by ts), columns series_id,
 * ts, and one DOUBLE column per metric named as the metric. `source` is a
 * relation name already quoted, e.g. bronze."energy_meters" or a WASM table.
 * Throws FormulaError if the draft has errors.
 */
export function compilePipeline(
  draft: PipelineDraft,
  schema: BronzeColumn[],
  source: string,
  options: { ordered?: boolean } = {},
): string {
  const checked = checkDraft(draft, schema);
  if (!checked.ok) {
    const first = checked.diagnostics.find((d) => d.diagnostic.severity === 'error')!;
    const where =
      first.where === 'filter'
        ? 'the filter'
        : `metric ${draft.metrics[first.where.metric]?.name || first.where.metric + 1}`;
    throw new FormulaError(`The pipeline has errors; in ${where}: ${first.diagnostic.message}`, checked.diagnostics);
  }
  return compileChecked(
    checked,
    draft.metrics.map((m) => m.name),
    schema,
    source,
    options,
  );
}

/** Tokens for highlighting; never throws. */
export function tokenize(text: string): { kind: TokenKind; range: TextRange }[] {
  return lex(text).map((t) => ({ kind: t.kind, range: t.range }));
}
