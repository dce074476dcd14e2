/**
 * One Bronze record: where it came from, every field with its type, `raw` as
 * a JSON tree, and the same series' records just before and after it.
 */
import { useState } from 'react';
import type { InspectorMatch, InspectorRecord } from '../../../shared/api/inspector';
import { formatBytes } from '../../../shared/format';
import type { ErrorView } from '../../state/errorView';
import { ErrorPanel } from '../common/ErrorPanel';
import { writeClipboard } from '../common/clipboard';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { inspectorText } from './inspectorFormat';
import { JsonTree } from './JsonTree';
import { closeDetail, openFile, openRecord } from './inspectorStore';

function recordJson(match: InspectorMatch): string {
  return JSON.stringify(Object.fromEntries(match.fields.map((f) => [f.name, f.value])), null, 2);
}

/** The × of the panel beside the results; Escape does the same (see Detail in InspectorView). */
export function CloseDetail({ label }: { label: string }) {
  return (
    <button type="button" className="icon-button" aria-label={label} title="Close (Esc)" onClick={closeDetail}>
      ×
    </button>
  );
}

export function Neighbour({ match, current }: { match: InspectorMatch; current?: boolean }) {
  const timeZone = useWorkspaceTimeZone();
  return (
    <button
      type="button"
      className={`insp-neighbour${current ? ' current' : ''}`}
      data-testid="insp-neighbour"
      disabled={current}
      title={`${match.key} · row ${match.row}`}
      onClick={() => void openRecord(match.key, match.row)}
    >
      <span className="mono">{match.ts === null ? '—' : inspectorText(match.ts, timeZone)}</span>
      <span className="mono dim">{match.recordId}</span>
    </button>
  );
}

export function FieldsTable({ match }: { match: InspectorMatch }) {
  const timeZone = useWorkspaceTimeZone();
  return (
    <table className="insp-fields" data-testid="insp-fields">
      <tbody>
        {match.fields.map((f) => (
          <tr key={f.name}>
            <th>{f.name}</th>
            <td className="insp-type">{f.type}</td>
            <td className="mono insp-value" title={f.value === null ? 'NULL' : String(f.value)}>
              {f.value === null ? <span className="pq-null">NULL</span> : inspectorText(f.value, timeZone)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RecordPanel({
  record,
  error,
  fileKey,
}: {
  record: InspectorRecord | null;
  error: ErrorView | null;
  fileKey: string;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const match = record?.record;
  const raw = match?.fields.find((f) => f.name === 'raw')?.value;
  return (
    <section className="insp-panel" data-testid="insp-record">
      <header className="insp-panel-header">
        <span className="insp-panel-title mono" title={match?.recordId ?? fileKey}>
          {match?.recordId ?? 'Record'}
        </span>
        {match ? (
          <>
            <button
              type="button"
              className="plain-button"
              data-testid="insp-copy-json"
              title="Copy every field as a JSON object"
              onClick={() =>
                void writeClipboard(recordJson(match)).then(
                  () => setCopied('Copied as JSON'),
                  () => setCopied('The clipboard refused; select the text instead'),
                )
              }
            >
              Copy as JSON
            </button>
            <button
              type="button"
              className="plain-button"
              data-testid="insp-open-file"
              title="Schema, row groups and statistics of the file this record is in"
              onClick={() => openFile(match.key)}
            >
              Open file
            </button>
          </>
        ) : null}
        {copied ? <span className="dim">{copied}</span> : null}
        <CloseDetail label="Close the record" />
      </header>
      <div className="insp-panel-body">
        {error ? <ErrorPanel error={error} /> : null}
        {!record && !error ? <div className="pq-loading">Reading the record…</div> : null}
        {record && match ? (
          <>
            <dl className="insp-source" data-testid="insp-source">
              <dt>File</dt>
              <dd className="mono">{match.key}</dd>
              <dt>Row group</dt>
              <dd>{match.rowGroup}</dd>
              <dt>Row</dt>
              <dd>{match.row}</dd>
              <dt>ETag</dt>
              <dd className="mono">{match.etag}</dd>
              <dt>Landed</dt>
              <dd>{match.date ?? '—'}</dd>
              <dt>Read from</dt>
              <dd>
                {record.source === 'store'
                  ? 'the store (range reads)'
                  : record.source === 'cache'
                    ? 'the cache'
                    : 'the folder'}{' '}
                · {formatBytes(record.size)}
              </dd>
            </dl>
            <h4 className="insp-heading">Fields</h4>
            <FieldsTable match={match} />
            <h4 className="insp-heading">raw</h4>
            {typeof raw === 'string' ? (
              <JsonTree text={raw} />
            ) : (
              <div className="dim">This file has no raw payload.</div>
            )}
            <h4 className="insp-heading">Same series, around this time</h4>
            <div className="insp-neighbours" data-testid="insp-neighbours">
              {record.before.length === 0 && record.after.length === 0 ? (
                <div className="dim">No other records of {match.seriesId} within a day.</div>
              ) : null}
              {record.before.map((m) => (
                <Neighbour key={`${m.key}:${m.row}`} match={m} />
              ))}
              <Neighbour match={match} current />
              {record.after.map((m) => (
                <Neighbour key={`${m.key}:${m.row}`} match={m} />
              ))}
            </div>
          </>
        ) : null}
      </div>
    </section>
  );
}
