/**
 * The typed workbench client over a scripted in-memory transport, for tests of
 * the renderer's stores and actions: each method answers from a handler the test
 * gives (or fails as a handler throws), every call is recorded, and the replies
 * still go through the client's checks against the contract, as over IPC or HTTP.
 */
import { Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { createClient, type TransportClient } from '../../../src/renderer/api/client';
import type { Transport } from '../../../src/renderer/api/transport';
import {
  isApiMethod,
  type ApiEvent,
  type ApiMethod,
  type ApiOutput,
  type PhaseState,
  type WorkspaceStatus,
} from '../../../src/shared/api/contract';
import type { ApiParsedInput } from '../../../src/shared/api/handlers';
import { WorkbenchError, errorMessage } from '../../../src/shared/errors';

/**
 * How one method answers: its result (bytes for a binary method such as
 * `results.chunk`), or a thrown WorkbenchError, sent back as a failed reply.
 */
export type Handler<M extends ApiMethod> = (input: ApiParsedInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>>;
export type Script = { [M in ApiMethod]?: Handler<M> };

export interface RecordedCall {
  method: string;
  /** As it left the client: checked and defaulted by the contract. */
  input: unknown;
}

export interface MemoryClient {
  client: TransportClient;
  /** Every call in the order it was sent, scripted or not. */
  calls: RecordedCall[];
  /** The inputs of one method's calls, in order. */
  inputsOf<M extends ApiMethod>(method: M): ApiParsedInput<M>[];
  /** How many calls of `method` were sent. */
  count(method: ApiMethod): number;
  /** Sets (or replaces) how `method` answers. */
  handle<M extends ApiMethod>(method: M, handler: Handler<M>): void;
  /** Delivers an event to the client's listeners. */
  emit(event: ApiEvent): void;
  /** How many event listeners are subscribed now (a closed tab must leave none behind). */
  listenerCount(): number;
}

/** A method nobody scripted fails like a server that lacks it, so a stray call shows in the test's state. */
function unscripted(method: string): WorkbenchError {
  return new WorkbenchError('unknown_method', `memoryClient: nothing scripted for ${method}`);
}

export function memoryClient(script: Script = {}): MemoryClient {
  const handlers = new Map<string, (input: unknown) => unknown>();
  const calls: RecordedCall[] = [];
  const listeners = new Set<(event: unknown) => void>();

  const handle = <M extends ApiMethod>(method: M, handler: Handler<M>): void => {
    // The transport hands over what the client checked against `method`'s input schema.
    handlers.set(method, handler as (input: unknown) => unknown);
  };
  for (const method of Object.keys(script) as ApiMethod[]) {
    const handler = script[method];
    if (handler) handle(method, handler as Handler<typeof method>);
  }

  const transport: Transport = {
    kind: 'ipc',
    async send(method, input) {
      calls.push({ method, input });
      try {
        const handler = handlers.get(method);
        if (!isApiMethod(method) || !handler) throw unscripted(method);
        return { ok: true, result: await handler(input) };
      } catch (err) {
        const error =
          err instanceof WorkbenchError
            ? { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }
            : { code: 'internal', message: errorMessage(err) };
        return { ok: false, error };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onReconnect() {
      return () => undefined;
    },
  };

  return {
    client: createClient(transport),
    calls,
    inputsOf: <M extends ApiMethod>(method: M) =>
      calls.filter((c) => c.method === method).map((c) => c.input as ApiParsedInput<M>),
    count: (method) => calls.filter((c) => c.method === method).length,
    handle,
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    listenerCount: () => listeners.size,
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** A promise the test settles: a reply that arrives exactly when the test says. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * One Arrow IPC stream: a result chunk as `results.chunk` sends it. Give a table
 * when a column needs an exact Arrow type (a UTC timestamp), else plain arrays.
 */
export function ipcStream(columns: Table | Parameters<typeof tableFromArrays>[0]): Uint8Array {
  return tableToIPC(columns instanceof Table ? columns : tableFromArrays(columns), 'stream');
}

/** A workspace whose phases are in these states (ready unless said otherwise). */
export function workspaceStatus(
  phases: Partial<Record<'lake' | 'postgres' | 'warehouse', PhaseState>> = {},
): WorkspaceStatus {
  const state = (id: 'lake' | 'postgres' | 'warehouse'): PhaseState => phases[id] ?? 'ready';
  const all = (['lake', 'postgres', 'warehouse'] as const).map((id) => state(id));
  return {
    workspaceDir: '/tmp/workspace',
    name: 'Test workspace',
    isDemo: false,
    timeZone: 'UTC',
    state: all.every((s) => s === 'ready') ? 'ready' : 'running',
    phases: [
      { id: 'lake', title: 'Lake', state: state('lake') },
      { id: 'postgres', title: 'PostgreSQL', state: state('postgres') },
      { id: 'warehouse', title: 'Warehouse', state: state('warehouse') },
    ],
    startup: null,
    postgres: null,
    lake: null,
  };
}
