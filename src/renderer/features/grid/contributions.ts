/** What the grid adds to the workbench: the result grid other features draw, and filtering it from outside. */
import { memo } from 'react';
import { onTableDropped } from '../../engine/engineStore';
import { provideIntent } from '../../workbench/intents';
import { providePart } from '../../workbench/parts';
import { onTabClosed } from '../../workbench/tabKinds';
import { changeFilters, forgetGrid } from './gridStore';
import { forgetPageCaches } from './pageCaches';
import { ResultGrid } from './ResultGrid';

export function contributeGrid(): Array<() => void> {
  return [
    // Memoized: its host re-renders on every keystroke and timer tick, its props change far less often.
    providePart('resultGrid', memo(ResultGrid)),
    provideIntent('grid.filter', ({ gridKey, columns, change }) => changeFilters(gridKey, columns, change)),
    // The layout is kept under the id of the tab that shows the grid; the pages under the engine table.
    onTabClosed(forgetGrid),
    onTableDropped(forgetPageCaches),
  ];
}
