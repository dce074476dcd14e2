/** The dialog's left pane: add buttons, the connections in use, and the user's own profiles. */
import type { ConnectionProfileView } from '../../../shared/api/connections';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { activeConnectionLabel, type ActiveConnection } from './activeConnections';
import { setWorkspaceLake } from './connectionsActions';
import {
  addProfile,
  selectActiveConnection,
  selectedProfile,
  selectProfile,
  useConnectionsDialog,
} from './connectionsDialog';
import { KIND_LABEL } from './profileDraft';

function ActiveConnectionRow({ connection: c, selected }: { connection: ActiveConnection; selected: boolean }) {
  return (
    <li
      className={`conn-row conn-active${selected ? ' selected' : ''}`}
      data-testid="active-connection"
      data-id={c.id}
      data-demo={String(c.demo)}
      data-state={c.state}
      title={activeConnectionLabel(c)}
      onClick={() => selectActiveConnection(c)}
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
  );
}

function ProfileRow({ view, inUse }: { view: ConnectionProfileView; inUse: boolean }) {
  const selected = useConnectionsDialog(
    (s) => s.selection !== null && 'id' in s.selection && s.selection.id === view.profile.id,
  );
  const lakeId = useWorkspaceStore((s) => s.status?.lake?.connectionId);
  return (
    <li
      className={`conn-row${selected ? ' selected' : ''}`}
      data-testid="connection-row"
      data-id={view.profile.id}
      onClick={() => selectProfile(view)}
    >
      <span className={`badge ${view.profile.kind === 's3' ? 'accent' : ''}`}>{KIND_LABEL[view.profile.kind]}</span>
      <span className="conn-row-name">{view.profile.name}</span>
      {view.hasSecret ? (
        <span className="conn-secret" title="A secret is stored for this connection" data-testid="secret-stored">
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
      {lakeId === view.profile.id ? <span className="badge">lake</span> : null}
      {inUse && lakeId !== view.profile.id ? (
        <span className="badge" data-testid="profile-in-use">
          in use
        </span>
      ) : null}
    </li>
  );
}

export function ProfileList({ active }: { active: ActiveConnection[] }) {
  const profiles = useConnectionsDialog((s) => s.profiles);
  const listError = useConnectionsDialog((s) => s.listError);
  const busy = useConnectionsDialog((s) => s.busy);
  const selection = useConnectionsDialog((s) => s.selection);
  const view = useConnectionsDialog(selectedProfile);
  const lakeDriver = useWorkspaceStore((s) => s.status?.lake?.driver);
  const inUse = new Set(active.flatMap((c) => (c.profileId ? [c.profileId] : [])));
  const isSelected = (c: ActiveConnection) =>
    (selection !== null && 'active' in selection && selection.active === c.id) ||
    (c.profileId !== null && view?.profile.id === c.profileId);
  return (
    <div className="conn-list-pane">
      <div className="conn-add">
        <button type="button" className="plain-button" data-testid="add-s3" onClick={() => addProfile('s3')}>
          + S3 / R2 bucket
        </button>
        <button
          type="button"
          className="plain-button"
          data-testid="add-postgres"
          onClick={() => addProfile('postgres')}
        >
          + PostgreSQL
        </button>
      </div>
      {active.length ? (
        <>
          <div className="conn-group-title">In use by this workspace</div>
          <ul className="conn-list" data-testid="active-connections">
            {active.map((c) => (
              <ActiveConnectionRow key={c.id} connection={c} selected={isSelected(c)} />
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
        {(profiles ?? []).map((p) => (
          <ProfileRow key={p.profile.id} view={p} inUse={inUse.has(p.profile.id)} />
        ))}
      </ul>
      {lakeDriver === 's3' ? (
        <button
          type="button"
          className="plain-button"
          data-testid="use-folder-lake"
          disabled={busy !== null}
          onClick={() => void setWorkspaceLake({ driver: 'folder', path: 'lake' })}
        >
          Use the demo folder lake
        </button>
      ) : null}
    </div>
  );
}
