/** The draft against the server's version: filter and per-metric changes. */
import type { DiffEntry } from './draftDiff';

function Change({ before, after }: { before: string | null; after: string | null }) {
  return (
    <div className="diff-change">
      <code className="diff-before">{before ?? '(none)'}</code>
      <span className="diff-arrow" aria-hidden>
        →
      </span>
      <code className="diff-after">{after ?? '(none)'}</code>
    </div>
  );
}

export function DraftDiffView({ entries, serverVersion }: { entries: DiffEntry[]; serverVersion: number | null }) {
  if (entries.length === 0) {
    return (
      <p className="diff-none" data-testid="draft-diff-none">
        Same as the server{serverVersion === null ? '' : `'s version ${serverVersion}`}.
      </p>
    );
  }
  return (
    <ul className="draft-diff" data-testid="draft-diff">
      {entries.map((e, i) => {
        switch (e.kind) {
          case 'filter':
            return (
              <li key={i} className="diff-entry changed" data-testid="diff-entry" data-kind="filter">
                <span className="diff-tag">filter changed</span>
                <Change before={e.before} after={e.after} />
              </li>
            );
          case 'added':
          case 'removed':
            return (
              <li
                key={i}
                className={`diff-entry ${e.kind}`}
                data-testid="diff-entry"
                data-kind={e.kind}
                data-metric={e.metric}
              >
                <span className="diff-tag">{e.kind === 'added' ? '+ added' : '− removed'}</span>{' '}
                <strong>{e.metric}</strong>
                <code>{e.formula}</code>
                {e.unit ? <span className="diff-unit">{e.unit}</span> : null}
              </li>
            );
          case 'changed':
            return (
              <li
                key={i}
                className="diff-entry changed"
                data-testid="diff-entry"
                data-kind="changed"
                data-metric={e.metric}
              >
                <span className="diff-tag">~ changed</span> <strong>{e.metric}</strong>
                {e.formula ? <Change before={e.formula.before} after={e.formula.after} /> : null}
                {e.unit ? (
                  <div className="diff-unit-change">
                    unit <Change before={e.unit.before} after={e.unit.after} />
                  </div>
                ) : null}
              </li>
            );
          case 'reordered':
            return (
              <li key={i} className="diff-entry changed" data-testid="diff-entry" data-kind="reordered">
                <span className="diff-tag">order changed</span>
                <Change before={e.before.join(', ')} after={e.after.join(', ')} />
              </li>
            );
        }
      })}
    </ul>
  );
}
