/** Says so, plainly, when the S3/R2 lake stopped answering and the cache is all there is. */
import { useWorkspaceStore } from '../../state/workspaceStore';

function offlineText(notChecked: number): string {
  return notChecked > 0
    ? `Offline — showing cached files; ${notChecked} could not be checked`
    : 'Offline — showing cached files';
}

function useOffline() {
  const lake = useWorkspaceStore((s) => s.status?.lake ?? null);
  return lake && lake.online === false ? lake : null;
}

/** In the status bar. */
export function OfflineBadge() {
  const lake = useOffline();
  if (!lake) return null;
  return (
    <span
      className="status-item offline-badge"
      data-testid="offline-badge"
      title={lake.notRevalidated.map((n) => `${n.key}: ${n.message}`).join('\n') || lake.location}
    >
      {offlineText(lake.notRevalidated.length)}
    </span>
  );
}

/** Under the lake in the Connections block. */
export function OfflineNote() {
  const lake = useOffline();
  if (!lake) return null;
  return (
    <div className="offline-note" data-testid="offline-note">
      {offlineText(lake.notRevalidated.length)}
    </div>
  );
}
