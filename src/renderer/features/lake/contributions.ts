/** What the lake feature adds to the workbench: the lake browser tab and the Parquet file view others show. */
import { provideIntent } from '../../workbench/intents';
import { providePart } from '../../workbench/parts';
import { registerTabKind } from '../../workbench/tabKinds';
import { openLakeTab } from '../../workbench/tabsStore';
import { LakeBrowser } from './LakeBrowser';
import { lakeTabLifecycle } from './lakeTabKind';
import { ParquetFileView } from './ParquetFileView';

export function contributeLake(): Array<() => void> {
  return [
    registerTabKind({ ...lakeTabLifecycle, View: LakeBrowser }),
    providePart('parquetFile', ParquetFileView),
    provideIntent('lake.open', ({ prefix }) => openLakeTab(prefix)),
  ];
}
