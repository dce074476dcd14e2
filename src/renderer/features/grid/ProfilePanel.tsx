/** The column profile: counts, min/max and a histogram over the whole (filtered) result. */
import { useEffect, useState } from 'react';
import { errorMessage } from '../../../shared/errors';
import type { ColumnKind } from '../../engine/rows';
import type { ColumnProfile, WasmEngine } from '../../engine/WasmEngine';
import { formatCell, formatFloat } from '../../workbench/format';

function bound(value: number, kind: ColumnKind, timeZone: string | undefined): string {
  if (kind === 'timestamp' || kind === 'date') return formatCell(value / 1000, kind, timeZone);
  // Bin edges need a few significant digits, not every decimal.
  return kind === 'integer' ? String(Math.round(value)) : formatFloat(Number(value.toPrecision(4)));
}

const count = (n: number) => n.toLocaleString('en-US');

export function ProfilePanel({
  engine,
  tableName,
  where,
  names,
  kinds,
  zoned,
  timeZone,
  column,
  onColumn,
  onClose,
}: {
  engine: WasmEngine | null;
  tableName: string;
  where: string;
  names: string[];
  kinds: ColumnKind[];
  zoned: boolean[];
  timeZone: string;
  column: number;
  onColumn: (index: number) => void;
  onClose: () => void;
}) {
  const [profile, setProfile] = useState<ColumnProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = names[column] ?? '';
  const kind = kinds[column] ?? 'text';
  useEffect(() => {
    if (!engine) return;
    let live = true;
    setProfile(null);
    setError(null);
    engine.profile(tableName, where, name, kind).then(
      (p) => live && setProfile(p),
      (err: unknown) => live && setError(`Could not profile ${name}: ${errorMessage(err)}`),
    );
    return () => {
      live = false;
    };
  }, [engine, tableName, where, name, kind]);

  const tz = zoned[column] ? timeZone : undefined;
  const maxBar = Math.max(1, ...(profile?.bins.map((b) => b.count) ?? []), ...(profile?.top.map((t) => t.count) ?? []));
  const minMax = (v: number | string | null) =>
    v === null ? '—' : typeof v === 'number' ? bound(v, kind, tz) : v.length > 40 ? `${v.slice(0, 40)}…` : v;
  return (
    <aside className="grid-profile" data-testid="profile-panel" aria-label="Column profile">
      <div className="grid-profile-head">
        <select value={column} onChange={(e) => onColumn(Number(e.target.value))} aria-label="Column to profile">
          {names.map((n, i) => (
            <option key={i} value={i}>
              {n}
            </option>
          ))}
        </select>
        <button type="button" className="icon-button" title="Close the profile" onClick={onClose}>
          ×
        </button>
      </div>
      {error ? <div className="grid-error">{error}</div> : null}
      {!profile && !error ? <div className="dim grid-profile-note">Profiling {name}…</div> : null}
      {profile ? (
        <>
          <dl className="grid-profile-stats" data-testid="profile-stats">
            <dt>Rows</dt>
            <dd>{count(profile.total)}</dd>
            <dt>Nulls</dt>
            <dd data-testid="profile-nulls">
              {count(profile.nulls)}
              {profile.total ? (
                <span className="dim"> ({((profile.nulls / profile.total) * 100).toFixed(1)}%)</span>
              ) : null}
            </dd>
            <dt>Distinct</dt>
            <dd data-testid="profile-distinct">≈ {count(profile.distinct)}</dd>
            <dt>Min</dt>
            <dd>{minMax(profile.min)}</dd>
            <dt>Max</dt>
            <dd>{minMax(profile.max)}</dd>
          </dl>
          <div className="grid-profile-title dim">{profile.bins.length ? 'Distribution' : 'Most frequent values'}</div>
          <div className="grid-profile-bars" data-testid="profile-histogram">
            {profile.bins.map((b, i) => (
              <div
                key={i}
                className="grid-profile-bar"
                title={`${bound(b.from, kind, tz)} – ${bound(b.to, kind, tz)}: ${count(b.count)}`}
              >
                <span className="label">{bound(b.from, kind, tz)}</span>
                <span className="bar" style={{ width: `${(b.count / maxBar) * 100}%` }} />
                <span className="n">{count(b.count)}</span>
              </div>
            ))}
            {profile.top.map((t) => (
              <div key={t.value} className="grid-profile-bar" title={`${t.value}: ${count(t.count)}`}>
                <span className="label">{t.value}</span>
                <span className="bar" style={{ width: `${(t.count / maxBar) * 100}%` }} />
                <span className="n">{count(t.count)}</span>
              </div>
            ))}
            {profile.bins.length === 0 && profile.top.length === 0 ? <div className="dim">Only nulls.</div> : null}
          </div>
        </>
      ) : null}
    </aside>
  );
}
