/**
 * The typed workbench client over any transport: inputs are checked before they
 * leave, replies and events are checked when they arrive, and every failure
 * becomes a `WorkbenchError` the UI can show as is.
 */
import { ApiEvent, ApiReply, api, type ApiInput, type ApiMethod, type ApiOutput } from '../../shared/api/contract';
import type { WorkbenchClient } from '../../shared/api/handlers';
import { WorkbenchError } from '../../shared/errors';
import type { Transport } from './transport';

interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

function describeIssues(issues: readonly IssueLike[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Checks an input against the contract; throws `bad_request` without sending anything. */
export function checkInput<M extends ApiMethod>(method: M, input: ApiInput<M>): unknown {
  const parsed = api[method].input.safeParse(input);
  if (!parsed.success) {
    throw new WorkbenchError('bad_request', `Invalid input for ${method}: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

/** Turns a raw reply into the method's output, or throws the error it carries. */
export function decodeReply<M extends ApiMethod>(method: M, raw: unknown): ApiOutput<M> {
  const reply = ApiReply.safeParse(raw);
  if (!reply.success) {
    throw new WorkbenchError('internal', `The workbench sent a malformed reply to ${method}`);
  }
  if (!reply.data.ok) {
    // ApiErrorBody already read a code this build does not know as `internal`.
    const { code, message, hint } = reply.data.error;
    throw new WorkbenchError(code, message, hint);
  }
  const output = api[method].output.safeParse(reply.data.result);
  if (!output.success) {
    throw new WorkbenchError(
      'internal',
      `The workbench sent an unexpected reply to ${method}: ${describeIssues(output.error.issues)}`,
    );
  }
  return output.data as ApiOutput<M>;
}

/** Validates one event; null (with a warning) when it does not match the contract. */
export function decodeEvent(raw: unknown): ApiEvent | null {
  const event = ApiEvent.safeParse(raw);
  if (!event.success) {
    console.warn('Dropped an event that does not match the contract:', describeIssues(event.error.issues));
    return null;
  }
  return event.data;
}

export interface TransportClient extends WorkbenchClient {
  readonly transport: Transport['kind'];
  /** Each time the event stream opens (events before it were missed). */
  onStreamOpen(listener: () => void): () => void;
}

export function createClient(transport: Transport): TransportClient {
  return {
    transport: transport.kind,
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      const checked = checkInput(method, input);
      const raw = await transport.send(method, checked);
      return decodeReply(method, raw);
    },
    onEvent(listener: (event: ApiEvent) => void): () => void {
      return transport.subscribe((raw) => {
        const event = decodeEvent(raw);
        if (event) listener(event);
      });
    },
    onStreamOpen(listener) {
      return transport.onStreamOpen(listener);
    },
  };
}
