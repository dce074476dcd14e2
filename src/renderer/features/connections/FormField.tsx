/** A labelled field of the connection form, with what is wrong with it or a hint below. */
import type { ReactNode } from 'react';
import { updateDraft, useConnectionsDialog } from './connectionsDialog';
import type { ProfileDraft } from './profileDraft';

export function Field(props: {
  name: string;
  label: string;
  error: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <label className={`form-field${props.error ? ' invalid' : ''}`} data-field={props.name}>
      <span className="form-label">{props.label}</span>
      {props.children}
      {props.error ? (
        <span className="form-error" data-testid={`error-${props.name}`}>
          {props.error}
        </span>
      ) : props.hint ? (
        <span className="form-hint">{props.hint}</span>
      ) : null}
    </label>
  );
}

/** A text (or number) field editing one value of the draft. */
export function DraftInput({
  name,
  label,
  type,
  placeholder,
  hint,
}: {
  name: keyof ProfileDraft & string;
  label: string;
  type?: string;
  placeholder?: string;
  hint?: string;
}) {
  const value = useConnectionsDialog((s) => s.draft?.[name]);
  const error = useConnectionsDialog((s) => s.errors[name]);
  return (
    <Field name={name} label={label} error={error} hint={hint}>
      <input
        className="form-input"
        data-testid={`field-${name}`}
        name={name}
        type={type ?? 'text'}
        value={typeof value === 'string' ? value : ''}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => updateDraft(name, e.target.value)}
      />
    </Field>
  );
}
