/**
 * A user action that talks to the workbench (cache a folder, verify the cache):
 * buttons stay disabled while one runs, and its failure is shown, not thrown.
 */
import { useState } from 'react';
import { toErrorView, type ErrorView } from '../../state/errorView';

export function useAction(
  setError: (error: ErrorView | null) => void,
): [busy: boolean, act: (work: () => Promise<void>) => Promise<void>] {
  const [busy, setBusy] = useState(false);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(toErrorView(err));
    } finally {
      setBusy(false);
    }
  };
  return [busy, act];
}
