import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  changeFilters,
  forgetGrid,
  leaveGrid,
  openPopup,
  say,
  select,
  updateLayout,
  useGridStore,
} from '../../../src/renderer/features/grid/gridStore';

const columns = [
  { name: 'time', type: 'TIMESTAMP' },
  { name: 'value', type: 'DOUBLE' },
];

/** Fills every per-grid record of the store for `gridKey`. */
function fillGrid(gridKey: string) {
  updateLayout(gridKey, 'cols', 2, { hidden: [1] });
  changeFilters(gridKey, columns, () => [{ column: 'value', kind: 'float', op: 'gt', value: '1' }]);
  select(gridKey, { anchor: { row: 0, col: 0 }, focus: { row: 2, col: 1 }, rows: false });
  openPopup(gridKey, { kind: 'columns', x: 10, y: 20 });
  say(gridKey, 'Copied the value');
}

/** Which of the store's records still hold an entry for `gridKey`. */
function recordsHolding(gridKey: string): string[] {
  return Object.entries(useGridStore.getState())
    .filter(([, record]) => typeof record === 'object' && record !== null && gridKey in record)
    .map(([name]) => name);
}

describe('the grid store keeps per-grid entries', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useGridStore.setState({ layouts: {}, selections: {}, popups: {}, notices: {} });
  });
  afterEach(() => vi.useRealTimers());

  it('forgetGrid leaves no entry for the key and keeps the other grids', () => {
    fillGrid('tab-1');
    fillGrid('tab-2');
    expect(recordsHolding('tab-1').sort()).toEqual(['layouts', 'notices', 'popups', 'selections']);
    forgetGrid('tab-1');
    expect(recordsHolding('tab-1')).toEqual([]);
    expect(recordsHolding('tab-2').sort()).toEqual(['layouts', 'notices', 'popups', 'selections']);
    // A notice timer running out after the tab closed does not bring an entry back.
    vi.advanceTimersByTime(5000);
    expect(recordsHolding('tab-1')).toEqual([]);
  });

  it('leaveGrid drops what the user was doing but keeps the layout', () => {
    fillGrid('tab-1');
    leaveGrid('tab-1');
    expect(recordsHolding('tab-1')).toEqual(['layouts']);
    expect(useGridStore.getState().layouts['tab-1']?.filters).toHaveLength(1);
  });

  it('clearing a selection or popup removes its entry', () => {
    fillGrid('tab-1');
    select('tab-1', null);
    openPopup('tab-1', null);
    expect(recordsHolding('tab-1').sort()).toEqual(['layouts', 'notices']);
  });

  it('a notice goes after a few seconds unless a newer one replaced it', () => {
    say('tab-1', 'first');
    vi.advanceTimersByTime(2000);
    say('tab-1', 'second');
    vi.advanceTimersByTime(2500);
    expect(useGridStore.getState().notices['tab-1']).toBe('second');
    vi.advanceTimersByTime(2000);
    expect(recordsHolding('tab-1')).toEqual([]);
  });
});
