/** A schema of the server and its tables and views: columns, live queries, and a hypertable's details. */
import { useState } from 'react';
import type { ServerCatalog, ServerRelation } from '../../../shared/api/server';
import { formatBytes } from '../../../shared/format';
import { pgRelation } from '../../../shared/serverSql';
import { formatCompactCount, shortType } from '../../workbench/format';
import { EmptyState } from '../../workbench/SidebarSection';
import { HypertableDetails } from './HypertableDetails';
import { openLiveSelect, previewBuckets } from './serverActions';

function relationMeta(relation: ServerRelation): string {
  if (relation.rowEstimate !== null) return `~${formatCompactCount(relation.rowEstimate)} rows`;
  return relation.bytes ? formatBytes(relation.bytes) : relation.kind;
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
        onDoubleClick={() => openLiveSelect(relation)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') openLiveSelect(relation);
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
            openLiveSelect(relation);
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
              onClick={() => openLiveSelect(relation)}
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

export function SchemaItem({
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
