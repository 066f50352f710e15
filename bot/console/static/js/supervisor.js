// The supervisors' wall: each agent's status, load against the busy line and waiting
// customers with live seconds; the unassigned queue; today's KPIs with the manuals'
// bands; a live alert feed; reassign a chat; drill from a figure to its conversations.
import { api, ApiError } from "./api.js";
import { now, startTicker, syncClock } from "./clock.js";
import { $, clockTime, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";
import { connectLive } from "./live.js";
import * as notify from "./notify.js";
import { showTranscript } from "./transcript.js";
import { drillDown, kpiStrip } from "./wall-figures.js";

const socket = connectLive("/supervisor", () => refresh());
const cards = new Map();
const stats = { refreshMs: [], cardsRedrawn: [] }; // read by benchmarks/console.py
window.__rwWall = stats;
let redrawn = 0;
let agents = [];
let pending = null; // the waiting customer being reassigned
let offScreenOverdue = 0; // past-due customers beyond the rows listed per agent

function waitingRow(w) {
  const since = Date.parse(w.since);
  const due = since + w.deadline_seconds * 1000;
  return el(
    "li",
    { class: "waiting-row", dataset: { conversationId: w.conversation_id, channel: w.channel } },
    el("span", { class: "who" }, w.conversation_id),
    el("span", { class: "waited", "data-waited": true, dataset: { since, due } }, ""),
    el("button", { type: "button", class: "small", onclick: () => askReassign(w) }, t("wall.reassign")),
  );
}

function loadBar(concurrency, cap) {
  const line = config.rules.busy_concurrency;
  const bar = el("div", { class: "fill" });
  bar.style.width = `${Math.min(100, (100 * concurrency) / Math.max(cap, 1))}%`; // CSSOM: CSP allows it
  const state = concurrency >= cap ? "full" : concurrency >= line ? "busy" : "";
  return el(
    "div",
    { class: `load ${state}`, title: t("wall.load.cap", { n: concurrency, line, cap }), dataset: { load: concurrency, cap } },
    bar,
    el("span", { class: "label" }, `${concurrency} / ${cap}`),
  );
}

function card(agent) {
  let node = cards.get(agent.agent_id);
  if (!node) {
    node = el("article", { class: "agent", dataset: { agentId: agent.agent_id } });
    cards.set(agent.agent_id, node);
  }
  const stamp = JSON.stringify([agent.status, agent.concurrency, agent.max_concurrency, agent.waiting.map((w) => w.message_id), agent.waiting_count, agent.today?.scores]);
  if (node.dataset.stamp === stamp) return node;
  node.dataset.stamp = stamp;
  redrawn += 1;
  const today = agent.today;
  fill(
    node,
    el(
      "header",
      {},
      el("span", { class: `dot ${agent.status}`, title: t(`status.${agent.status}`) }),
      el("button", { type: "button", class: "link name", onclick: () => drillDown(agent, openConversation) }, agent.name || agent.agent_id),
      loadBar(agent.concurrency, agent.max_concurrency),
    ),
    today
      ? el("div", { class: "today small muted" }, t("wall.agent.today", {
          customers: today.customers_received,
          avg: today.response_seconds_avg == null ? "–" : today.response_seconds_avg.toFixed(1),
          score: today.scores?.total == null ? "–" : Math.round(today.scores.total),
        }))
      : null,
    el("ul", { class: "waiting" }, ...agent.waiting.map(waitingRow), ...moreRow(agent.waiting_count, agent.waiting.length)),
  );
  return node;
}

/** "+N more" when the server listed only the longest-waiting customers. */
function moreRow(total, shown) {
  return total > shown ? [el("li", { class: "muted small more" }, t("wall.more", { n: total - shown }))] : [];
}

/** Customers past due that are not on screen (the server lists the longest waiting). */
function hiddenOverdue(data) {
  const listed = (rows) => rows.filter((w) => w.overdue).length;
  let hidden = Math.max(0, (data.unassigned_overdue_count ?? 0) - listed(data.unassigned));
  for (const agent of data.items) hidden += Math.max(0, (agent.overdue_count ?? 0) - listed(agent.waiting));
  return hidden;
}

async function refresh() {
  const data = await api("/api/v1/agents");
  const started = performance.now();
  redrawn = 0;
  syncClock(data.at);
  agents = data.items;
  const nodes = agents.map(card);
  const root = $("#agents");
  if (nodes.length !== root.children.length || nodes.some((n, i) => root.children[i] !== n)) root.replaceChildren(...nodes);
  const unassigned = $("#unassigned");
  const stamp = JSON.stringify([data.unassigned.map((w) => w.message_id), data.unassigned_count]);
  if (unassigned.dataset.stamp !== stamp) {
    unassigned.dataset.stamp = stamp;
    fill(unassigned.querySelector(".waiting"), ...data.unassigned.map(waitingRow), ...moreRow(data.unassigned_count, data.unassigned.length));
    $("#unassigned-count").textContent = `(${data.unassigned_count ?? data.unassigned.length})`;
  }
  offScreenOverdue = hiddenOverdue(data);
  stats.refreshMs.push(performance.now() - started);
  stats.cardsRedrawn.push(redrawn);
  if (stats.refreshMs.length > 120) stats.refreshMs.shift(), stats.cardsRedrawn.shift();
  return data;
}

function tickWaiting(at) {
  let overdue = offScreenOverdue;
  for (const node of document.querySelectorAll("[data-waited]")) {
    const waited = Math.max(0, Math.floor((at - Number(node.dataset.since)) / 1000));
    const late = at >= Number(node.dataset.due);
    overdue += late ? 1 : 0;
    const text = t("wall.waited", { seconds: waited });
    if (node.textContent !== text) node.textContent = text;
    node.dataset.state = late ? "late" : "ok";
  }
  const banner = $("#banner");
  banner.hidden = overdue === 0;
  if (overdue) banner.textContent = t("wall.overdue", { count: overdue });
}

function askReassign(w) {
  pending = w;
  $("#reassign-what").textContent = t("wall.reassign.what", { conversation: w.conversation_id });
  const options = agents.map((a) =>
    el("option", { value: a.agent_id, disabled: a.status === "offline" && a.agent_id !== w.agent_id }, `${a.name || a.agent_id} · ${t(`status.${a.status}`)} · ${a.concurrency}`),
  );
  fill($("#reassign-agent"), ...options);
  $("#reassign-error").hidden = true;
  $("#reassign").showModal();
}

$("#reassign").addEventListener("close", async () => {
  if ($("#reassign").returnValue !== "ok" || !pending) return;
  const agentId = $("#reassign-agent").value;
  const path = `/api/v1/conversations/${encodeURIComponent(pending.conversation_id)}/assign`;
  try {
    await api(path, { method: "POST", body: { agent_id: agentId, channel: pending.channel } });
    await refresh();
  } catch (error) {
    $("#reassign-error").hidden = false;
    $("#reassign-error").textContent = error instanceof ApiError ? error.message : String(error);
    $("#reassign").showModal();
  }
});

async function openConversation(conversationId, channel, messageId) {
  await showTranscript($("#drill-transcript"), conversationId, channel, messageId);
}

function feedItem(alert) {
  const seconds = alert.response_seconds ?? alert.waited_seconds;
  return el(
    "li",
    { class: "feed-item", dataset: { kind: alert.kind, conversationId: alert.conversation_id, alertId: alert.id } },
    el("span", { class: "badge", dataset: { kind: alert.kind } }, t(`kind.${alert.kind}`)),
    el("span", {}, ` ${alert.agent_id ?? t("unassigned")} · ${alert.conversation_id}`),
    seconds != null ? el("span", { class: "muted" }, ` · ${Math.round(seconds)} s`) : null,
    el("span", { class: "muted small" }, ` · ${clockTime(alert.at)}`),
    alert.note ? el("q", { class: "note" }, alert.note) : null,
    el("span", { class: "ack" }, ackPart(alert)),
  );
}

/** Who acknowledged the alert and when, or the button to do it. */
function ackPart(alert) {
  if (alert.acknowledged_by) {
    return el("span", { class: "muted small", dataset: { acknowledgedBy: alert.acknowledged_by } }, t("wall.acked", { who: alert.acknowledged_by, at: clockTime(alert.acknowledged_at) }));
  }
  return el("button", { type: "button", class: "small", onclick: () => acknowledge(alert) }, t("wall.ack"));
}

async function acknowledge(alert) {
  const done = await api(`/api/v1/alerts/${alert.id}/ack`, { method: "POST" });
  showAcknowledged(done.id, done.acknowledged_by, done.acknowledged_at);
}

function showAcknowledged(id, by, at) {
  for (const node of document.querySelectorAll(`.feed-item[data-alert-id="${id}"] .ack`)) {
    fill(node, ackPart({ acknowledged_by: by, acknowledged_at: at }));
  }
}

function addAlert(alert, live = true) {
  if (alert.kind === "reply.warning") return;
  const feed = $("#feed");
  feed.prepend(feedItem(alert));
  while (feed.children.length > 200) feed.lastChild.remove();
  if (live) {
    refreshStrip();
    notify.ring(t("alert.title"), `${t(`kind.${alert.kind}`)}: ${alert.agent_id ?? ""} ${alert.conversation_id}`, { urgent: alert.kind !== "reply.slow" });
    refresh();
  }
}

let stripAt = 0;
/** Today's figures again, at most every 5 seconds (alerts can come in bursts). */
function refreshStrip() {
  if (Date.now() - stripAt < 5000) return;
  stripAt = Date.now();
  kpiStrip($("#strip"));
}

socket.on("alert", (alert) => addAlert(alert));
socket.on("agent.status", () => refresh());
socket.on("alert.acknowledged", (done) => showAcknowledged(done.id, done.by, done.at));

notify.bindToggle($("#alerts-toggle"), t("alerts.enable"), t("alerts.disable"));

await refresh();
const recent = await api(`/api/v1/alerts?since=${now() / 1000 - 3600}&limit=50`);
for (const alert of recent.items.reverse()) addAlert(alert, false);
await kpiStrip($("#strip"));
startTicker(tickWaiting);
window.setInterval(refresh, 2000); // the live view is built to be polled (README)
window.setInterval(refreshStrip, 15_000);
document.body.dataset.ready = "true";
