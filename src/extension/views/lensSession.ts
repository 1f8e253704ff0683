// Which session a file's CodeLens speak for: pure, so it is unit-tested.

/**
 * Whose numbers a file's lenses show, first match wins: the focused session while it runs, then
 * the newest running session, then the focused one (an opened recording), then the newest.
 * So opening a recording never takes the lenses from a live run; once no run is live, it does.
 */
export function lensSessionOrder<S extends { readonly live: boolean }>(all: readonly S[], focused: S | undefined): S[] {
  const newestFirst = [...all].reverse();
  const order: S[] = [];
  const add = (s: S | undefined) => s && !order.includes(s) && order.push(s);
  if (focused?.live) add(focused);
  for (const s of newestFirst) if (s.live) add(s);
  add(focused);
  for (const s of newestFirst) add(s);
  return order;
}
