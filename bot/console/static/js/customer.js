// The customer's chat (/chat): the conversation so far, live messages both ways,
// messages typed while offline kept (with their own ids) until the server has them,
// whether the shop answers now, and the satisfaction question's answer buttons.
import { io } from "../vendor/socket.io.esm.min.js";
import { $, el } from "./dom.js";
import { config, t } from "./i18n.js";

const TOKEN = "replywatch.visitor";
const PENDING = "replywatch.pending";
const list = $("#chat-messages");
const input = $("#chat-input");
const shown = new Map(); // message id -> its element
let conversationId = null;
let agentName = null; // who serves the chat, once someone has taken it
let answering = "open"; // the shop's availability (bot/availability.py)

const token = localStorage.getItem(TOKEN) ?? config.visitor;
localStorage.setItem(TOKEN, token);
const identity = new URLSearchParams(location.search);
const auth = identity.get("user_id")
  ? { user_id: identity.get("user_id"), user_hash: identity.get("user_hash") }
  : { token };

const pending = () => JSON.parse(localStorage.getItem(PENDING) ?? "[]");
const savePending = (items) => localStorage.setItem(PENDING, JSON.stringify(items));
const status = (text) => ($("#chat-status").textContent = text);

function showError(text) {
  const box = $("#chat-error");
  box.hidden = !text;
  box.textContent = text ?? "";
}

function who(message) {
  if (message.role === "agent") return message.name || t("chat.agent");
  if (message.role === "bot") return t("chat.bot");
  return t("chat.you");
}

/** The answer buttons under the satisfaction question (gone once anything follows). */
function choices() {
  const buttons = config.survey_choices.map((choice) =>
    el("button", { type: "button", onclick: () => queue(choice) }, choice),
  );
  return el("li", { class: "choices", role: "group", "aria-label": t("chat.survey") }, ...buttons);
}

/** Add (or update) one message; the text always goes in as text. */
function render(message, state = "sent") {
  const existing = shown.get(message.id);
  if (existing) {
    existing.dataset.state = state;
    return;
  }
  list.querySelector(".choices")?.remove();
  const item = el(
    "li",
    { dataset: { senderRole: message.role, messageId: message.id, state } },
    el("span", { class: "who" }, who(message)),
    el("span", { class: "text" }, message.text),
  );
  shown.set(message.id, item);
  list.append(item);
  if (message.survey) list.append(choices());
  list.lastElementChild.scrollIntoView({ block: "end" });
}

/** The header line: who serves the chat, else whether someone will answer soon. */
function showStatus() {
  if (agentName) status(t("chat.agent_joined", { name: agentName }));
  else status(t(answering === "open" ? "chat.online" : "chat.leave_message"));
}

/** "closed" / "nobody": the customer is asked to leave a message. */
function availability(state) {
  answering = state;
  const bar = $("#chat-availability");
  bar.hidden = state === "open";
  bar.textContent = state === "open" ? "" : t(`chat.${state}`);
  if (socket.connected) showStatus();
}

function notice(text) {
  list.append(el("li", { class: "notice" }, text));
}

const socket = io("/customer", { path: "/socket.io", transports: ["websocket"], auth });

async function send(item) {
  const ack = await socket.timeout(10000).emitWithAck("message", { id: item.id, text: item.text }).catch(() => null);
  if (!ack) return false; // no answer: kept, sent again on the next connect
  savePending(pending().filter((p) => p.id !== item.id));
  const shownId = `${conversationId}/${item.id}`;
  if (ack.error) {
    render({ id: shownId, role: "customer", text: item.text }, "failed");
    showError(ack.error);
    return true;
  }
  showError(null);
  render({ id: ack.id, role: "customer", text: item.text });
  return true;
}

socket.on("connect", async () => {
  showError(null);
  const history = await socket.emitWithAck("history");
  conversationId = history.conversation_id;
  for (const message of history.messages) render(message);
  agentName = history.agent;
  availability(history.availability);
  for (const item of pending()) {
    render({ id: `${conversationId}/${item.id}`, role: "customer", text: item.text }, "pending");
    await send(item);
  }
  document.body.dataset.ready = "true";
});
socket.on("disconnect", () => status(t("chat.offline")));
socket.on("connect_error", (error) => {
  status(t("chat.offline"));
  showError(t("chat.error.connect", { reason: error.message }));
});
socket.on("message", (message) => render(message));
socket.on("availability", (told) => availability(told.state));
socket.on("agent", (joined) => {
  agentName = joined.name;
  showStatus();
  notice(t("chat.agent_joined", { name: joined.name }));
});

/** Keep the message (with its own id) until the server has it; send it now if online. */
function queue(text) {
  const id = crypto.randomUUID().replaceAll("-", "");
  const item = { id, text };
  savePending([...pending(), item]);
  if (conversationId) render({ id: `${conversationId}/${id}`, role: "customer", text }, "pending");
  if (socket.connected) send(item);
}

function submit(event) {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  queue(text);
}

$("#chat-form").addEventListener("submit", submit);
if (config.embedded) {
  // In the widget's panel: Escape closes it (the panel is the host page's).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") window.parent.postMessage("replywatch:close", "*");
  });
}
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
});
