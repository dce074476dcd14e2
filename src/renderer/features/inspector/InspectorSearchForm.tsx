/** The inspector's search form: pipeline, ids, event time, text in the payload and field conditions. */
import type { FormEvent } from 'react';
import { PredicateOp } from '../../../shared/api/inspector';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { UtcTimeInput } from '../common/UtcTimeInput';
import { EMPTY_FORM, runSearch, setForm, useInspectorStore, type InspectorForm } from './inspectorStore';

/** One of the search form's text fields; `time` ones take UTC to the second (UtcTimeInput). */
function FormText({
  field,
  label,
  mono,
  time,
  grow,
  title,
  placeholder,
  testId,
}: {
  field: 'recordId' | 'seriesId' | 'from' | 'to' | 'text';
  label: string;
  mono?: boolean;
  time?: boolean;
  grow?: boolean;
  title?: string;
  placeholder?: string;
  testId?: string;
}) {
  const value = useInspectorStore((s) => s.form[field]);
  return (
    <label className={`insp-field${grow ? ' insp-grow' : ''}`} title={title}>
      <span>{label}</span>
      {time ? (
        <UtcTimeInput
          seconds
          className={`form-input${mono ? ' mono' : ''}`}
          value={value}
          {...(testId ? { testId } : {})}
          onChange={(v) => setForm({ [field]: v })}
        />
      ) : (
        <input
          className={`form-input${mono ? ' mono' : ''}`}
          value={value}
          placeholder={placeholder}
          data-testid={testId}
          onChange={(e) => setForm({ [field]: e.target.value })}
        />
      )}
    </label>
  );
}

type Predicate = InspectorForm['predicates'][number];

/** One field condition: field, operator, value (none for the null tests) and its ×. */
function PredicateRow({
  predicate: p,
  onChange,
  onRemove,
}: {
  predicate: Predicate;
  onChange: (patch: Partial<Predicate>) => void;
  onRemove: () => void;
}) {
  return (
    <div className="insp-predicate" data-testid="insp-predicate">
      <input
        className="form-input mono"
        value={p.field}
        placeholder="field, e.g. status"
        onChange={(e) => onChange({ field: e.target.value })}
      />
      <select className="form-input" value={p.op} onChange={(e) => onChange({ op: PredicateOp.parse(e.target.value) })}>
        {PredicateOp.options.map((op) => (
          <option key={op} value={op}>
            {op}
          </option>
        ))}
      </select>
      {p.op === 'is null' || p.op === 'is not null' ? null : (
        <input
          className="form-input mono"
          value={p.value}
          placeholder="value"
          onChange={(e) => onChange({ value: e.target.value })}
        />
      )}
      <button type="button" className="icon-button" aria-label="Remove this condition" onClick={onRemove}>
        ×
      </button>
    </div>
  );
}

export function InspectorSearchForm() {
  const form = useInspectorStore((s) => s.form);
  const pipelines = useWorkspaceStore((s) => s.lake.data?.pipelines ?? []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void runSearch();
  };
  const setPredicate = (i: number, patch: Partial<Predicate>) =>
    setForm({ predicates: form.predicates.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  return (
    <form className="insp-form" onSubmit={submit} data-testid="insp-form">
      <label className="insp-field">
        <span>Pipeline</span>
        <select
          className="form-input"
          value={form.pipelines[0] ?? ''}
          data-testid="insp-pipeline"
          onChange={(e) => setForm({ pipelines: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">All pipelines</option>
          {pipelines.map((p) => (
            <option key={p.pipelineId} value={p.pipelineId}>
              {p.pipelineId}
            </option>
          ))}
        </select>
      </label>
      <FormText field="recordId" label="record_id" mono placeholder="exact id" testId="insp-record-id" />
      <FormText field="seriesId" label="series_id" mono placeholder="device or source" testId="insp-series-id" />
      <FormText field="from" label="ts from (UTC)" time title="Event time (ts), UTC" testId="insp-from" />
      <FormText field="to" label="to (UTC, excl.)" time testId="insp-to" />
      <FormText
        field="text"
        label="Text in raw"
        grow
        placeholder="anywhere in the payload, any case"
        testId="insp-text"
      />
      {form.predicates.map((p, i) => (
        <PredicateRow
          key={i}
          predicate={p}
          onChange={(patch) => setPredicate(i, patch)}
          onRemove={() => setForm({ predicates: form.predicates.filter((_, j) => j !== i) })}
        />
      ))}
      <div className="insp-form-actions">
        <button
          type="button"
          className="plain-button"
          title="A condition on any field, e.g. status = error or value > 1000"
          onClick={() => setForm({ predicates: [...form.predicates, { field: '', op: '=', value: '' }] })}
        >
          + Field condition
        </button>
        <button type="button" className="plain-button" onClick={() => setForm(EMPTY_FORM)}>
          Clear
        </button>
        <span className="toolbar-spacer" />
        <span className="shortcut-hint">Enter searches</span>
        <button type="submit" className="run-button" data-testid="insp-search">
          Search
        </button>
      </div>
    </form>
  );
}
