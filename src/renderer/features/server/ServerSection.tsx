/**
 * The Dash server itself: schemas → tables/views → columns, and on TimescaleDB
 * each hypertable's chunks, continuous aggregates and policies. A table opens
 * as a live, read-only query on the server — for ranges too large to sync.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { ContinuousAggregate, ServerCatalog, ServerJob, ServerRelation } from '../../../shared/api/server';
import { formatBytes } from '../../../shared/format';
import { bucketPreviewSql, liveSelectSql, pgRelation } from '../../../shared/serverSql';
import { phaseState, useWorkspaceStore } from '../../state/workspaceStore';
import { shortType } from '../../workbench/format';
import { request } from '../../workbench/intents';
import { PhaseGate } from '../../workbench/PhaseGate';
import { EmptyState, SectionError, SidebarSection } from '../../workbench/SidebarSection';
import { refreshServerCatalog, useServerStore } from './serverStore';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

function openLiveSelect(schema: string, name: string): void {
  request('sql.open', { sql: liveSelectSql(schema, name), title: `${name} (live)`, target: 'server' });
}

export function queryLive(relation: ServerRelation): void {
  openLiveSelect(relation.schema, relation.name);
}

function previewBuckets(catalog: ServerCatalog, relation: ServerRelation): void {
  if (!relation.timeColumn) return;
  request('sql.open', {
    sql:
      `-- Rows per hour on the server, newest first (${catalog.mode === 'timescaledb' ? 'time_bucket' : 'date_bin'}).\n` +
      bucketPreviewSql(catalog, relation.schema, relation.name, relation.timeColumn, '1 hour'),
    title: `${relation.name} per hour (live)`,
    target: 'server',
  });
}

function newLiveQuery(): void {
  request('sql.open', { sql: '-- Runs on the server, read-only. Ctrl/Cmd+Enter runs it.\n', target: 'server' });
}

function relationMeta(relation: ServerRelation): string {
  if (relation.rowEstimate !== null) return `~${compact.format(relation.rowEstimate)} rows`;
  return relation.bytes ? formatBytes(relation.bytes) : relation.kind;
}

function shortTime(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '…';
}

function Group({
  title,
  count,
  children,
  testId,
}: {
  title: string;
  count: number;
  children: ReactNode;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <li className="tree-node">
      <div className="tree-item clickable server-group" data-testid={testId} onClick={() => setOpen(!open)}>
        <span className={`caret${open ? ' open' : ''}`} aria-hidden>
          ▸
        </span>
        <span className="tree-label">{title}</span>
        <span className="tree-meta">{count}</span>
      </div>
      {open ? <ul className="side-tree nested">{children}</ul> : null}
    </li>
  );
}

function JobItem({ job }: { job: ServerJob }) {
  const status = job.lastRunStatus ? ` · last run ${job.lastRunStatus.toLowerCase()}` : '';
  return (
    <li
      className="tree-item server-job"
      data-testid="server-job"
      title={`${job.name}\n${job.procedure}${job.config ? `\n${job.config}` : ''}${job.nextStart ? `\nnext run ${job.nextStart}` : ''}`}
    >
      <span className={`tree-icon ${job.scheduled ? 'job' : 'job paused'}`} aria-hidden />
      <span className="tree-label">{job.name || job.procedure}</span>
      <span className="tree-meta">
        {job.schedule ? `every ${job.schedule}` : 'manual'}
        {job.scheduled ? '' : ' · paused'}
        {status}
      </span>
    </li>
  );
}

function HypertableDetails({ catalog, relation }: { catalog: ServerCatalog; relation: ServerRelation }) {
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
                onDoubleClick={() => openLiveSelect(c.schema, c.name)}
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

function RelationItem({ catalog, relation }: { catalog: ServerCatalog; relation: ServerRelation }) {
  const [open, setOpen] = useState(false);
  const name = pgRelation(relation.schema, relation.name);
  return (
    <li className="tree-node">
      <div
        className="tree-item clickable"
        data-testid="server-relation"
        data-name={name}
        title={`${relation.isHypertable ? 'hypertable' : relation.kind} ${name}${
          relation.bytes ? ` · ${formatBytes(relation.bytes)}` : ''
        } — double-click to query live`}
        onClick={() => setOpen(!open)}
        onDoubleClick={() => queryLive(relation)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') queryLive(relation);
        }}
        tabIndex={0}
      >
        <span className={`caret${open ? ' open' : ''}`} aria-hidden>
          ▸
        </span>
        <span
          className={`tree-icon ${relation.kind === 'table' || relation.kind === 'partitioned table' ? 'table' : 'view'}${relation.isHypertable ? ' hypertable' : ''}`}
          aria-hidden
        />
        <span className="tree-label">{relation.name}</span>
        {relation.isHypertable ? <span className="badge accent">hypertable</span> : null}
        <span className="tree-meta">{relationMeta(relation)}</span>
        <button
          type="button"
          className="icon-button hover-only"
          title={`Query live: SELECT * FROM ${name} LIMIT 1000 on the server (read-only)`}
          aria-label={`Query ${name} live`}
          data-testid="server-query-live"
          onClick={(e) => {
            e.stopPropagation();
            queryLive(relation);
          }}
        >
          ▶
        </button>
      </div>
      {open ? (
        <ul className="side-tree nested">
          <li className="server-actions">
            <button
              type="button"
              className="link-button"
              data-testid="server-open-live"
              onClick={() => queryLive(relation)}
            >
              Query live
            </button>
            {relation.timeColumn ? (
              <button
                type="button"
                className="link-button"
                data-testid="server-preview-buckets"
                title={`Rows per hour of ${relation.timeColumn}, counted on the server`}
                onClick={() => previewBuckets(catalog, relation)}
              >
                Rows per hour
              </button>
            ) : null}
          </li>
          {relation.columns.map((column) => (
            <li
              key={column.name}
              className="tree-item column"
              title={`${column.name} ${column.type}${column.nullable ? '' : ' NOT NULL'}`}
            >
              <span className="tree-label">{column.name}</span>
              <span className="tree-meta mono">{shortType(column.type)}</span>
            </li>
          ))}
          {relation.isHypertable ? <HypertableDetails catalog={catalog} relation={relation} /> : null}
        </ul>
      ) : null}
    </li>
  );
}

function SchemaItem({
  catalog,
  name,
  relations,
}: {
  catalog: ServerCatalog;
  name: string;
  relations: ServerRelation[];
}) {
  const [open, setOpen] = useState(name === 'dash');
  return (
    <li className="tree-node">
      <div
        className="tree-item clickable schema"
        data-testid="server-schema"
        data-name={name}
        onClick={() => setOpen(!open)}
      >
        <span className={`caret${open ? ' open' : ''}`} aria-hidden>
          ▸
        </span>
        <span className="tree-label">{name}</span>
        <span className="tree-meta">{relations.length}</span>
      </div>
      {open ? (
        <ul className="side-tree nested">
          {relations.length === 0 ? <EmptyState>No tables or views you can read.</EmptyState> : null}
          {relations.map((r) => (
            <RelationItem key={r.name} catalog={catalog} relation={r} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function ServerSection() {
  const { catalog, error, loading } = useServerStore();
  const ready = useWorkspaceStore((s) => phaseState(s.status, 'postgres') === 'ready');
  useEffect(() => {
    if (ready && !useServerStore.getState().catalog) void refreshServerCatalog();
  }, [ready]);
  const relations = catalog?.schemas.reduce((n, s) => n + s.relations.length, 0) ?? null;
  const loose = catalog?.jobs.filter((j) => j.hypertableName === null) ?? [];
  return (
    <SidebarSection
      title="Server"
      testId="sidebar-server"
      count={relations}
      loading={loading}
      onRefresh={() => void refreshServerCatalog()}
      actions={
        <button
          type="button"
          className="header-button"
          data-testid="server-new-live"
          title="A new SQL tab that runs on the server, read-only"
          onClick={() => newLiveQuery()}
        >
          Live query
        </button>
      }
    >
      <PhaseGate phase="postgres">
        <SectionError error={error} />
        {!catalog && !error ? <EmptyState>Reading the server’s schemas…</EmptyState> : null}
        {catalog ? (
          <div className="server-mode-line">
            <span
              className={`badge${catalog.mode === 'timescaledb' ? ' accent' : ''}`}
              data-testid="server-mode"
              title={
                catalog.mode === 'timescaledb'
                  ? 'The timescaledb extension is installed: hypertables, chunks and policies are shown'
                  : 'No timescaledb extension: time buckets use date_bin'
              }
            >
              {catalog.modeLabel}
            </span>
            <span className="tree-meta">
              {catalog.database} · PostgreSQL {catalog.serverVersion.split(' ')[0]}
              {catalog.timescaleSchema && catalog.timescaleSchema !== 'public'
                ? ` · TimescaleDB in schema ${catalog.timescaleSchema}`
                : ''}
            </span>
          </div>
        ) : null}
        {catalog?.notice ? (
          <div className="form-error server-notice" role="status" data-testid="server-notice">
            {catalog.notice}
          </div>
        ) : null}
        {catalog && catalog.schemas.length === 0 ? (
          <EmptyState>The server has no schemas this connection can read.</EmptyState>
        ) : null}
        {catalog ? (
          <ul className="side-tree">
            {catalog.schemas.map((s) => (
              <SchemaItem key={s.name} catalog={catalog} name={s.name} relations={s.relations} />
            ))}
            {loose.length ? (
              <Group title="Background jobs" count={loose.length} testId="server-jobs">
                {loose.map((j) => (
                  <JobItem key={j.jobId} job={j} />
                ))}
              </Group>
            ) : null}
          </ul>
        ) : null}
      </PhaseGate>
    </SidebarSection>
  );
}
