/**
 * The Bronze record inspector's state: the search form, the running search
 * (matches fetched page by page while it runs), the open record or lineage.
 * One inspector tab; its state outlives switching tabs.
 */
import { create } from 'zustand';
import type {
  FieldPredicate,
  InspectorCriteriaInput,
  InspectorLineage,
  InspectorMatch,
  InspectorMatchesPage,
  InspectorRecord,
  LineageRequest,
} from '../../../shared/api/inspector';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { cancelJob } from '../../state/workspaceActions';
import { latestReply } from '../../workbench/latestReply';
import { activateTab, openTab, useTabsStore, type InspectorTab } from '../../workbench/tabsStore';

export interface InspectorForm {
  pipelines: string[];
  recordId: string;
  seriesId: string;
  /** `datetime-local` values, read as UTC. */
  from: string;
  to: string;
  text: string;
  predicates: FieldPredicate[];
  limit: number;
}

export type InspectorDetail =
  | { kind: 'none' }
  | { kind: 'record'; key: string; row: number; record: InspectorRecord | null; error: ErrorView | null }
  | { kind: 'lineage'; request: LineageRequest; lineage: InspectorLineage | null; error: ErrorView | null }
  | { kind: 'file'; key: string; back: InspectorDetail };

interface InspectorState {
  form: InspectorForm;
  searchId: string | null;
  jobId: string | null;
  page: Omit<InspectorMatchesPage, 'matches' | 'offset'> | null;
  matches: InspectorMatch[];
  selected: number | null;
  error: ErrorView | null;
  detail: InspectorDetail;
}

export const EMPTY_FORM: InspectorForm = {
  pipelines: [],
  recordId: '',
  seriesId: '',
  from: '',
  to: '',
  text: '',
  predicates: [],
  limit: 1000,
};

const INITIAL_STATE: InspectorState = {
  form: EMPTY_FORM,
  searchId: null,
  jobId: null,
  page: null,
  matches: [],
  selected: null,
  error: null,
  detail: { kind: 'none' },
};

export const useInspectorStore = create<InspectorState>(() => INITIAL_STATE);

export function setForm(patch: Partial<InspectorForm>): void {
  useInspectorStore.setState((s) => ({ form: { ...s.form, ...patch } }));
}

/** Opens the inspector tab (there is one), or shows it. */
export function openInspectorTab(): string {
  const existing = useTabsStore.getState().tabs.find((t): t is InspectorTab => t.kind === 'inspector');
  if (existing) {
    activateTab(existing.id);
    return existing.id;
  }
  return openTab((id) => ({ kind: 'inspector', id, title: 'Inspector' }));
}

/** A `datetime-local` value (no zone) as a UTC instant. */
function utc(value: string): string | null {
  if (!value) return null;
  return `${value.length === 16 ? `${value}:00` : value}Z`;
}

export function criteriaOf(form: InspectorForm): InspectorCriteriaInput {
  return {
    pipelines: form.pipelines,
    recordId: form.recordId.trim() || null,
    seriesId: form.seriesId.trim() || null,
    from: utc(form.from),
    to: utc(form.to),
    text: form.text || null,
    predicates: form.predicates.filter((p) => p.field.trim() !== ''),
    limit: form.limit,
  };
}

let poll: ReturnType<typeof setTimeout> | null = null;
// Only the latest search shows: one started before another, or before the tab closed, is not.
const searches = latestReply();

/** The closed inspector tab stops polling, cancels its running search and forgets what it showed. */
export function disposeInspector(): void {
  searches.drop();
  if (poll) clearTimeout(poll);
  poll = null;
  const { jobId, page } = useInspectorStore.getState();
  if (jobId && (page === null || page.state === 'running')) void cancelJob(jobId);
  useInspectorStore.setState(INITIAL_STATE, true);
}

export async function runSearch(): Promise<void> {
  if (poll) clearTimeout(poll);
  const counts = searches.ask();
  const { form } = useInspectorStore.getState();
  useInspectorStore.setState({ error: null, matches: [], page: null, selected: null, searchId: null, jobId: null });
  try {
    const { searchId, jobId } = await workbench().call('inspector.search', criteriaOf(form));
    if (!counts()) {
      // Nobody shows this search any more: it stops on the server.
      void cancelJob(jobId);
      return;
    }
    useInspectorStore.setState({ searchId, jobId });
    await fetchMore(searchId);
  } catch (err) {
    if (counts()) useInspectorStore.setState({ error: toErrorView(err) });
  }
}

/** Fetches the matches found since the last fetch; again shortly while the search runs. */
async function fetchMore(searchId: string): Promise<void> {
  poll = null;
  if (useInspectorStore.getState().searchId !== searchId) return;
  try {
    for (;;) {
      const offset = useInspectorStore.getState().matches.length;
      const page = await workbench().call('inspector.matches', { searchId, offset, limit: 1000 });
      if (useInspectorStore.getState().searchId !== searchId) return;
      const { matches, offset: _offset, ...rest } = page;
      void _offset;
      useInspectorStore.setState((s) => ({
        page: rest,
        matches: matches.length ? [...s.matches, ...matches] : s.matches,
        selected: s.selected ?? (matches.length ? 0 : null),
      }));
      if (matches.length < 1000) {
        if (page.state === 'running') poll = setTimeout(() => void fetchMore(searchId), 250);
        break;
      }
    }
    const { selected, detail, matches } = useInspectorStore.getState();
    if (selected !== null && detail.kind === 'none' && matches[selected]) void openMatch(selected);
  } catch (err) {
    useInspectorStore.setState({ error: toErrorView(err) });
  }
}

export async function cancelSearch(): Promise<void> {
  const { jobId } = useInspectorStore.getState();
  if (jobId) await cancelJob(jobId);
}

export async function openRecord(key: string, row: number): Promise<void> {
  useInspectorStore.setState({ detail: { kind: 'record', key, row, record: null, error: null } });
  try {
    const record = await workbench().call('inspector.record', { key, row, neighbours: 3 });
    useInspectorStore.setState((s) =>
      s.detail.kind === 'record' && s.detail.key === key && s.detail.row === row
        ? { detail: { ...s.detail, record } }
        : s,
    );
  } catch (err) {
    useInspectorStore.setState((s) =>
      s.detail.kind === 'record' && s.detail.key === key ? { detail: { ...s.detail, error: toErrorView(err) } } : s,
    );
  }
}

export function openMatch(index: number): Promise<void> {
  const match = useInspectorStore.getState().matches[index];
  useInspectorStore.setState({ selected: index });
  return match ? openRecord(match.key, match.row) : Promise.resolve();
}

export function openFile(key: string): void {
  useInspectorStore.setState((s) => ({ detail: { kind: 'file', key, back: s.detail } }));
}

export function closeDetail(): void {
  useInspectorStore.setState((s) => ({ detail: s.detail.kind === 'file' ? s.detail.back : { kind: 'none' } }));
}

/**
 * Shows the Bronze records behind one metric point (series and time) with
 * the pipeline's filter and formulas. Charts and the result grid call this.
 */
export async function openLineage(request: LineageRequest): Promise<void> {
  openInspectorTab();
  const time = new Date(request.time).toISOString();
  // The list beside the lineage shows the same question: that series' records at that second.
  const to = new Date(Date.parse(time) + 1000).toISOString();
  setForm({
    ...EMPTY_FORM,
    pipelines: [request.pipelineId],
    seriesId: request.seriesId,
    from: time.slice(0, 19),
    to: to.slice(0, 19),
  });
  useInspectorStore.setState({ detail: { kind: 'lineage', request, lineage: null, error: null } });
  void runSearch();
  try {
    const lineage = await workbench().call('inspector.lineage', { ...request, time });
    useInspectorStore.setState((s) => (s.detail.kind === 'lineage' ? { detail: { ...s.detail, lineage } } : s));
  } catch (err) {
    useInspectorStore.setState((s) =>
      s.detail.kind === 'lineage' ? { detail: { ...s.detail, error: toErrorView(err) } } : s,
    );
  }
}
