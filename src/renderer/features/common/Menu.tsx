/**
 * Small popovers anchored at a point: a menu of actions, or any content.
 * They close on Escape and on a click outside.
 */
import { useEffect, useRef, type ReactNode } from 'react';

/** Closes on Escape and on a click outside. */
function useDismiss(onClose: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  return ref;
}

export interface MenuItem {
  label: string;
  hint?: string;
  disabled?: boolean;
  testId?: string;
  onSelect: () => void;
}

export function Popover({
  x,
  y,
  onClose,
  children,
  className,
  testId,
}: {
  x: number;
  y: number;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const ref = useDismiss(onClose);
  // Keep it on screen near the right and bottom edges.
  const left = Math.max(4, Math.min(x, window.innerWidth - 260));
  const top = Math.max(4, Math.min(y, window.innerHeight - 200));
  return (
    <div
      ref={ref}
      className={`grid-popover ${className ?? ''}`}
      style={{ left, top }}
      data-testid={testId}
      role="dialog"
    >
      {children}
    </div>
  );
}

export function Menu({
  x,
  y,
  items,
  onClose,
  testId,
  caption,
}: {
  x: number;
  y: number;
  items: MenuItem[];
  onClose: () => void;
  testId?: string;
  /** A line above the items saying what they act on. */
  caption?: string;
}) {
  return (
    <Popover x={x} y={y} onClose={onClose} className="grid-menu" testId={testId}>
      {caption ? (
        <div className="grid-menu-caption" data-testid={testId ? `${testId}-caption` : undefined}>
          {caption}
        </div>
      ) : null}
      <div role="menu">
        {items.map((item) => (
          <button
            key={item.label}
            type="button"
            role="menuitem"
            className="grid-menu-item"
            disabled={item.disabled}
            data-testid={item.testId}
            onClick={() => {
              onClose();
              item.onSelect();
            }}
          >
            <span>{item.label}</span>
            {item.hint ? <span className="dim">{item.hint}</span> : null}
          </button>
        ))}
      </div>
    </Popover>
  );
}
