/** Pieces of the server tree used at several levels: a folding group, and a background job. */
import { useState, type ReactNode } from 'react';
import type { ServerJob } from '../../../shared/api/server';

/** A folded list under a title and a count (chunks, continuous aggregates, policies, jobs). */
export function Group({
  title,
  count,
  children,
  testId,
}: {
  title: string;
  count: number;
  children: ReactNode;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <li className="tree-node">
      <div className="tree-item clickable server-group" data-testid={testId} onClick={() => setOpen(!open)}>
        <span className={`caret${open ? ' open' : ''}`} aria-hidden>
          ▸
        </span>
        <span className="tree-label">{title}</span>
        <span className="tree-meta">{count}</span>
      </div>
      {open ? <ul className="side-tree nested">{children}</ul> : null}
    </li>
  );
}

export function JobItem({ job }: { job: ServerJob }) {
  const status = job.lastRunStatus ? ` · last run ${job.lastRunStatus.toLowerCase()}` : '';
  return (
    <li
      className="tree-item server-job"
      data-testid="server-job"
      title={`${job.name}\n${job.procedure}${job.config ? `\n${job.config}` : ''}${job.nextStart ? `\nnext run ${job.nextStart}` : ''}`}
    >
      <span className={`tree-icon ${job.scheduled ? 'job' : 'job paused'}`} aria-hidden />
      <span className="tree-label">{job.name || job.procedure}</span>
      <span className="tree-meta">
        {job.schedule ? `every ${job.schedule}` : 'manual'}
        {job.scheduled ? '' : ' · paused'}
        {status}
      </span>
    </li>
  );
}
