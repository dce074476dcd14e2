/**
 * The Arrow column types results are encoded as, whichever engine produced
 * them: the grid and DuckDB-WASM understand exactly these.
 */
import { Bool, DateDay, Float64, Int32, Int64, TimestampMicrosecond, Utf8, type DataType } from 'apache-arrow';

export type ArrowColumnKind = 'bool' | 'int32' | 'int64' | 'float64' | 'date' | 'timestamp' | 'timestamptz' | 'utf8';

export function arrowTypeOf(kind: ArrowColumnKind): DataType {
  switch (kind) {
    case 'bool':
      return new Bool();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new TimestampMicrosecond();
    case 'timestamptz':
      return new TimestampMicrosecond('UTC');
    case 'utf8':
      return new Utf8();
  }
}
