/**
 * The browser shell's event stream, over a stand-in for the browser's EventSource
 * (Node has none): one stream for every listener, and a signal each time it opens,
 * the first time included, so the page re-reads what it may have missed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpTransport } from '../../../src/renderer/api/httpTransport';

/** What the transport uses of EventSource; `open`, `fail` and `send` play the server's part. */
class StandInEventSource {
  static made: StandInEventSource[] = [];
  onmessage: ((message: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    StandInEventSource.made.push(this);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.();
  }
  fail(): void {
    this.onerror?.();
  }
  send(data: string): void {
    this.onmessage?.({ data } as MessageEvent<string>);
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  StandInEventSource.made = [];
});

describe('the browser shell’s event stream', () => {
  it('signals every open, the first one included, and delivers events to every listener', () => {
    vi.stubGlobal('EventSource', StandInEventSource);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const transport = createHttpTransport('/api', () => 'secret token');
    const opened = vi.fn();
    const first: unknown[] = [];
    const second: unknown[] = [];
    transport.subscribe((event) => first.push(event));
    transport.subscribe((event) => second.push(event));
    transport.onStreamOpen(opened);

    expect(StandInEventSource.made).toHaveLength(1);
    const stream = StandInEventSource.made[0]!;
    expect(stream.url).toBe('/api/events?token=secret%20token');
    stream.open();
    expect(opened).toHaveBeenCalledTimes(1);
    // A drop and the browser's own reconnect: events in between were missed.
    stream.fail();
    stream.open();
    expect(opened).toHaveBeenCalledTimes(2);

    stream.send('{"type":"cache"}');
    stream.send('not json');
    expect(first).toEqual([{ type: 'cache' }]);
    expect(second).toEqual([{ type: 'cache' }]);
    expect(warn).toHaveBeenCalledWith('Dropped an event that is not JSON');
  });

  it('closes the stream when its last listener leaves, and stops signalling a listener that left', () => {
    vi.stubGlobal('EventSource', StandInEventSource);
    const transport = createHttpTransport('/api', () => null);
    const opened = vi.fn();
    const stopOpened = transport.onStreamOpen(opened);
    const unsubscribe = transport.subscribe(() => undefined);
    const stream = StandInEventSource.made[0]!;
    expect(stream.url).toBe('/api/events');
    stopOpened();
    stream.open();
    expect(opened).not.toHaveBeenCalled();
    unsubscribe();
    expect(stream.closed).toBe(true);
  });
});
