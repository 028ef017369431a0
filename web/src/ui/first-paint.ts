/**
 * The SPA's own "first meaningful paint": a `performance.mark` named `growqr:threads-painted`, set once per page load
 * just after the frame that first shows the thread list with the user's data (the animation frame that paints it,
 * then the task after it). Its `startTime` counts from navigation start; the web e2e tests hold it under 1 s on a
 * cold load of the local stack (`web/e2e/first-paint.e2e.test.ts`).
 */
export const THREADS_PAINTED = "growqr:threads-painted";

let marked = false;

export function markThreadsPainted(): void {
  if (marked || typeof performance === "undefined" || typeof requestAnimationFrame === "undefined") return;
  marked = true;
  requestAnimationFrame(() => setTimeout(() => performance.mark(THREADS_PAINTED), 0));
}
