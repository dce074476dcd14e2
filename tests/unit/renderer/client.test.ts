import { describe, expect, it, vi } from 'vitest';
import { createClient } from '../../../src/renderer/api/client';
import { addressWithoutToken, tokenInAddress } from '../../../src/renderer/api/address';
import type { Transport } from '../../../src/renderer/api/transport';
import { ERROR_CODES, WorkbenchError } from '../../../src/shared/errors';
import { failure } from '../../support/failure';
import { jobSnapshot } from '../../support/renderer/fixtures';

function fakeTransport(reply: unknown) {
  const sent: Array<{ method: string; input: unknown }> = [];
  let emit: (event: unknown) => void = () => undefined;
  const transport: Transport = {
    kind: 'http',
    async send(method, input) {
      sent.push({ method, input });
      return reply;
    },
    subscribe(listener) {
      emit = listener;
      return () => undefined;
    },
    onStreamOpen() {
      return () => undefined;
    },
  };
  return { transport, sent, emit: (event: unknown) => emit(event) };
}

const job = jobSnapshot({ progress: { done: 1, total: 4, unit: 'files' } });

describe('workbench client', () => {
  it('returns validated results', async () => {
    const { transport, sent } = fakeTransport({ ok: true, result: { cancelled: true } });
    const client = createClient(transport);
    await expect(client.call('query.cancel', { queryId: 'q-1' })).resolves.toEqual({ cancelled: true });
    expect(sent).toEqual([{ method: 'query.cancel', input: { queryId: 'q-1' } }]);
  });

  it('refuses bad input without sending anything', async () => {
    const { transport, sent } = fakeTransport({ ok: true, result: {} });
    const client = createClient(transport);
    const error = await failure(client.call('query.run', { sql: '', queryId: 'q 1' }));
    expect(error).toBeInstanceOf(WorkbenchError);
    expect(error.code).toBe('bad_request');
    expect(error.message).toMatch(/query is empty/);
    expect(sent).toEqual([]);
  });

  it('throws the error a failed reply carries, hint included', async () => {
    const { transport } = fakeTransport({
      ok: false,
      error: { code: 'query_failed', message: 'Table x does not exist', hint: 'Check the name' },
    });
    const error = await failure(createClient(transport).call('catalog.get', {}));
    expect(error).toBeInstanceOf(WorkbenchError);
    expect([error.code, error.message, error.hint]).toEqual([
      'query_failed',
      'Table x does not exist',
      'Check the name',
    ]);
  });

  it('keeps every code the workbench sends (a refused link stays "forbidden"); an unknown one becomes internal', async () => {
    const codeOf = async (code: string) =>
      (
        await failure(
          createClient(fakeTransport({ ok: false, error: { code, message: 'm' } }).transport).call('catalog.get', {}),
        )
      ).code;
    for (const code of ERROR_CODES) expect(await codeOf(code)).toBe(code);
    expect(await codeOf('made_up')).toBe('internal');
  });

  it('rejects replies that do not match the contract', async () => {
    const malformed = await failure(createClient(fakeTransport({ nope: 1 }).transport).call('catalog.get', {}));
    expect(malformed.code).toBe('internal');
    const wrongShape = await failure(
      createClient(fakeTransport({ ok: true, result: { relations: 'x' } }).transport).call('catalog.get', {}),
    );
    expect(wrongShape.message).toMatch(/unexpected reply to catalog.get/);
  });

  it('checks that binary methods return bytes', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const ok = createClient(fakeTransport({ ok: true, result: bytes }).transport);
    await expect(ok.call('results.chunk', { resultId: 'r1', chunk: 0 })).resolves.toBe(bytes);
    const notBytes = createClient(fakeTransport({ ok: true, result: [1, 2, 3] }).transport);
    await expect(notBytes.call('results.chunk', { resultId: 'r1', chunk: 0 })).rejects.toThrow(/expected bytes/);
  });

  it('delivers valid events and drops invalid ones with a warning', () => {
    const fake = fakeTransport(null);
    const client = createClient(fake.transport);
    const received: unknown[] = [];
    client.onEvent((event) => received.push(event));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    fake.emit({ type: 'job', job });
    fake.emit({ type: 'job', job: { ...job, state: 'exploded' } });
    fake.emit({ type: 'mystery' });
    expect(received).toEqual([{ type: 'job', job }]);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});

describe('address bar token', () => {
  it('removes only the token', () => {
    expect(addressWithoutToken('http://127.0.0.1:5000/?token=abc')).toBe('/');
    expect(addressWithoutToken('http://127.0.0.1:5000/x?a=1&token=abc#h')).toBe('/x?a=1#h');
    expect(addressWithoutToken('http://127.0.0.1:5000/?a=1')).toBeNull();
  });

  it('reads the token the page was opened with', () => {
    expect(tokenInAddress('http://127.0.0.1:5000/?token=abc')).toBe('abc');
    expect(tokenInAddress('http://127.0.0.1:5000/x?a=1&token=abc#h')).toBe('abc');
    expect(tokenInAddress('http://127.0.0.1:5000/?token=')).toBeNull();
    expect(tokenInAddress('http://127.0.0.1:5000/')).toBeNull();
  });
});
