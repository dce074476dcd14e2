/** A Parquet file at a glance (rows, size, where its bytes came from) and its schema. */
import type { ParquetFileInfo } from '../../../shared/api/lake';
import { formatBytes } from '../../../shared/format';
import { formatCount } from '../../workbench/format';

type Source = ParquetFileInfo['source'];

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

export function Overview({ info }: { info: ParquetFileInfo }) {
  const share = info.size > 0 ? Math.min(1, info.bytesRead / info.size) : 0;
  const percent =
    share >= 0.995 ? '100%' : share >= 0.1 ? `${Math.round(share * 100)}%` : `${(share * 100).toFixed(1)}%`;
  // Small files are fetched whole in one read: say so, or 100% looks like a failure of range reads.
  const bytesTitle =
    `${formatCount(info.bytesRead)} of ${formatCount(info.size)} bytes` +
    (share >= 1 && info.source === 'store' ? ': the file is small enough to fetch in one read' : '');
  return (
    <dl className="pq-overview">
      <div className="pq-stat">
        <dt>Rows</dt>
        <dd data-testid="file-rows" data-count={info.rowCount}>
          {formatCount(info.rowCount)}
        </dd>
      </div>
      <div className="pq-stat">
        <dt>Size</dt>
        <dd title={`${formatCount(info.size)} bytes`}>{formatBytes(info.size)}</dd>
      </div>
      <div className="pq-stat">
        <dt>Row groups</dt>
        <dd>{formatCount(info.rowGroups.length)}</dd>
      </div>
      <div className="pq-stat">
        <dt>Columns</dt>
        <dd>{formatCount(info.schema.length)}</dd>
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

export function SchemaTable({ schema }: { schema: ParquetFileInfo['schema'] }) {
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
