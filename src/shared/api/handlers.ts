import type { z } from 'zod';
import type { Api, ApiEvent, ApiInput, ApiMethod, ApiOutput } from './contract';

/** The input a handler receives: already validated and defaulted by the schema. */
export type ApiParsedInput<M extends ApiMethod> = z.output<Api[M]['input']>;

/** What the Node side implements: one async function per API method. */
export type ApiHandlers = {
  [M in ApiMethod]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>>;
};

/** What the renderer calls, whichever transport carries it. */
export interface WorkbenchClient {
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}
