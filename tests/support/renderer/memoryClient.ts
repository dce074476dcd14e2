/**
 * The typed workbench client over a scripted in-memory transport, for tests of
 * the renderer's stores and actions: each method answers from a handler the test
 * gives (or fails as a handler throws), every call is recorded, and the replies
 * still go through the client's checks against the contract, as over IPC or HTTP.
 */
import { onTestFinished } from 'vitest';
import { createClient, type TransportClient } from '../../../src/renderer/api/client';
import type { Transport } from '../../../src/renderer/api/transport';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { isApiMethod, type ApiEvent, type ApiMethod, type ApiOutput } from '../../../src/shared/api/contract';
import type { ApiParsedInput } from '../../../src/shared/api/handlers';
import { WorkbenchError, errorMessage, type ErrorCode } from '../../../src/shared/errors';

// These live in fixtures.ts (which the Node-side tests can import); re-exported for the tests that take them from here.

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
  /** The event stream opens (again): what listens for that re-reads the state. */
  openStream(): void;
}

/** A method nobody scripted fails like a server that lacks it, so a stray call shows in the test's state. */
function unscripted(method: string): WorkbenchError {
  return new WorkbenchError('unknown_method', `memoryClient: nothing scripted for ${method}`);
}

export function memoryClient(script: Script = {}): MemoryClient {
  const handlers = new Map<string, (input: unknown) => unknown>();
  const calls: RecordedCall[] = [];
  const listeners = new Set<(event: unknown) => void>();
  const openListeners = new Set<() => void>();

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
    onStreamOpen(listener) {
      openListeners.add(listener);
      return () => openListeners.delete(listener);
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
    openStream() {
      for (const listener of [...openListeners]) listener();
    },
  };
}

/**
 * A memory client made the one every store and action calls, until the current
 * test ends (call it in the test or its beforeEach, not in beforeAll).
 */
export function provideMemoryClient(script: Script = {}): MemoryClient {
  const memory = memoryClient(script);
  onTestFinished(provideWorkbenchClient(memory.client));
  return memory;
}

/** A handler that fails as the server would, e.g. `fails('offline', 'The workbench is offline')`. */
export function fails(code: ErrorCode, message: string, hint?: string): () => never {
  return () => {
    throw new WorkbenchError(code, message, hint);
  };
}
