/** How the Parquet file view shows values: a value with its tooltip, a titled section. */
import type { ReactNode } from 'react';
import type { ParquetFileInfo } from '../../../shared/api/lake';

type Cell = ParquetFileInfo['firstRows']['rows'][number][number];

/** Tooltips are for reading, not for dumping megabytes of payload into the DOM. */
const TITLE_MAX = 4000;

function cellText(value: Cell): string {
  return typeof value === 'string' ? value : String(value);
}

function clip(text: string): string {
  return text.length > TITLE_MAX ? `${text.slice(0, TITLE_MAX)}…` : text;
}

/** Long JSON values read better indented in their tooltip. */
function tooltipOf(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return clip(JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      // Not JSON after all: show it as it is.
    }
  }
  return clip(text);
}

export function Value({ value }: { value: Cell }) {
  if (value === null) return <span className="pq-null">null</span>;
  const text = cellText(value);
  return <span title={text.length > 24 ? tooltipOf(text) : undefined}>{text}</span>;
}

export function Section({ title, meta, children }: { title: string; meta?: string; children: ReactNode }) {
  return (
    <section className="pq-section">
      <h3 className="pq-heading">
        {title}
        {meta ? <span className="pq-heading-meta">{meta}</span> : null}
      </h3>
      {children}
    </section>
  );
}
