/** What a connection in use without a profile of the user's is, and why it has no Delete. */
import type { ActiveConnection } from './activeConnections';

export function ActiveConnectionInfo({ connection: c }: { connection: ActiveConnection }) {
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
