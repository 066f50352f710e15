// The agent's workspace: wires the list, the chat, the live socket, the alert banner,
// the forbidden-phrase warning, the library search and the keyboard together.
import { api } from "./api.js";
import { now, startTicker, syncClock } from "./clock.js";
import { Chat, suggestionButtons } from "./chat.js";
import { ConversationList, keyOf } from "./conversations.js";
import { $, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";
import { connectLive, QUALITY_CHANNEL } from "./live.js";
import * as notify from "./notify.js";
import { Handoff, presenceSwitch } from "./handoff.js";
import { LibrarySearch } from "./search.js";

const socket = connectLive("/agent", async (again) => {
  await loadPresence();
  if (again) await catchUp();
});
const loadPresence = presenceSwitch(socket);
const list = new ConversationList($("#conversations"), (key) => select(key));
const chat = new Chat({
  socket,
  header: $("#chat-header"),
  transcript: $("#transcript"),
  suggestions: $("#suggestions"),
  form: $("#reply-form"),
  error: $("#reply-error"),
});
const search = new LibrarySearch($("#library-dialog"), (script) => chat.insertScript(script));
const handoff = new Handoff(() => (chat.key ? list.get(chat.key) ?? chat.conversation : undefined), (text) => toast(text));
for (const button of document.querySelectorAll("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog").close());
}
let lastSeen = Date.now() / 1000; // alerts after this are fetched again on reconnect

async function loadConversations() {
  const data = await api("/api/v1/conversations");
  syncClock(data.at);
  list.load(data.items);
  $("#empty").hidden = data.items.length > 0;
  if (chat.key && !list.get(chat.key)) chat.close();
  handoff.update();
  if (!chat.key) {
    const wanted = decodeURIComponent(window.location.hash.slice(1));
    const fromHash = [...list.items.keys()].find((key) => key.endsWith(`\u0000${wanted}`));
    if (fromHash) await select(fromHash);
  }
}

async function select(key) {
  const item = list.get(key);
  if (!item) return;
  list.select(key);
  history.replaceState(null, "", `#${encodeURIComponent(item.conversation_id)}`);
  await chat.open(key, item);
  handoff.update();
}

function updateBanner(at) {
  const overdue = list.overdue(at);
  const banner = $("#banner");
  $("#waiting-count").textContent = list.waitingCount() ? `(${list.waitingCount()})` : "";
  if (overdue.length === 0) {
    banner.hidden = true;
    return;
  }
  const text = t("banner.overdue", { count: overdue.length });
  if (banner.hidden || banner.dataset.count !== String(overdue.length)) {
    banner.dataset.count = String(overdue.length);
    fill(
      banner,
      el("span", {}, text),
      el("button", { type: "button", class: "primary", onclick: () => select(list.overdue()[0]) }, t("banner.jump")),
    );
    banner.hidden = false;
  }
}

function toast(text, kind = "info") {
  const node = el("div", { class: `toast ${kind}`, role: "status" }, text);
  document.body.append(node);
  window.setTimeout(() => node.remove(), 6000);
}

function onAlert(alert) {
  lastSeen = Math.max(lastSeen, Date.parse(alert.at) / 1000);
  const key = keyOf(alert.channel, alert.conversation_id);
  const who = list.get(key)?.customer?.name || alert.conversation_id;
  if (alert.kind === "reply.overdue") {
    const count = alert.count ?? 1;
    const body = t("alert.overdue", { count, who });
    notify.ring(t("alert.title"), body, { urgent: true, tag: "overdue", onclick: () => select(list.overdue()[0] ?? key) });
    toast(body, "late");
  } else if (alert.kind === "reply.warning") {
    const left = Math.max(0, Math.round(alert.deadline_seconds - alert.waited_seconds));
    const body = t("alert.warning", { who, seconds: left });
    notify.ring(t("alert.title"), body, { tag: `warn-${alert.message_id}`, onclick: () => select(key) });
    toast(body, "warn");
  } else if (alert.kind === "delivery.failed") {
    toast(t("alert.delivery", { who }), "late");
  }
  updateBanner(now());
}

socket.on("message", (payload) => {
  const key = keyOf(payload.channel, payload.conversation_id);
  if (!list.message(payload)) loadConversations();
  if (key === chat.key) {
    chat.conversation = list.get(key) ?? chat.conversation;
    chat.renderHeader();
    chat.message(payload);
  }
});
socket.on("suggestions", (payload) => chat.setSuggestions(keyOf(payload.channel, payload.conversation_id), payload));
socket.on("conversation.assigned", () => loadConversations());
socket.on("conversation.closed", (payload) => list.remove(keyOf(payload.channel, payload.conversation_id)));
socket.on("alert", onAlert);
socket.on("alert.resolved", () => updateBanner(now()));
const quality = "BroadcastChannel" in window ? new BroadcastChannel(QUALITY_CHANNEL) : null;
socket.on("flag.reviewed", (flag) => {
  const decision = flag.appeal?.decision;
  const verdict = decision ? t(`quality.decision.${decision}`) : t(`qa.verdict.${flag.review.verdict}`);
  const points = flag.counted_points ?? flag.review.points ?? "–";
  if (flag.status !== "appealed") {
    toast(t("quality.live", { verdict, points }), points < 0 ? "late" : "info");
  }
  quality?.postMessage(flag.id);
});
socket.on("message.delivery", (payload) => {
  if (keyOf(payload.channel, payload.conversation_id) === chat.key) chat.delivery(payload);
  if (payload.state === "failed") toast(t("alert.delivery", { who: payload.conversation_id }), "late");
});

/** After a reconnect: reload the list, the open chat and the alerts missed meanwhile. */
async function catchUp() {
  const since = lastSeen;
  await loadConversations();
  if (chat.key && list.get(chat.key)) await chat.open(chat.key, list.get(chat.key));
  const missed = await api(`/api/v1/alerts?since=${since}`);
  const shown = missed.items.filter((a) => config.rules.alert_kinds.for_agent.includes(a.kind));
  if (shown.length) toast(t("alert.missed", { count: shown.length }), "warn");
  for (const alert of missed.items) lastSeen = Math.max(lastSeen, Date.parse(alert.at) / 1000);
}

async function sendReply(checked = false) {
  const result = await chat.send(checked);
  if (result.phrase) warnForbidden(result.phrase);
}

function warnForbidden(phrase) {
  const dialog = $("#forbidden-dialog");
  $("#forbidden-text").textContent = t("forbidden.phrase.lead", { phrase });
  fill(
    $("#forbidden-scripts"),
    ...suggestionButtons(chat.current(), (i) => {
      chat.pick(i);
      dialog.close();
    }),
  );
  dialog.querySelector("[data-action=edit]").onclick = () => {
    dialog.close();
    chat.textarea.focus();
  };
  dialog.querySelector("[data-action=send]").onclick = async () => {
    dialog.close();
    await sendReply(true);
  };
  dialog.showModal();
}

chat.form.addEventListener("submit", (event) => {
  event.preventDefault();
  sendReply();
});
chat.textarea.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendReply();
  } else if (event.key === "/" && chat.textarea.value === "") {
    event.preventDefault();
    search.open();
  } else if (event.key === "Escape") {
    chat.textarea.blur();
  }
});

document.addEventListener("keydown", (event) => {
  if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    event.preventDefault();
    const next = list.step(event.key === "ArrowDown" ? 1 : -1);
    if (next) select(next);
  } else if (event.altKey && event.code === "KeyR") {
    event.preventDefault();
    chat.textarea.focus();
  } else if (event.altKey && /^Digit[1-3]$/.test(event.code)) {
    event.preventDefault();
    chat.pick(Number(event.code.slice(5)) - 1);
  } else if (event.key === "?" && !["TEXTAREA", "INPUT"].includes(document.activeElement?.tagName)) {
    $("#help").showModal();
  }
});
$("#help-toggle").addEventListener("click", () => $("#help").showModal());

notify.bindToggle($("#alerts-toggle"), t("alerts.enable"), t("alerts.disable"));

await loadConversations();
startTicker(updateBanner);
document.body.dataset.ready = "true";
