/**
 * The local warehouse: schemas → tables/views → columns. Double-click a table
 * or view (or its ▶ button) to open `SELECT * … LIMIT 100` in a new SQL tab.
 */
import { useState } from 'react';
import type { CatalogRelation } from '../../../shared/api/contract';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { refreshSection } from '../../state/workspaceActions';
import { shortType } from '../../workbench/format';
import { newQueryTab } from './queryActions';
import { PhaseGate } from '../../workbench/PhaseGate';
import { relationName, selectFromRelation } from '../../../shared/sql';
import { EmptyState, SidebarSection } from '../../workbench/SidebarSection';

function openRelation(relation: CatalogRelation): void {
  newQueryTab(selectFromRelation(relation.schema, relation.name), relationName(relation.schema, relation.name));
}

function RelationItem({ relation }: { relation: CatalogRelation }) {
  const [open, setOpen] = useState(false);
  const name = relationName(relation.schema, relation.name);
  return (
    <li className="tree-node">
      <div
        className="tree-item clickable"
        data-testid="catalog-relation"
        data-name={name}
        title={`${relation.kind} ${name} — double-click to query`}
        onClick={() => setOpen(!open)}
        onDoubleClick={() => openRelation(relation)}
      >
        <span className={`caret${open ? ' open' : ''}`} aria-hidden>
          ▸
        </span>
        <span className={`tree-icon ${relation.kind}`} aria-hidden />
        <span className="tree-label">{relation.name}</span>
        <span className="tree-meta">{relation.kind}</span>
        <button
          type="button"
          className="icon-button hover-only"
          title={`Open SELECT * FROM ${name} LIMIT 100 in a new tab`}
          aria-label={`Query ${name}`}
          data-testid="catalog-query"
          onClick={(e) => {
            e.stopPropagation();
            openRelation(relation);
          }}
        >
          ▶
        </button>
      </div>
      {open ? (
        <ul className="side-tree nested">
          {relation.columns.map((column) => (
            <li key={column.name} className="tree-item column" title={`${column.name} ${column.type}`}>
              <span className="tree-label">{column.name}</span>
              <span className="tree-meta mono">{shortType(column.type)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** The schema reprocessing previews keep their tables in (`previews.pv_*`): the app's, not the user's data. */
const PREVIEWS_SCHEMA = 'previews';

function SchemaItem({
  schema,
  relations,
  label = schema,
  startOpen = true,
  title,
}: {
  schema: string;
  relations: CatalogRelation[];
  label?: string;
  startOpen?: boolean;
  title?: string;
}) {
  const [open, setOpen] = useState(startOpen);
  return (
    <li className="tree-node">
      <div
        className="tree-item clickable schema"
        onClick={() => setOpen(!open)}
        data-testid="catalog-schema"
        data-schema={schema}
        data-open={String(open)}
        title={title}
      >
        <span className={`caret${open ? ' open' : ''}`} aria-hidden>
          ▸
        </span>
        <span className="tree-label">{label}</span>
        <span className="tree-meta">{relations.length}</span>
      </div>
      {open ? (
        <ul className="side-tree nested">
          {relations.map((r) => (
            <RelationItem key={`${r.schema}.${r.name}`} relation={r} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function CatalogSection() {
  const catalog = useWorkspaceStore((s) => s.catalog);
  const all = catalog.data?.relations ?? [];
  // Previews' tables stay queryable, but folded away at the end and not counted as the user's data.
  const previews = all.filter((r) => r.schema === PREVIEWS_SCHEMA);
  const relations = all.filter((r) => r.schema !== PREVIEWS_SCHEMA);
  const schemas = new Map<string, CatalogRelation[]>();
  for (const r of relations) schemas.set(r.schema, [...(schemas.get(r.schema) ?? []), r]);
  return (
    <SidebarSection
      title="Cached data"
      testId="sidebar-catalog"
      count={catalog.data ? relations.length : null}
      loading={catalog.loading}
      onRefresh={() => void refreshSection('catalog')}
    >
      <PhaseGate phase="warehouse">
        {catalog.error ? <EmptyState tone="error">{catalog.error.message}</EmptyState> : null}
        {catalog.data && relations.length === 0 ? (
          <EmptyState>The local warehouse has no tables or views yet.</EmptyState>
        ) : null}
        {!catalog.data && !catalog.error ? <EmptyState>Reading the local warehouse…</EmptyState> : null}
        <ul className="side-tree">
          {[...schemas].map(([schema, rels]) => (
            <SchemaItem key={schema} schema={schema} relations={rels} />
          ))}
          {previews.length ? (
            <SchemaItem
              key={PREVIEWS_SCHEMA}
              schema={PREVIEWS_SCHEMA}
              relations={previews}
              label="Reprocessing previews"
              startOpen={false}
              title="Tables of this session's reprocessing previews (schema previews); they go when the app closes"
            />
          ) : null}
        </ul>
      </PhaseGate>
    </SidebarSection>
  );
}
