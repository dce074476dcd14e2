/** What the lake feature adds to the workbench: the lake browser tab and the Parquet file view others show. */
import { provideIntent } from '../../workbench/intents';
import { providePart } from '../../workbench/parts';
import { registerTabKind } from '../../workbench/tabKinds';
import { openLakeTab } from '../../workbench/tabsStore';
import { LakeBrowser } from './LakeBrowser';
import { ParquetFileView } from './ParquetFileView';

export function contributeLake(): Array<() => void> {
  return [
    // The browser keeps its place in the tab itself (its prefix): nothing else to free.
    registerTabKind({ kind: 'lake', View: LakeBrowser, dispose: () => undefined }),
    providePart('parquetFile', ParquetFileView),
    provideIntent('lake.open', ({ prefix }) => openLakeTab(prefix)),
  ];
}
