/**
 * DuckDB's SQL in Monaco is registered by the query feature's contributions, not on
 * import: registering again (a dev hot reload) after taking it back leaves one
 * completion provider and one subscription, and the highlighting follows the
 * warehouse's functions from the start.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WarehouseFunction } from '../../../src/shared/api/queries';
import { useSqlFiles } from '../../../src/renderer/features/query/sqlFilesStore';

// Node cannot load Monaco: a stand-in that records what the language registers.
const fake = vi.hoisted(() => {
  const providers = new Set<object>();
  /** The function names of each highlighting set, in order. */
  const highlighted: string[][] = [];
  let currentTokens: object | null = null;
  const monaco = {
    languages: {
      CompletionItemKind: { Keyword: 17, TypeParameter: 24, Module: 8, Struct: 6, Field: 3, Function: 1 },
      setMonarchTokensProvider(_language: string, definition: { functions: string[] }) {
        const tokens = {};
        currentTokens = tokens;
        highlighted.push(definition.functions);
        return {
          dispose: () => {
            if (currentTokens === tokens) currentTokens = null;
          },
        };
      },
      registerCompletionItemProvider(_language: string, provider: object) {
        providers.add(provider);
        return { dispose: () => providers.delete(provider) };
      },
    },
    Range: class {},
  };
  return { monaco, providers, highlighted, hasTokens: () => currentTokens !== null };
});
vi.mock('../../../src/renderer/workbench/monaco', () => ({ monaco: fake.monaco }));

function warehouseFunction(name: string): WarehouseFunction {
  return { name, kind: 'scalar', signatures: [], description: null };
}

/** Live subscriptions to the SQL files store, counted through its own subscribe. */
let subscriptions = 0;
const subscribe = useSqlFiles.subscribe.bind(useSqlFiles);
useSqlFiles.subscribe = (listener) => {
  subscriptions++;
  const unsubscribe = subscribe(listener);
  return () => {
    subscriptions--;
    unsubscribe();
  };
};

describe('the DuckDB SQL language', () => {
  afterEach(() => useSqlFiles.setState({ functions: [] }));

  it('registers nothing on import', async () => {
    await import('../../../src/renderer/features/query/sqlLanguage');
    expect(fake.providers.size).toBe(0);
    expect(fake.highlighted).toEqual([]);
    expect(subscriptions).toBe(0);
  });

  it('registers once per call and takes everything back, so registering again does not pile up', async () => {
    const { registerSqlLanguage } = await import('../../../src/renderer/features/query/sqlLanguage');
    useSqlFiles.setState({ functions: [warehouseFunction('list_sum')] });

    for (let reload = 0; reload < 3; reload++) {
      fake.highlighted.length = 0;
      const undo = registerSqlLanguage();
      expect(fake.providers.size).toBe(1);
      expect(subscriptions).toBe(1);
      // The functions already known are highlighted at once, not only on the next change.
      expect(fake.highlighted).toEqual([['list_sum']]);

      useSqlFiles.setState({ functions: [warehouseFunction('list_sum'), warehouseFunction('my_macro')] });
      expect(fake.highlighted.at(-1)).toEqual(['list_sum', 'my_macro']);
      // Another change of the store that leaves the functions as they were highlights nothing new.
      useSqlFiles.setState({ history: useSqlFiles.getState().history });
      expect(fake.highlighted).toHaveLength(2);

      undo();
      expect(fake.providers.size).toBe(0);
      expect(subscriptions).toBe(0);
      expect(fake.hasTokens()).toBe(false);
      useSqlFiles.setState({ functions: [warehouseFunction('list_sum')] });
    }
  });
});
