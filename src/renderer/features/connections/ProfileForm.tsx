/** The selected profile's form: its fields by kind, its secret, what the last action said, and the buttons. */
import type { FormEvent } from 'react';
import type { SslMode } from '../../../shared/api/connections';
import { ActionFeedback } from './ActionFeedback';
import { saveProfile } from './connectionsActions';
import { selectedProfile, updateDraft, useConnectionsDialog } from './connectionsDialog';
import { FormButtons } from './FormButtons';
import { DraftInput, Field } from './FormField';
import { KIND_LABEL, type ProfileDraft } from './profileDraft';
import { SecretField } from './SecretField';

function S3Fields() {
  return (
    <>
      <DraftInput name="endpoint" label="Endpoint" placeholder="https://<account>.r2.cloudflarestorage.com" />
      <div className="form-row">
        <DraftInput name="bucket" label="Bucket" placeholder="dash-bronze" />
        <DraftInput name="prefix" label="Prefix" placeholder="bronze/" hint="optional" />
      </div>
      <div className="form-row">
        <DraftInput name="accessKeyId" label="Access key id" />
        <DraftInput name="region" label="Region" hint="'auto' for R2" />
      </div>
    </>
  );
}

function PostgresFields({ draft }: { draft: ProfileDraft }) {
  const sslError = useConnectionsDialog((s) => s.errors.sslmode);
  return (
    <>
      <div className="form-row">
        <DraftInput name="host" label="Host" placeholder="db.example.com" />
        <DraftInput name="port" label="Port" type="number" />
      </div>
      <div className="form-row">
        <DraftInput name="database" label="Database" />
        <DraftInput name="user" label="User" />
      </div>
      <div className="form-row">
        <Field name="sslmode" label="SSL mode" error={sslError}>
          <select
            className="form-input"
            data-testid="field-sslmode"
            value={draft.sslmode}
            onChange={(e) => updateDraft('sslmode', e.target.value as SslMode)}
          >
            <option value="disable">disable</option>
            <option value="prefer">prefer</option>
            <option value="require">require</option>
            <option value="verify-full">verify-full</option>
          </select>
        </Field>
        <DraftInput name="statementTimeoutMs" label="Statement timeout (ms)" type="number" />
      </div>
      {draft.sslmode === 'verify-full' ? (
        <DraftInput name="caFile" label="CA certificate file" placeholder="/path/to/ca.pem" hint="optional" />
      ) : null}
      <label className="form-check">
        <input
          type="checkbox"
          data-testid="field-readOnly"
          checked={draft.readOnly}
          onChange={(e) => updateDraft('readOnly', e.target.checked)}
        />
        Read-only (recommended for exploring)
      </label>
    </>
  );
}

export function ProfileForm({ draft }: { draft: ProfileDraft }) {
  const saved = useConnectionsDialog((s) => selectedProfile(s) !== undefined);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void saveProfile();
  };
  return (
    <form className="conn-form" onSubmit={onSubmit} noValidate>
      <h3 className="form-title">
        {saved ? `Edit ${KIND_LABEL[draft.kind]} connection` : `New ${KIND_LABEL[draft.kind]} connection`}
        {draft.id ? <span className="mono dim"> · {draft.id}</span> : null}
      </h3>
      <DraftInput name="name" label="Name" placeholder={draft.kind === 's3' ? 'Production R2' : 'Metrics cluster'} />
      {draft.kind === 's3' ? <S3Fields /> : <PostgresFields draft={draft} />}
      <SecretField draft={draft} />
      <ActionFeedback />
      <FormButtons />
    </form>
  );
}
