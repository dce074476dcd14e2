/** The order the user dragged a result's columns into (display positions of column indexes). */

/** Moves the column at display position `from` to position `to`. */
export function moveColumn(order: readonly number[], from: number, to: number): number[] {
  const next = [...order];
  const [moved] = next.splice(from, 1);
  if (moved === undefined) return next;
  next.splice(Math.max(0, Math.min(next.length, to)), 0, moved);
  return next;
}
