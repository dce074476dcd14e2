/**
 * One Parquet file of the lake, opened from the lake browser (or beside the
 * inspector's records): its footer (schema, row groups with column statistics,
 * key-value metadata), where the bytes came from and how few were read, and its
 * first rows.
 */
import { useEffect, useRef, useState } from 'react';
import type { ParquetFileInfo } from '../../../shared/api/lake';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { formatCount } from '../../workbench/format';
import type { Parts } from '../../workbench/parts';
import { ErrorPanel } from '../common/ErrorPanel';
import { readParquetFile } from './lakeActions';
import { Overview, SchemaTable } from './ParquetOverview';
import { FirstRows, KeyValue, RowGroups } from './ParquetTables';
import { Section } from './ParquetValue';

/** The file's footer once read, or why it could not be; both null while it is read. */
function useParquetFile(fileKey: string): { info: ParquetFileInfo | null; error: ErrorView | null } {
  const [info, setInfo] = useState<ParquetFileInfo | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  useEffect(() => {
    let current = true;
    setInfo(null);
    setError(null);
    readParquetFile(fileKey).then(
      (result) => current && setInfo(result),
      (err: unknown) => current && setError(toErrorView(err)),
    );
    return () => {
      current = false;
    };
  }, [fileKey]);
  return { info, error };
}

export function ParquetFileView({ fileKey, onClose, style, ref }: Parts['parquetFile']) {
  const { info, error } = useParquetFile(fileKey);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

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
                  ? `${info.firstRows.rows.length} of ${formatCount(info.rowCount)}`
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
