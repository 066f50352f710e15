// The selected conversation: its live transcript, the suggested replies for the latest
// customer message, and the reply box (Enter sends, Shift+Enter is a new line).
import { api, ApiError } from "./api.js";
import { clockTime, el, fill } from "./dom.js";
import { t } from "./i18n.js";
import { tierLabel } from "./conversations.js";

const newId = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `rw-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
};

/** The chat pane of the agent's workspace. */
export class Chat {
  constructor({ socket, header, transcript, suggestions, form, error }) {
    this.socket = socket;
    this.header = header;
    this.transcript = transcript;
    this.suggestionsBox = suggestions;
    this.form = form;
    this.textarea = form.querySelector("textarea[name=reply]");
    this.button = form.querySelector("button[type=submit]");
    this.error = error;
    this.conversation = null; // the list item of the selected conversation
    this.messages = [];
    this.suggestions = new Map(); // conversation key -> {message_id, items}
    this.picked = null; // {message_id, script_id, text} of a suggestion put in the box
    this.sending = false;
  }

  /** Show ``item`` (a conversation list item); loads its transcript. */
  async open(key, item) {
    this.key = key;
    this.conversation = item;
    this.picked = null;
    this.textarea.disabled = this.button.disabled = false;
    this.renderHeader();
    this.messages = []; // nothing of the previous chat stays on screen while this one loads
    fill(this.transcript);
    fill(this.suggestionsBox);
    const path = `/api/v1/conversations/${encodeURIComponent(item.conversation_id)}`;
    const data = await api(`${path}?channel=${encodeURIComponent(item.channel)}`);
    if (this.key !== key) return; // another conversation was picked meanwhile
    this.messages = data.messages;
    if (data.suggestions) this.suggestions.set(key, data.suggestions);
    this.renderTranscript();
    this.renderSuggestions();
  }

  close() {
    this.key = null;
    this.conversation = null;
    this.messages = [];
    fill(this.header, el("span", { class: "muted" }, t("agent.pick")));
    fill(this.transcript);
    fill(this.suggestionsBox);
    this.textarea.disabled = this.button.disabled = true;
  }

  renderHeader() {
    const item = this.conversation;
    const name = item.customer?.name || item.customer?.id || item.conversation_id;
    fill(
      this.header,
      el("strong", {}, name),
      el("span", { class: "muted" }, ` · ${item.channel} · ${item.conversation_id}`),
      item.waiting ? el("span", { class: "tier" }, tierLabel(item.waiting)) : null,
    );
  }

  /** A pushed ``message`` of the selected conversation. */
  message(payload) {
    if (this.messages.some((m) => m.id === payload.id)) return;
    this.messages.push({ id: payload.id, sender: payload.sender, text: payload.text, ts: payload.ts });
    this.renderTranscript();
    this.renderSuggestions();
  }

  /** A pushed ``message.delivery`` state for one of the replies. */
  delivery(payload) {
    const message = this.messages.find((m) => m.id === payload.message_id);
    if (message === undefined) return;
    message.delivery = { ...(message.delivery ?? {}), state: payload.state, error: payload.error };
    this.renderTranscript();
  }

  renderTranscript() {
    const rows = this.messages.map((m) => {
      const role = m.sender?.role ?? "customer";
      const meta = [m.sender?.name || m.sender?.id || "", clockTime(m.ts)];
      if (m.response_seconds != null) meta.push(t("transcript.answered", { seconds: m.response_seconds.toFixed(1) }));
      if (m.delivery) meta.push(t(`delivery.${m.delivery.state}`));
      return el(
        "li",
        { class: `message ${role}`, dataset: { messageId: m.id } },
        el("div", { class: "meta" }, meta.filter(Boolean).join(" · ")),
        el("div", { class: "text" }, m.text ?? ""),
      );
    });
    fill(this.transcript, ...rows);
    this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  /** The latest customer message of the selected conversation (suggestions follow it). */
  latestCustomerMessage() {
    for (let i = this.messages.length - 1; i >= 0; i -= 1) {
      if (this.messages[i].sender?.role === "customer") return this.messages[i];
    }
    return null;
  }

  /** Suggestions for the selected conversation's latest customer message, if any. */
  current() {
    const found = this.suggestions.get(this.key);
    const latest = this.latestCustomerMessage();
    if (!found || !latest || found.message_id !== latest.id) return null;
    return found;
  }

  setSuggestions(key, payload) {
    this.suggestions.set(key, payload);
    if (key === this.key) this.renderSuggestions();
  }

  renderSuggestions() {
    fill(this.suggestionsBox, ...suggestionButtons(this.current(), (i) => this.pick(i)));
  }

  /** Put suggestion ``index`` (0-2) in the reply box, ready to edit. */
  pick(index) {
    const found = this.current();
    const item = found?.items[index];
    if (!item) return;
    this.textarea.value = item.text;
    this.picked = { message_id: found.message_id, script_id: item.script_id, text: item.text };
    this.textarea.focus();
  }

  /** Put a library entry found by search in the reply box. */
  insertScript(script) {
    const name = this.conversation?.customer?.name ?? "";
    const text = script.reply.replaceAll("{customer}", name).replaceAll("{agent}", "");
    this.textarea.value = text;
    // Sent for the customer's latest message, it tells the server which script fitted
    // a question the suggestions missed (a paraphrase proposal, see bot/learning.py).
    this.picked = { message_id: this.latestCustomerMessage()?.id ?? null, script_id: script.id, text };
    this.textarea.focus();
  }

  /** Send the box's text; with ``checked`` the forbidden-phrase check already passed. */
  async send(checked = false) {
    const text = this.textarea.value.trim();
    if (!text || !this.conversation || this.sending) return { sent: false };
    if (!checked) {
      const { phrase } = await api("/api/v1/replies/check", { method: "POST", body: { text } });
      if (phrase) return { sent: false, phrase };
    }
    this.sending = true;
    this.showError(null);
    const reply = { conversation_id: this.conversation.conversation_id, channel: this.conversation.channel, text, id: newId() };
    if (this.picked?.script_id) reply.script_id = this.picked.script_id;
    try {
      const ack = await this.socket.timeout(10_000).emitWithAck("reply", reply);
      if (ack.error) throw new ApiError(400, ack);
      this.feedback(text);
      this.textarea.value = "";
      this.picked = null;
      this.message(ack.message);
      return { sent: true };
    } catch (error) {
      this.showError(error instanceof ApiError ? error.message : t("reply.failed"));
      return { sent: false };
    } finally {
      this.sending = false;
    }
  }

  /** Tell the server what the agent did with the suggestions: used, edited or ignored. */
  feedback(sentText) {
    const shown = this.current();
    const picked = this.picked;
    let payload = null;
    if (picked?.message_id) {
      const action = sentText === picked.text.trim() ? "used" : "edited";
      payload = { message_id: picked.message_id, script_id: picked.script_id, action };
    } else if (shown?.items.length) {
      payload = { message_id: shown.message_id, script_id: shown.items[0].script_id, action: "ignored" };
    }
    if (payload === null) return;
    payload.channel = this.conversation.channel;
    this.socket.emit("suggestion.feedback", payload);
  }

  showError(message) {
    this.error.hidden = !message;
    this.error.textContent = message ?? "";
  }
}

/** Buttons for suggestion items (title, score, text); clicking one calls ``onPick(i)``. */
export function suggestionButtons(found, onPick) {
  if (!found || found.items.length === 0) return [];
  return found.items.slice(0, 3).map((item, i) =>
    el(
      "button",
      { type: "button", class: "suggestion", dataset: { scriptId: item.script_id }, onclick: () => onPick(i) },
      el("span", { class: "key" }, `Alt+${i + 1}`),
      el("span", { class: "title" }, item.title),
      el("span", { class: "score", title: t("suggestion.score") }, Math.round(item.score)),
      el("span", { class: "text" }, item.text),
    ),
  );
}
