/**
 * The local cache of an S3/R2 lake: how full it is, its files (pin, unpin,
 * evict), and checks — verify the bytes, look for updates on the server.
 */
import { useEffect } from 'react';
import { formatBytes } from '../../../shared/format';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { EmptyState, SectionError, SidebarSection } from '../../workbench/SidebarSection';
import { evictFromCache, loadCache, revalidateCache, setPinned, useCacheStore, verifyCache } from './cacheActions';

export function CacheSection() {
  const driver = useWorkspaceStore((s) => s.status?.lake?.driver ?? null);
  const cacheVersion = useWorkspaceStore((s) => s.cacheVersion);
  const listing = useCacheStore((s) => s.listing);
  const error = useCacheStore((s) => s.error);
  const check = useCacheStore((s) => s.check);
  const busy = useCacheStore((s) => s.busy);

  useEffect(() => {
    if (driver) void loadCache();
  }, [driver, cacheVersion]);

  const usage = listing?.usage;
  const percent = usage && usage.quotaBytes > 0 ? Math.min(100, (usage.bytes / usage.quotaBytes) * 100) : 0;

  return (
    <SidebarSection
      title="Lake cache"
      testId="sidebar-cache"
      count={listing?.enabled ? listing.entries.length : null}
      loading={busy}
      onRefresh={() => void loadCache()}
    >
      <SectionError error={error} />
      {listing && !listing.enabled ? (
        <EmptyState>This lake is a local folder: files are read in place</EmptyState>
      ) : null}
      {listing?.enabled && usage ? (
        <div className="cache-panel">
          <div className="cache-usage" data-testid="cache-usage" title={`${percent.toFixed(1)}% of the quota`}>
            <div className="cache-usage-bar">
              <span className="cache-usage-fill" style={{ width: `${percent}%` }} />
            </div>
            <div className="tree-meta">
              {formatBytes(usage.bytes)} / {formatBytes(usage.quotaBytes)} · {usage.files}{' '}
              {usage.files === 1 ? 'file' : 'files'} · {formatBytes(usage.pinnedBytes)} pinned
            </div>
          </div>
          <div className="cache-checks">
            <button
              type="button"
              className="plain-button"
              data-testid="cache-verify"
              disabled={busy}
              onClick={() => void verifyCache()}
            >
              Verify
            </button>
            <button
              type="button"
              className="plain-button"
              data-testid="cache-revalidate"
              disabled={busy}
              onClick={() => void revalidateCache()}
            >
              Check for updates
            </button>
          </div>
          {check?.kind === 'verify' ? (
            <div className="cache-check-result" data-testid="cache-verify-result">
              {check.ok} ok · {check.corrupt.length} corrupt
              {check.corrupt.map((c) => (
                <div key={c.key} className="mono break" title={c.reason}>
                  {c.key}: {c.reason}
                </div>
              ))}
            </div>
          ) : null}
          {check?.kind === 'revalidate' ? (
            <div className="cache-check-result" data-testid="cache-revalidate-result">
              {check.fresh} fresh · {check.stale.length} stale · {check.notRevalidated.length} could not be checked
            </div>
          ) : null}
          <ul className="side-tree">
            {listing.entries.map((entry) => (
              <li
                key={entry.key}
                className="tree-item"
                data-testid="cache-entry"
                data-key={entry.key}
                title={entry.key}
              >
                <span className={`cache-badge ${entry.state === 'fresh' ? 'cached' : entry.state}`}>{entry.state}</span>
                <span className="tree-label">{entry.key.split('/').slice(-2).join('/')}</span>
                <span className="tree-meta">{formatBytes(entry.size)}</span>
                <button
                  type="button"
                  className="icon-button"
                  title={entry.pinned ? 'Unpin (may be evicted)' : 'Pin (never evicted)'}
                  aria-label={entry.pinned ? 'Unpin' : 'Pin'}
                  onClick={() => void setPinned(entry.key, !entry.pinned)}
                >
                  {entry.pinned ? '●' : '○'}
                </button>
                <button
                  type="button"
                  className="icon-button"
                  title="Evict from the cache"
                  aria-label="Evict"
                  onClick={() => void evictFromCache(entry.key)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </SidebarSection>
  );
}
