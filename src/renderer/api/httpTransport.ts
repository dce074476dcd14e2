/**
 * Browser shell: `POST /api/<method>` with a JSON body and the token in an
 * Authorization header, events over one shared EventSource (which cannot set
 * headers, so it sends the token as ?token=). The server no longer takes the
 * cookie alone for the API: any page on another port of 127.0.0.1 gets it too.
 */
import { isApiMethod, isBinaryMethod } from '../../shared/api/contract';
import { HTTP_STATUS_BY_CODE, WorkbenchError } from '../../shared/errors';
import type { Transport } from './transport';

function serverGone(): WorkbenchError {
  return new WorkbenchError(
    'unavailable',
    'The workbench server is not answering',
    'Check that `npm start` is still running',
  );
}

export function createHttpTransport(baseUrl = '/api', token: () => string | null = () => null): Transport {
  const listeners = new Set<(event: unknown) => void>();
  const openListeners = new Set<() => void>();
  let source: EventSource | null = null;

  const openEvents = () => {
    // EventSource reconnects by itself after a drop; one stream serves every listener.
    const current = token();
    source = new EventSource(
      current === null ? `${baseUrl}/events` : `${baseUrl}/events?token=${encodeURIComponent(current)}`,
    );
    source.onmessage = (message: MessageEvent<string>) => {
      let event: unknown;
      try {
        event = JSON.parse(message.data);
      } catch {
        console.warn('Dropped an event that is not JSON');
        return;
      }
      for (const listener of [...listeners]) listener(event);
    };
    // Every open, the first included: what changed before the stream was connected was not sent on it.
    source.onopen = () => {
      for (const listener of [...openListeners]) listener();
    };
  };

  return {
    kind: 'http',
    async send(method, input) {
      let response: Response;
      const current = token();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (current !== null) headers.authorization = `Bearer ${current}`;
      try {
        response = await fetch(`${baseUrl}/${method}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input),
          credentials: 'same-origin',
          cache: 'no-store',
        });
      } catch {
        throw serverGone();
      }
      const type = response.headers.get('content-type') ?? '';
      try {
        if (type.startsWith('application/octet-stream')) {
          const bytes = new Uint8Array(await response.arrayBuffer());
          if (response.ok && isApiMethod(method) && isBinaryMethod(method)) return { ok: true, result: bytes };
          throw new WorkbenchError('internal', `The server answered ${method} with unexpected bytes`);
        }
        if (type.includes('application/json')) return (await response.json()) as unknown;
      } catch (err) {
        if (err instanceof WorkbenchError) throw err;
        // The body broke off (server gone mid-answer) or was not JSON after all.
        if (err instanceof SyntaxError) {
          throw new WorkbenchError('internal', `The server sent an unreadable answer to ${method}`);
        }
        throw serverGone();
      }
      throw new WorkbenchError(
        // No body to name a code: only the token's refusal is told apart (several codes share the other statuses).
        response.status === HTTP_STATUS_BY_CODE.unauthorized ? 'unauthorized' : 'internal',
        `The server answered ${method} with HTTP ${response.status} ${response.statusText}`.trim(),
      );
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!source) openEvents();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
    onStreamOpen(listener) {
      openListeners.add(listener);
      return () => {
        openListeners.delete(listener);
      };
    },
  };
}
