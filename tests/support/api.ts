import { expect } from 'vitest';
import type { WorkbenchApp } from '../../src/main/services/WorkbenchApp';
import { api, type ApiInput, type ApiMethod, type ApiOutput } from '../../src/shared/api/contract';

/** Calls the API the way a transport does, and checks the reply against the contract. */
export async function callApi<M extends ApiMethod>(
  app: WorkbenchApp,
  method: M,
  input: ApiInput<M>,
): Promise<ApiOutput<M>> {
  const reply = await app.api.dispatch(method, input);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
  const parsed = api[method].output.safeParse(reply.result);
  expect(parsed.success, `${method} reply matches the contract`).toBe(true);
  return reply.result as ApiOutput<M>;
}
