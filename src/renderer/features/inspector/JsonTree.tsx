/**
 * A raw payload as a collapsible JSON tree; text that is not JSON is shown as
 * it is, with where and why it does not parse.
 */
import { useMemo, useState } from 'react';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function parseRaw(text: string): { ok: true; value: Json } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function Scalar({ value }: { value: Json }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === 'string') return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  return <span className="json-bool">{String(value)}</span>;
}

function Node({ name, value, depth }: { name: string | null; value: Json; depth: number }) {
  const container = value !== null && typeof value === 'object';
  const [open, setOpen] = useState(depth < 2);
  const label = name === null ? null : <span className="json-key">{name}: </span>;
  if (!container) {
    return (
      <div className="json-line" style={{ paddingLeft: depth * 14 + 14 }}>
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [openMark, closeMark] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <>
      <div
        className="json-line json-branch"
        style={{ paddingLeft: depth * 14 }}
        role="treeitem"
        aria-expanded={open}
        data-testid="json-branch"
        onClick={() => setOpen(!open)}
      >
        <span className={`caret${open ? ' open' : ''}`} aria-hidden>
          ▸
        </span>
        {label}
        {openMark}
        {open ? null : (
          <span className="dim">
            {' '}
            {entries.length} {Array.isArray(value) ? 'items' : 'keys'} {closeMark}
          </span>
        )}
      </div>
      {open ? (
        <>
          {entries.map(([k, v]) => (
            <Node key={k} name={Array.isArray(value) ? null : k} value={v} depth={depth + 1} />
          ))}
          <div className="json-line" style={{ paddingLeft: depth * 14 + 14 }}>
            {closeMark}
          </div>
        </>
      ) : null}
    </>
  );
}

export function JsonTree({ text }: { text: string }) {
  const parsed = useMemo(() => parseRaw(text), [text]);
  if (!parsed.ok) {
    return (
      <div className="json-invalid" data-testid="raw-invalid">
        <div className="error-message">Not valid JSON: {parsed.error}</div>
        <pre className="json-text mono">{text}</pre>
      </div>
    );
  }
  return (
    <div className="json-tree mono" role="tree" data-testid="raw-json">
      <Node name={null} value={parsed.value} depth={0} />
    </div>
  );
}
