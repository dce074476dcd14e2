/**
 * Manage connections: the profiles on the left, the selected one's form on the
 * right. Secrets are typed here and sent once; the dialog only ever learns back
 * whether one is stored.
 */
import { Modal } from '../common/Modal';
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { ConnectionProfileView, ConnectionTestResult, SslMode } from '../../../shared/api/connections';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { refreshSection, refreshStatus } from '../../state/workspaceActions';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { formatDuration } from '../../workbench/format';
import { activeConnectionLabel, activeConnections, type ActiveConnection } from './activeConnections';
import { closeConnectionsDialog } from './connectionsDialog';
import {
  checkDraft,
  draftFromProfile,
  emptyDraft,
  type FieldErrors,
  type ProfileDraft,
  type ProfileKind,
  targetChanged,
} from './profileDraft';

type Selection = { id: string } | { kind: ProfileKind } | { active: ActiveConnection['id'] } | null;

const KIND_LABEL: Record<ProfileKind, string> = { s3: 'S3 / R2', postgres: 'PostgreSQL' };

function Field(props: { name: string; label: string; error: string | undefined; hint?: string; children: ReactNode }) {
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

export function ConnectionsDialog() {
  const [profiles, setProfiles] = useState<ConnectionProfileView[] | null>(null);
  const [listError, setListError] = useState<ErrorView | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  const [draft, setDraft] = useState<ProfileDraft | null>(null);
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [testResult, setTestResult] = useState<ConnectionTestResult | null>(null);
  const [busy, setBusy] = useState<null | 'test' | 'save' | 'delete' | 'lake' | 'secret'>(null);
  const [actionError, setActionError] = useState<ErrorView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const status = useWorkspaceStore((s) => s.status);
  const lake = status?.lake ?? null;
  const active = status
    ? activeConnections(
        status,
        (profiles ?? []).map((v) => v.profile),
      )
    : [];
  const inUse = new Set(active.flatMap((c) => (c.profileId ? [c.profileId] : [])));
  const selectedActive = selection && 'active' in selection ? active.find((c) => c.id === selection.active) : undefined;

  const load = useCallback(async (): Promise<ConnectionProfileView[]> => {
    try {
      const { profiles: list } = await workbench().call('connections.list', {});
      setProfiles(list);
      setListError(null);
      return list;
    } catch (err) {
      setListError(toErrorView(err));
      return [];
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const selectedView =
    selection && 'id' in selection ? profiles?.find((p) => p.profile.id === selection.id) : undefined;

  const resetForm = (next: ProfileDraft | null) => {
    setDraft(next);
    setSecret('');
    setErrors({});
    setTestResult(null);
    setActionError(null);
    setNotice(null);
    setConfirmDelete(false);
  };

  const select = (view: ConnectionProfileView) => {
    setSelection({ id: view.profile.id });
    resetForm(draftFromProfile(view.profile));
  };

  /** A connection in use: its profile's form, or (the demo's) what it is and why it cannot be changed here. */
  const selectActive = (c: ActiveConnection) => {
    const view = c.profileId ? profiles?.find((p) => p.profile.id === c.profileId) : undefined;
    if (view) return select(view);
    setSelection({ active: c.id });
    resetForm(null);
  };

  const add = (kind: ProfileKind) => {
    setSelection({ kind });
    resetForm(emptyDraft(kind));
  };

  const update = <K extends keyof ProfileDraft>(key: K, value: ProfileDraft[K]) => {
    setDraft((d) => (d ? { ...d, [key]: value } : d));
    setErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };

  const takenIds = (profiles ?? []).map((p) => p.profile.id);

  const checked = () => {
    if (!draft) return null;
    const result = checkDraft(draft, takenIds);
    if (!result.ok) {
      setErrors(result.errors);
      return null;
    }
    setErrors({});
    return result.profile;
  };

  const save = async () => {
    const profile = checked();
    if (!profile || busy) return;
    setBusy('save');
    setActionError(null);
    try {
      const saved = await workbench().call('connections.save', secret !== '' ? { profile, secret } : { profile });
      await load();
      setSelection({ id: saved.profile.id });
      setDraft(draftFromProfile(saved.profile));
      setSecret('');
      setNotice(`Saved “${saved.profile.name}”.`);
      void refreshStatus();
    } catch (err) {
      setActionError(toErrorView(err));
    } finally {
      setBusy(null);
    }
  };

  const forgetSecret = async () => {
    const profile = checked();
    if (!profile || busy) return;
    setBusy('secret');
    try {
      await workbench().call('connections.save', { profile, secret: null });
      await load();
      setSecret('');
      setNotice('The stored secret was removed.');
    } catch (err) {
      setActionError(toErrorView(err));
    } finally {
      setBusy(null);
    }
  };

  const test = async () => {
    const profile = checked();
    if (!profile || busy) return;
    setBusy('test');
    setTestResult(null);
    setActionError(null);
    try {
      const saved = selectedView ? draftFromProfile(selectedView.profile) : null;
      const unchanged = saved !== null && secret === '' && JSON.stringify(saved) === JSON.stringify(draft);
      const result = await workbench().call(
        'connections.test',
        unchanged ? { id: profile.id } : secret !== '' ? { profile, secret } : { profile },
      );
      setTestResult(result);
    } catch (err) {
      setActionError(toErrorView(err));
    } finally {
      setBusy(null);
    }
  };

  const duplicate = async (id: string) => {
    try {
      const copy = await workbench().call('connections.duplicate', { id });
      await load();
      select(copy);
      setNotice(`Duplicated as “${copy.profile.name}”.`);
    } catch (err) {
      setActionError(toErrorView(err));
    }
  };

  const remove = async (id: string) => {
    setBusy('delete');
    try {
      await workbench().call('connections.delete', { id });
      await load();
      setSelection(null);
      resetForm(null);
    } catch (err) {
      setActionError(toErrorView(err));
    } finally {
      setBusy(null);
    }
  };

  const useAsLake = async (setting: { driver: 's3'; connectionId: string } | { driver: 'folder'; path: string }) => {
    setBusy('lake');
    setActionError(null);
    try {
      const status = await workbench().call('workspace.setLake', setting);
      useWorkspaceStore.setState({ status });
      void refreshSection('lake');
      setNotice(
        setting.driver === 's3'
          ? `The workspace's lake is now ${status.lake?.location ?? 'this bucket'}.`
          : "The workspace's lake is the demo folder again.",
      );
    } catch (err) {
      setActionError(toErrorView(err));
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save();
  };

  const input = (
    name: keyof ProfileDraft & string,
    label: string,
    options: { type?: string; placeholder?: string; hint?: string } = {},
  ) => {
    const value = draft?.[name];
    return (
      <Field name={name} label={label} error={errors[name]} hint={options.hint}>
        <input
          className="form-input"
          data-testid={`field-${name}`}
          name={name}
          type={options.type ?? 'text'}
          value={typeof value === 'string' ? value : ''}
          placeholder={options.placeholder}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => update(name, e.target.value)}
        />
      </Field>
    );
  };

  // A saved secret is only sent where it was saved for: a changed target needs it typed again.
  const movedTarget = selectedView !== undefined && draft !== null && targetChanged(selectedView.profile, draft);
  const keepsSecret = selectedView?.hasSecret === true && !movedTarget;
  const secretHint = !movedTarget
    ? (selectedView?.secretNote ?? 'Kept encrypted on this machine; never shown again once saved.')
    : draft?.kind === 's3'
      ? 'The bucket, endpoint, region or access key id changed: enter the secret access key again (a saved one is only sent where it was saved for).'
      : 'The host, port, user or database changed: enter the password again (a saved one is only sent where it was saved for).';

  const isLake = lake?.driver === 's3' && selectedView !== undefined && lake.connectionId === selectedView.profile.id;

  return (
    <Modal
      title="Connections"
      className="connections-dialog"
      testId="connection-dialog"
      closeTestId="close-dialog"
      onClose={closeConnectionsDialog}
    >
      <div className="modal-body connections-body">
        <div className="conn-list-pane">
          <div className="conn-add">
            <button type="button" className="plain-button" data-testid="add-s3" onClick={() => add('s3')}>
              + S3 / R2 bucket
            </button>
            <button type="button" className="plain-button" data-testid="add-postgres" onClick={() => add('postgres')}>
              + PostgreSQL
            </button>
          </div>
          {active.length ? (
            <>
              <div className="conn-group-title">In use by this workspace</div>
              <ul className="conn-list" data-testid="active-connections">
                {active.map((c) => (
                  <li
                    key={c.id}
                    className={`conn-row conn-active${
                      selectedActive?.id === c.id || (c.profileId !== null && selectedView?.profile.id === c.profileId)
                        ? ' selected'
                        : ''
                    }`}
                    data-testid="active-connection"
                    data-id={c.id}
                    data-demo={String(c.demo)}
                    data-state={c.state}
                    title={activeConnectionLabel(c)}
                    onClick={() => selectActive(c)}
                  >
                    <span className={`badge ${c.kind === 's3' ? 'accent' : ''}`}>
                      {c.kind === 'folder' ? 'Folder' : KIND_LABEL[c.kind]}
                    </span>
                    <span className="conn-row-name">
                      {c.name}
                      {c.where ? <span className="conn-where mono"> ({c.where})</span> : null}
                    </span>
                    <span className={`conn-in-use ${c.state === 'in use' ? 'ok' : c.state}`}> — {c.state}</span>
                  </li>
                ))}
              </ul>
              <div className="conn-group-title">Your connections</div>
            </>
          ) : null}
          {listError ? <div className="empty-state error">{listError.message}</div> : null}
          {profiles && profiles.length === 0 ? (
            <div className="empty-state" data-testid="no-own-connections">
              {active.length
                ? 'No connections of your own yet. Add a bucket or a database to use your own data.'
                : 'No connections yet. Add a bucket or a database.'}
            </div>
          ) : null}
          <ul className="conn-list">
            {(profiles ?? []).map((view) => {
              const selected = selection !== null && 'id' in selection && selection.id === view.profile.id;
              return (
                <li
                  key={view.profile.id}
                  className={`conn-row${selected ? ' selected' : ''}`}
                  data-testid="connection-row"
                  data-id={view.profile.id}
                  onClick={() => select(view)}
                >
                  <span className={`badge ${view.profile.kind === 's3' ? 'accent' : ''}`}>
                    {KIND_LABEL[view.profile.kind]}
                  </span>
                  <span className="conn-row-name">{view.profile.name}</span>
                  {view.hasSecret ? (
                    <span
                      className="conn-secret"
                      title="A secret is stored for this connection"
                      data-testid="secret-stored"
                    >
                      secret stored
                    </span>
                  ) : view.secretNote ? (
                    <span className="conn-secret warn" title={view.secretNote} data-testid="secret-needed">
                      {view.profile.kind === 'postgres' ? 'password needed' : 'secret needed'}
                    </span>
                  ) : (
                    <span className="conn-secret dim" title="No secret stored">
                      no secret
                    </span>
                  )}
                  {lake?.connectionId === view.profile.id ? <span className="badge">lake</span> : null}
                  {inUse.has(view.profile.id) && lake?.connectionId !== view.profile.id ? (
                    <span className="badge" data-testid="profile-in-use">
                      in use
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {lake?.driver === 's3' ? (
            <button
              type="button"
              className="plain-button"
              data-testid="use-folder-lake"
              disabled={busy !== null}
              onClick={() => void useAsLake({ driver: 'folder', path: 'lake' })}
            >
              Use the demo folder lake
            </button>
          ) : null}
        </div>
        <div className="conn-form-pane">
          {selectedActive && !draft ? (
            <ActiveConnectionInfo connection={selectedActive} />
          ) : !draft ? (
            <div className="empty-state">Select a connection, or add one.</div>
          ) : (
            <form className="conn-form" onSubmit={onSubmit} noValidate>
              <h3 className="form-title">
                {selectedView
                  ? `Edit ${KIND_LABEL[draft.kind]} connection`
                  : `New ${KIND_LABEL[draft.kind]} connection`}
                {draft.id ? <span className="mono dim"> · {draft.id}</span> : null}
              </h3>
              {input('name', 'Name', { placeholder: draft.kind === 's3' ? 'Production R2' : 'Metrics cluster' })}
              {draft.kind === 's3' ? (
                <>
                  {input('endpoint', 'Endpoint', {
                    placeholder: 'https://<account>.r2.cloudflarestorage.com',
                  })}
                  <div className="form-row">
                    {input('bucket', 'Bucket', { placeholder: 'dash-bronze' })}
                    {input('prefix', 'Prefix', { placeholder: 'bronze/', hint: 'optional' })}
                  </div>
                  <div className="form-row">
                    {input('accessKeyId', 'Access key id')}
                    {input('region', 'Region', { hint: "'auto' for R2" })}
                  </div>
                </>
              ) : (
                <>
                  <div className="form-row">
                    {input('host', 'Host', { placeholder: 'db.example.com' })}
                    {input('port', 'Port', { type: 'number' })}
                  </div>
                  <div className="form-row">
                    {input('database', 'Database')}
                    {input('user', 'User')}
                  </div>
                  <div className="form-row">
                    <Field name="sslmode" label="SSL mode" error={errors.sslmode}>
                      <select
                        className="form-input"
                        data-testid="field-sslmode"
                        value={draft.sslmode}
                        onChange={(e) => update('sslmode', e.target.value as SslMode)}
                      >
                        <option value="disable">disable</option>
                        <option value="prefer">prefer</option>
                        <option value="require">require</option>
                        <option value="verify-full">verify-full</option>
                      </select>
                    </Field>
                    {input('statementTimeoutMs', 'Statement timeout (ms)', { type: 'number' })}
                  </div>
                  {draft.sslmode === 'verify-full'
                    ? input('caFile', 'CA certificate file', { placeholder: '/path/to/ca.pem', hint: 'optional' })
                    : null}
                  <label className="form-check">
                    <input
                      type="checkbox"
                      data-testid="field-readOnly"
                      checked={draft.readOnly}
                      onChange={(e) => update('readOnly', e.target.checked)}
                    />
                    Read-only (recommended for exploring)
                  </label>
                </>
              )}
              <Field
                name="secret"
                label={draft.kind === 's3' ? 'Secret access key' : 'Password'}
                error={errors.secret}
                hint={secretHint}
              >
                <input
                  className="form-input"
                  data-testid="field-secret"
                  name="secret"
                  type="password"
                  value={secret}
                  autoComplete="new-password"
                  placeholder={keepsSecret ? 'stored — leave empty to keep' : ''}
                  onChange={(e) => setSecret(e.target.value)}
                />
              </Field>
              {selectedView?.hasSecret || selectedView?.secretNote ? (
                <button
                  type="button"
                  className="link-button"
                  data-testid="forget-secret"
                  disabled={busy !== null}
                  onClick={() => void forgetSecret()}
                >
                  Forget secret
                </button>
              ) : null}

              {testResult ? (
                <div
                  className={`test-result ${testResult.ok ? 'ok' : 'failed'}`}
                  data-testid="test-result"
                  data-ok={String(testResult.ok)}
                >
                  <strong>{testResult.ok ? 'Connected' : 'Failed'}</strong> · {formatDuration(testResult.elapsedMs)}
                  <div>{testResult.message}</div>
                  {testResult.hint ? <div className="dim">{testResult.hint}</div> : null}
                </div>
              ) : null}
              {actionError ? (
                <div className="test-result failed" data-testid="action-error">
                  <div>{actionError.message}</div>
                  {actionError.hint ? <div className="dim">{actionError.hint}</div> : null}
                </div>
              ) : null}
              {notice ? (
                <div className="form-notice" data-testid="connection-notice">
                  {notice}
                </div>
              ) : null}

              <div className="form-actions">
                <button
                  type="button"
                  className="plain-button"
                  data-testid="test-connection"
                  disabled={busy !== null}
                  onClick={() => void test()}
                >
                  {busy === 'test' ? 'Testing…' : 'Test connection'}
                </button>
                <button type="submit" className="run-button" data-testid="save-connection" disabled={busy !== null}>
                  {busy === 'save' ? 'Saving…' : 'Save'}
                </button>
                <span className="toolbar-spacer" />
                {selectedView ? (
                  <>
                    {selectedView.profile.kind === 's3' ? (
                      <button
                        type="button"
                        className="plain-button"
                        data-testid="use-as-lake"
                        disabled={busy !== null || isLake}
                        title={isLake ? "Already this workspace's lake" : undefined}
                        onClick={() => void useAsLake({ driver: 's3', connectionId: selectedView.profile.id })}
                      >
                        {isLake ? "This workspace's lake" : "Use as this workspace's lake"}
                      </button>
                    ) : null}
                    <button
                      type="button"
                      className="plain-button"
                      data-testid="duplicate-connection"
                      disabled={busy !== null}
                      onClick={() => void duplicate(selectedView.profile.id)}
                    >
                      Duplicate
                    </button>
                    {confirmDelete ? (
                      <span className="confirm">
                        Delete “{selectedView.profile.name}”?
                        <button
                          type="button"
                          className="plain-button danger"
                          data-testid="confirm-delete"
                          onClick={() => void remove(selectedView.profile.id)}
                        >
                          Delete
                        </button>
                        <button type="button" className="plain-button" onClick={() => setConfirmDelete(false)}>
                          Keep
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        className="plain-button danger"
                        data-testid="delete-connection"
                        disabled={busy !== null}
                        onClick={() => setConfirmDelete(true)}
                      >
                        Delete…
                      </button>
                    )}
                  </>
                ) : null}
              </div>
            </form>
          )}
        </div>
      </div>
    </Modal>
  );
}

/** What a connection in use without a profile of the user's is, and why it has no Delete. */
function ActiveConnectionInfo({ connection: c }: { connection: ActiveConnection }) {
  const what =
    c.id === 'postgres'
      ? c.demo
        ? "The demo workspace's own PostgreSQL: the workbench starts it on this machine (loopback only) and loads the demo metrics into it. It runs while the workbench is open."
        : 'The PostgreSQL server this workspace uses.'
      : c.demo
        ? "The demo workspace's Bronze lake: a folder of generated Parquet files inside the workspace, read in place."
        : 'The folder this workspace reads Bronze files from, in place.';
  const instead =
    c.id === 'postgres'
      ? 'To explore another server, add a PostgreSQL connection.'
      : "To use a bucket instead, add an S3 / R2 connection and choose “Use as this workspace's lake”.";
  return (
    <div className="conn-active-info" data-testid="active-connection-info" data-id={c.id}>
      <h3 className="form-title">
        {c.name}
        {c.demo ? <span className="badge">demo</span> : null}
      </h3>
      <dl className="conn-details">
        <dt>Where</dt>
        <dd className="mono break">{c.where || '—'}</dd>
        <dt>State</dt>
        <dd>
          {c.state}
          {c.message ? <div className="dim">{c.message}</div> : null}
        </dd>
      </dl>
      <p>{what}</p>
      <p className="dim">
        {c.demo ? 'It belongs to the demo workspace, so it cannot be edited or deleted here. ' : ''}
        {instead}
      </p>
    </div>
  );
}
