/** The formula language's public types (see index.ts and docs/formulas.md). */
export type BronzeType =
  'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'BOOLEAN' | 'TIMESTAMPTZ' | 'DATE' | (string & {});
export interface BronzeColumn {
  name: string;
  type: BronzeType;
}
export interface TextRange {
  start: number;
  end: number;
}
export interface FormulaDiagnostic {
  range: TextRange;
  severity: 'error' | 'warning';
  message: string;
  suggestion?: string;
}
export interface PipelineDraft {
  filter: string | null;
  metrics: { name: string; formula: string; unit: string }[];
}
export interface CheckedPipeline {
  diagnostics: { where: 'filter' | { metric: number }; diagnostic: FormulaDiagnostic }[];
  ok: boolean;
  metricTypes: (string | null)[];
}
export interface FunctionDoc {
  name: string;
  signature: string;
  doc: string;
  example: string;
  kind: 'math' | 'null' | 'string' | 'time' | 'window' | 'logic';
}

/** A draft that cannot be compiled; `diagnostics` says where and why. */
export class FormulaError extends Error {
  readonly diagnostics: CheckedPipeline['diagnostics'];
  constructor(message: string, diagnostics: CheckedPipeline['diagnostics']) {
    super(message);
    this.name = 'FormulaError';
    this.diagnostics = diagnostics;
  }
}
