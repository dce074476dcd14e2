/**
 * What every web page of the desktop app may do: navigate, redirect or load a
 * frame only within the workbench UI, open no windows, attach no webviews; and
 * which IPC callers are the UI. Electron types only (no runtime import), so the
 * guards are tested under plain Node with stand-ins for WebContents.
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { isWorkbenchPage } from '../services/appScheme';

interface NavigationDetails {
  url: string;
  preventDefault(): void;
}

export function hardenContents(contents: WebContents, devUrl: string | undefined): void {
  const stayInWorkbench = (details: NavigationDetails): void => {
    if (!isWorkbenchPage(details.url, devUrl)) details.preventDefault();
  };
  contents.on('will-navigate', stayInWorkbench);
  contents.on('will-redirect', stayInWorkbench);

  contents.on('will-frame-navigate', stayInWorkbench);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * True when an IPC call comes from the top frame of a workbench page. The
 * sending frame, not the window: a frame inside our page, or a page the window
 * was navigated to, is not the UI.
 */
export function callerIsWorkbench(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, devUrl: string | undefined): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isWorkbenchPage(frame.url, devUrl);
}
