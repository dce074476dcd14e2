/** A hypertable's chunks (newest first, with their compression), its continuous aggregates and its policies. */
import type { ContinuousAggregate, ServerCatalog, ServerRelation } from '../../../shared/api/server';
import { formatBytes } from '../../../shared/format';
import { pgRelation } from '../../../shared/serverSql';
import { EmptyState } from '../../workbench/SidebarSection';
import { openLiveSelect } from './serverActions';
import { Group, JobItem } from './ServerTreeParts';

function shortTime(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '…';
}

export function HypertableDetails({ catalog, relation }: { catalog: ServerCatalog; relation: ServerRelation }) {
  const hyper = catalog.hypertables.find((h) => h.schema === relation.schema && h.name === relation.name);
  if (!hyper) return null;
  const caggs = catalog.continuousAggregates.filter(
    (c) => c.hypertableSchema === relation.schema && c.hypertableName === relation.name,
  );
  const ownJobs = (schema: string, name: string) =>
    catalog.jobs.filter((j) => j.hypertableSchema === schema && j.hypertableName === name);
  const policies = ownJobs(hyper.schema, hyper.name);
  const compressed = hyper.chunks.filter((c) => c.compression === 'compressed').length;
  const partial = hyper.chunks.filter((c) => c.compression === 'partial').length;
  return (
    <>
      <Group
        title={`Chunks${hyper.chunkCount > hyper.chunks.length ? ` (newest ${hyper.chunks.length})` : ''}${compressed ? ` · ${compressed} compressed` : ''}${partial ? ` · ${partial} partly compressed` : ''}`}
        count={hyper.chunkCount}
        testId="server-chunks"
      >
        {hyper.chunks.length === 0 ? <EmptyState>No chunks yet: the hypertable is empty.</EmptyState> : null}
        {hyper.chunks.map((chunk) => (
          <li
            key={`${chunk.schema}.${chunk.name}`}
            className="tree-item server-chunk"
            title={`${chunk.schema}.${chunk.name}\n${chunk.rangeStart ?? ''} → ${chunk.rangeEnd ?? ''}${
              chunk.compression !== 'none' && chunk.uncompressedBytes && chunk.compressedBytes
                ? `\n${formatBytes(chunk.uncompressedBytes)} → ${formatBytes(chunk.compressedBytes)} compressed`
                : ''
            }${
              chunk.compression === 'partial'
                ? '\nRows written since compression are kept uncompressed beside the batches until the chunk is compressed again'
                : ''
            }`}
          >
            <span className="tree-label mono">
              {shortTime(chunk.rangeStart)} → {shortTime(chunk.rangeEnd)}
            </span>
            {chunk.compression === 'compressed' ? (
              <span className="badge accent" data-testid="chunk-compressed">
                compressed
              </span>
            ) : chunk.compression === 'partial' ? (
              <span className="badge" data-testid="chunk-partial">
                partly compressed
              </span>
            ) : null}
            <span className="tree-meta">{chunk.bytes !== null ? formatBytes(chunk.bytes) : ''}</span>
          </li>
        ))}
      </Group>
      {caggs.length ? (
        <Group title="Continuous aggregates" count={caggs.length} testId="server-caggs">
          {caggs.map((c: ContinuousAggregate) => (
            <li key={`${c.schema}.${c.name}`} className="tree-node">
              <div
                className="tree-item clickable"
                title={`${pgRelation(c.schema, c.name)} — double-click to query live`}
                onDoubleClick={() => openLiveSelect(c)}
              >
                <span className="tree-icon view" aria-hidden />
                <span className="tree-label">{pgRelation(c.schema, c.name)}</span>
                <span className="tree-meta">{c.materializedOnly ? 'materialized only' : 'real-time'}</span>
              </div>
              <ul className="side-tree nested">
                {ownJobs(c.materializationSchema, c.materializationName).map((j) => (
                  <JobItem key={j.jobId} job={j} />
                ))}
              </ul>
            </li>
          ))}
        </Group>
      ) : null}
      {policies.length ? (
        <Group title="Policies" count={policies.length} testId="server-policies">
          {policies.map((j) => (
            <JobItem key={j.jobId} job={j} />
          ))}
        </Group>
      ) : null}
    </>
  );
}
