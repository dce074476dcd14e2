import { WorkbenchError } from '../../src/shared/errors';

/** Runs `run` and returns the WorkbenchError it throws; anything else it throws, or no failure at all, fails the test. */
export async function failure(run: (() => Promise<unknown>) | Promise<unknown>): Promise<WorkbenchError> {
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (err) {
    if (err instanceof WorkbenchError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}
