/**
 * One tab lifecycle. Every kind of tab (SQL, lake, pipeline, chart, inspector) is
 * registered by the feature that owns it, with how it renders, whether it holds
 * unsaved work and how it is disposed. Closing any tab goes through `closeTab`:
 * the tab leaves the bar, its owner disposes exactly its state, jobs and timers,
 * and the parts drawn inside it (a result's grid and chart) forget what they
 * kept under its id.
 */
import type { ComponentType } from 'react';
import { createRegistry } from './registry';
import { removeTab, useTabsStore, type WorkbenchTab } from './tabsStore';

export type TabKindName = WorkbenchTab['kind'];
export type TabOf<K extends TabKindName> = Extract<WorkbenchTab, { kind: K }>;

export interface TabKind<K extends TabKindName> {
  kind: K;
  /** What the tab shows; mounted afresh per tab (keyed by its id). */
  View: ComponentType<{ tab: TabOf<K> }>;
  /** Whether the tab holds work that is not saved yet (the tab bar marks it). */
  dirty?(tab: TabOf<K>): boolean;
  /** Frees everything the owner keeps for this tab: state, engine tables, editor models, timers, server work. */
  dispose(tab: TabOf<K>): void;
}

/** A tab kind without its view: what its owner does when the tab is dirty or closes (loads without the UI). */
export type TabLifecycle<K extends TabKindName> = Omit<TabKind<K>, 'View'>;

const kinds = createRegistry<TabKindName, TabKind<TabKindName>>((kind) => `Two features own the "${kind}" tab`);
const closedListeners = new Set<(tabId: string) => void>();

/** Registers a kind of tab; returns how to take it back. */
export function registerTabKind<K extends TabKindName>(kind: TabKind<K>): () => void {
  return kinds.provide(kind.kind, kind as unknown as TabKind<TabKindName>);
}

function kindOf<K extends TabKindName>(tab: TabOf<K>): TabKind<K> | undefined {
  return kinds.get(tab.kind) as unknown as TabKind<K> | undefined;
}

/**
 * For state a part keeps per tab although another feature owns the tab (the grid's
 * layout of a SQL tab's result): called with the id of every tab that closes.
 */
export function onTabClosed(forget: (tabId: string) => void): () => void {
  closedListeners.add(forget);
  return () => closedListeners.delete(forget);
}

/** How many parts listen for closed tabs (the lifecycle test checks none piles up). */
export function tabClosedListenerCount(): number {
  return closedListeners.size;
}

/** Closes a tab of any kind and frees what it held. */
export function closeTab(id: string): void {
  const tab = useTabsStore.getState().tabs.find((t) => t.id === id);
  if (!tab) return;
  removeTab(id);
  try {
    kindOf(tab)?.dispose(tab);
  } finally {
    for (const forget of closedListeners) forget(id);
  }
}

export function isTabDirty(tab: WorkbenchTab): boolean {
  return kindOf(tab)?.dirty?.(tab) ?? false;
}

/** Renders a tab with its kind's view; it follows its own tab, so an edit re-renders this view alone. */
export function TabView({ tabId }: { tabId: string }) {
  const tab = useTabsStore((s) => s.tabs.find((t) => t.id === tabId));
  const View = tab ? (kindOf(tab)?.View as ComponentType<{ tab: WorkbenchTab }> | undefined) : undefined;
  return tab && View ? <View key={tab.id} tab={tab} /> : null;
}
