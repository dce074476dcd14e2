/** A Parquet file's row groups with their column statistics, its key-value metadata and its first rows. */
import type { ParquetFileInfo } from '../../../shared/api/lake';
import { formatBytes } from '../../../shared/format';
import { formatCount } from '../../workbench/format';
import { Value } from './ParquetValue';

export function RowGroups({ groups }: { groups: ParquetFileInfo['rowGroups'] }) {
  return (
    <div className="pq-groups">
      {groups.map((group, i) => {
        const ratio = group.compressedBytes > 0 ? group.uncompressedBytes / group.compressedBytes : null;
        return (
          // The first group is open: most Bronze files have just one.
          <details key={i} className="pq-group" open={i === 0} data-testid="row-group">
            <summary>
              <span className="pq-group-title">Row group {i}</span>
              <span className="pq-group-fact">{formatCount(group.rows)} rows</span>
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
                        {column.nulls === null ? <span className="pq-null">—</span> : formatCount(column.nulls)}
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

export function KeyValue({ entries }: { entries: ParquetFileInfo['keyValue'] }) {
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

export function FirstRows({ rows }: { rows: ParquetFileInfo['firstRows'] }) {
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
