/**
 * Manage connections: the profiles on the left, the selected one's form on the
 * right. Secrets are typed here and sent once; the dialog only ever learns back
 * whether one is stored. Its state and work are in connectionsDialog.ts and
 * connectionsActions.ts.
 */
import { useEffect } from 'react';
import { Modal } from '../common/Modal';
import { ActiveConnectionInfo } from './ActiveConnectionInfo';
import { loadProfiles } from './connectionsActions';
import { closeConnectionsDialog, useActiveConnections, useConnectionsDialog } from './connectionsDialog';
import { ProfileForm } from './ProfileForm';
import { ProfileList } from './ProfileList';

export function ConnectionsDialog() {
  const active = useActiveConnections();
  const selection = useConnectionsDialog((s) => s.selection);
  const draft = useConnectionsDialog((s) => s.draft);
  const selectedActive = selection && 'active' in selection ? active.find((c) => c.id === selection.active) : undefined;

  useEffect(() => {
    void loadProfiles();
  }, []);

  return (
    <Modal
      title="Connections"
      className="connections-dialog"
      testId="connection-dialog"
      closeTestId="close-dialog"
      onClose={closeConnectionsDialog}
    >
      <div className="modal-body connections-body">
        <ProfileList active={active} />
        <div className="conn-form-pane">
          {selectedActive && !draft ? (
            <ActiveConnectionInfo connection={selectedActive} />
          ) : !draft ? (
            <div className="empty-state">Select a connection, or add one.</div>
          ) : (
            <ProfileForm draft={draft} />
          )}
        </div>
      </div>
    </Modal>
  );
}
