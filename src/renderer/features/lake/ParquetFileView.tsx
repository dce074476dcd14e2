/**
 * One Parquet file of the lake, opened from the lake browser: its footer
 * (schema, row groups with column statistics, key-value metadata), where the
 * bytes came from and how few were read, and its first rows.
 */
import { useEffect, useRef, useState, type CSSProperties, type ReactNode, type Ref } from 'react';
import type { ParquetFileInfo } from '../../../shared/api/lake';
import { formatBytes } from '../../../shared/format';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { ErrorPanel } from '../common/ErrorPanel';

type Cell = ParquetFileInfo['firstRows']['rows'][number][number];
type Source = ParquetFileInfo['source'];

const FIRST_ROWS = 50;
/** Tooltips are for reading, not for dumping megabytes of payload into the DOM. */
const TITLE_MAX = 4000;

const SOURCE_LABEL: Record<Source, string> = {
  store: 'object store',
  cache: 'local cache',
  local: 'local folder',
};

const SOURCE_HOW: Record<Source, string> = {
  store: 'by byte ranges',
  cache: 'from the local cache',
  local: 'in place',
};

const count = (n: number) => n.toLocaleString('en-US');

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

function Value({ value }: { value: Cell }) {
  if (value === null) return <span className="pq-null">null</span>;
  const text = cellText(value);
  return <span title={text.length > 24 ? tooltipOf(text) : undefined}>{text}</span>;
}

function Section({ title, meta, children }: { title: string; meta?: string; children: ReactNode }) {
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

function Overview({ info }: { info: ParquetFileInfo }) {
  const share = info.size > 0 ? Math.min(1, info.bytesRead / info.size) : 0;
  const percent =
    share >= 0.995 ? '100%' : share >= 0.1 ? `${Math.round(share * 100)}%` : `${(share * 100).toFixed(1)}%`;
  // Small files are fetched whole in one read: say so, or 100% looks like a failure of range reads.
  const bytesTitle =
    `${count(info.bytesRead)} of ${count(info.size)} bytes` +
    (share >= 1 && info.source === 'store' ? ': the file is small enough to fetch in one read' : '');
  return (
    <dl className="pq-overview">
      <div className="pq-stat">
        <dt>Rows</dt>
        <dd data-testid="file-rows" data-count={info.rowCount}>
          {count(info.rowCount)}
        </dd>
      </div>
      <div className="pq-stat">
        <dt>Size</dt>
        <dd title={`${count(info.size)} bytes`}>{formatBytes(info.size)}</dd>
      </div>
      <div className="pq-stat">
        <dt>Row groups</dt>
        <dd>{count(info.rowGroups.length)}</dd>
      </div>
      <div className="pq-stat">
        <dt>Columns</dt>
        <dd>{count(info.schema.length)}</dd>
      </div>
      <div className="pq-stat">
        <dt>Source</dt>
        <dd>
          <span className={`pq-source ${info.source}`} data-testid="file-source" data-source={info.source}>
            {SOURCE_LABEL[info.source]}
          </span>
        </dd>
      </div>
      <div className="pq-stat wide">
        <dt>Bytes read</dt>
        <dd data-testid="file-bytes-read" data-bytes={info.bytesRead} title={bytesTitle}>
          read {formatBytes(info.bytesRead)} of {formatBytes(info.size)} {SOURCE_HOW[info.source]}
          <span className="dim"> · {percent}</span>
          <span className="pq-read-bar" aria-hidden>
            <span style={{ width: `${Math.max(share * 100, 0.5)}%` }} />
          </span>
        </dd>
      </div>
      <div className="pq-stat full">
        <dt>Created by</dt>
        <dd className="mono" title={info.createdBy ?? undefined}>
          {info.createdBy ?? <span className="pq-null">not recorded</span>}
        </dd>
      </div>
    </dl>
  );
}

function SchemaTable({ schema }: { schema: ParquetFileInfo['schema'] }) {
  return (
    <div className="pq-table-wrap">
      <table className="pq-table pq-schema" data-testid="file-schema">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Name</th>
            <th>Physical type</th>
            <th>Logical type</th>
            <th>Repetition</th>
          </tr>
        </thead>
        <tbody>
          {schema.map((column, i) => (
            <tr key={`${i}:${column.name}`} data-testid="schema-column" data-name={column.name}>
              <td className="num dim">{i + 1}</td>
              <td className="mono strong">{column.name}</td>
              <td className="mono">{column.physicalType ?? <span className="pq-null">group</span>}</td>
              <td className="mono">{column.logicalType ?? <span className="pq-null">—</span>}</td>
              <td className="mono dim">{column.repetition ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RowGroups({ groups }: { groups: ParquetFileInfo['rowGroups'] }) {
  return (
    <div className="pq-groups">
      {groups.map((group, i) => {
        const ratio = group.compressedBytes > 0 ? group.uncompressedBytes / group.compressedBytes : null;
        return (
          // The first group is open: most Bronze files have just one.
          <details key={i} className="pq-group" open={i === 0} data-testid="row-group">
            <summary>
              <span className="pq-group-title">Row group {i}</span>
              <span className="pq-group-fact">{count(group.rows)} rows</span>
              <span className="pq-group-fact">{formatBytes(group.compressedBytes)} compressed</span>
              <span className="pq-group-fact dim">{formatBytes(group.uncompressedBytes)} uncompressed</span>
              {ratio !== null ? <span className="badge">{ratio.toFixed(1)}×</span> : null}
            </summary>
            <div className="pq-table-wrap">
              <table className="pq-table pq-stats">
                <thead>
                  <tr>
                    <th>Column</th>
                    <th>Compression</th>
                    <th className="num">Nulls</th>
                    <th>Min</th>
                    <th>Max</th>
                  </tr>
                </thead>
                <tbody>
                  {group.columns.map((column, j) => (
                    <tr key={`${j}:${column.name}`}>
                      <td className="mono strong">{column.name}</td>
                      <td className="mono dim">{column.compression}</td>
                      <td className="num mono">
                        {column.nulls === null ? <span className="pq-null">—</span> : count(column.nulls)}
                      </td>
                      <td className="mono pq-clip">
                        <Value value={column.min} />
                      </td>
                      <td className="mono pq-clip">
                        <Value value={column.max} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        );
      })}
    </div>
  );
}

function KeyValue({ entries }: { entries: ParquetFileInfo['keyValue'] }) {
  if (entries.length === 0) return <div className="pq-empty">No key-value metadata in this file.</div>;
  return (
    <div className="pq-table-wrap">
      <table className="pq-table pq-kv">
        <thead>
          <tr>
            <th>Key</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, i) => (
            <tr key={`${i}:${entry.key}`}>
              <td className="mono strong">{entry.key}</td>
              <td className="mono pq-clip">
                <Value value={entry.value} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FirstRows({ rows }: { rows: ParquetFileInfo['firstRows'] }) {
  if (rows.rows.length === 0) return <div className="pq-empty">The file has no rows.</div>;
  return (
    <div className="pq-rows-scroll" data-testid="file-first-rows">
      <table className="pq-table pq-rows">
        <thead>
          <tr>
            <th className="num pq-gutter">#</th>
            {rows.columns.map((column) => (
              <th key={column}>{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.rows.map((row, i) => (
            <tr key={i}>
              <td className="num pq-gutter">{i + 1}</td>
              {row.map((value, j) => (
                <td key={j} className={typeof value === 'number' ? 'num' : undefined}>
                  <Value value={value} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ParquetFileView({
  fileKey,
  onClose,
  style,
  ref,
}: {
  fileKey: string;
  onClose: () => void;
  style?: CSSProperties;
  ref?: Ref<HTMLElement>;
}) {
  const [info, setInfo] = useState<ParquetFileInfo | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    let current = true;
    setInfo(null);
    setError(null);
    workbench()
      .call('lake.file', { key: fileKey, rows: FIRST_ROWS })
      .then(
        (result) => current && setInfo(result),
        (err: unknown) => current && setError(toErrorView(err)),
      );
    return () => {
      current = false;
    };
  }, [fileKey]);

  // Escape closes the panel, unless a dialog is open: Escape is the dialog's then.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('[aria-modal="true"]')) return;
      closeRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const name = fileKey.slice(fileKey.lastIndexOf('/') + 1);
  const folder = fileKey.slice(0, fileKey.length - name.length);
  const loading = !info && !error;

  return (
    <section
      className="pq-panel"
      data-testid="parquet-file"
      data-key={fileKey}
      aria-label={`Parquet file ${name}`}
      style={style}
      ref={ref}
    >
      <header className="pq-header">
        <span className="pq-file-icon" aria-hidden>
          PQ
        </span>
        <span className="pq-title mono" title={fileKey}>
          {name}
        </span>
        <span className="pq-folder mono dim" title={fileKey}>
          {folder}
        </span>
        <span className="toolbar-spacer" />
        <span className="dim shortcut-hint">Esc to close</span>
        <button
          type="button"
          className="icon-button pq-close"
          data-testid="close-file"
          title="Close (Esc)"
          aria-label="Close the file"
          onClick={onClose}
        >
          ✕
        </button>
      </header>
      <div className="pq-body">
        {error ? <ErrorPanel error={error} testId="file-error" /> : null}
        {loading ? (
          <div className="pq-empty pq-loading" data-testid="file-loading">
            Reading footer…
          </div>
        ) : null}
        {info ? (
          <>
            <Section title="Overview">
              <Overview info={info} />
            </Section>
            <Section title="Schema" meta={`${info.schema.length} columns`}>
              <SchemaTable schema={info.schema} />
            </Section>
            <Section title="Row groups" meta={`${info.rowGroups.length}`}>
              {info.rowGroups.length > 0 ? (
                <RowGroups groups={info.rowGroups} />
              ) : (
                <div className="pq-empty">No row groups: the file is empty.</div>
              )}
            </Section>
            <Section title="Key-value metadata" meta={`${info.keyValue.length}`}>
              <KeyValue entries={info.keyValue} />
            </Section>
            <Section
              title="First rows"
              meta={
                info.firstRows.rows.length < info.rowCount
                  ? `${info.firstRows.rows.length} of ${count(info.rowCount)}`
                  : `${info.firstRows.rows.length}`
              }
            >
              <FirstRows rows={info.firstRows} />
            </Section>
          </>
        ) : null}
      </div>
    </section>
  );
}
