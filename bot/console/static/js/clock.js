// One clock and one timer for every countdown on the page.

let skew = 0; // the server's clock minus this browser's, in ms

/** Align with the server's clock (from an answer's ``at``). */
export function syncClock(serverIso) {
  const server = Date.parse(serverIso);
  if (!Number.isNaN(server)) skew = server - Date.now();
}

/** The server's "now", in epoch ms. */
export function now() {
  return Date.now() + skew;
}

/** Seconds left to ``deadlineMs`` (negative once past), as whole seconds. */
export function secondsLeft(deadlineMs, nowMs = now()) {
  const left = Math.ceil((deadlineMs - nowMs) / 1000);
  return left === 0 ? 0 : left; // never "-0"
}

/** "ok" before the warning, "warn" until the deadline, "late" after it. */
export function stage(warnMs, deadlineMs, nowMs = now()) {
  if (nowMs >= deadlineMs) return "late";
  return nowMs >= warnMs ? "warn" : "ok";
}

/** Refresh every ``[data-countdown]`` element, then call ``after``. */
export function refreshCountdowns(after = () => {}) {
  const t = now();
  for (const node of document.querySelectorAll("[data-countdown]")) {
    const deadline = Number(node.dataset.deadline);
    const text = String(secondsLeft(deadline, t));
    if (node.textContent !== text) node.textContent = text;
    const state = stage(Number(node.dataset.warn), deadline, t);
    if (node.dataset.state !== state) node.dataset.state = state;
  }
  after(t);
}

const stats = { ticks: 0, busyMs: [] };
window.__rwTicks = stats; // main-thread time per tick, read by benchmarks/console.py

/** The page's one timer: every second, on the second. */
export function startTicker(after) {
  const tick = () => {
    const started = performance.now();
    refreshCountdowns(after);
    stats.ticks += 1;
    stats.busyMs.push(performance.now() - started);
    if (stats.busyMs.length > 120) stats.busyMs.shift();
  };
  tick();
  return window.setInterval(tick, 1000);
}
