// The agent's presence switch (online / away, and "away: no new chats" said plainly) and
// handing a chat on: transfer it with a note, or ask a supervisor for help (上报主管); closing it.
import { api, ApiError } from "./api.js";
import { $, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";

/** The presence switch in the top bar; follows the server's word (``agent.status``). */
export function presenceSwitch(socket) {
  const shown = $("#presence");
  const show = (status) => {
    shown.dataset.presence = status;
    shown.textContent = t(`status.${status}`);
    $("#away-banner").hidden = status !== "away";
    for (const button of document.querySelectorAll("[data-presence-set]")) {
      button.setAttribute("aria-pressed", String(button.dataset.presenceSet === status));
    }
  };
  for (const button of document.querySelectorAll("[data-presence-set]")) {
    button.addEventListener("click", async () => {
      const ack = await socket.timeout(5000).emitWithAck("presence", { status: button.dataset.presenceSet });
      if (ack?.status) show(ack.status);
    });
  }
  socket.on("agent.status", (change) => {
    if (change.agent_id === config.agent_id) show(change.status);
  });
  return async function load() {
    const history = await api(`/api/v1/agents/${encodeURIComponent(config.agent_id)}/status-history`);
    const last = history.items.at(-1)?.status ?? history.status_before ?? "offline";
    show(last);
  };
}

/** The transfer and help dialogs of the open chat. */
export class Handoff {
  constructor(current, toast) {
    this.current = current; // () => the open conversation, or undefined
    this.toast = toast;
    $("#transfer-open").addEventListener("click", () => this.openTransfer());
    $("#help-open").addEventListener("click", () => this.openHelp());
    $("#close-chat").addEventListener("click", () => this.close());
    $("#transfer-form").addEventListener("submit", (event) => this.submit(event, "transfer"));
    $("#help-form").addEventListener("submit", (event) => this.submit(event, "help"));
  }

  /** Show the buttons when a chat is open. */
  update() {
    const open = this.current();
    $("#chat-actions").hidden = !open;
    // A complaint is registered on the board, in its own tab, with this chat filled in.
    if (open) $("#complaint-open").href = `/console/complaints?conversation=${encodeURIComponent(open.conversation_id)}`;
  }

  async openTransfer() {
    const live = await api("/api/v1/agents/presence");
    const others = live.items.filter((a) => a.agent_id !== config.agent_id);
    const option = (a) =>
      el(
        "option",
        { value: a.agent_id, disabled: a.status !== "online" || a.concurrency >= a.max_concurrency },
        `${a.name || a.agent_id} · ${t(`status.${a.status}`)} · ${a.concurrency} / ${a.max_concurrency}`,
      );
    fill($("#transfer-to"), ...others.map(option));
    $("#transfer-note").value = "";
    $("#transfer-error").hidden = true;
    $("#transfer-dialog").showModal();
  }

  /** Close the open chat (the shop's survey, when set, goes out to the customer). */
  async close() {
    const chat = this.current();
    if (!chat) return;
    const path = `/api/v1/conversations/${encodeURIComponent(chat.conversation_id)}/close`;
    try {
      await api(path, { method: "POST", body: { channel: chat.channel } });
      this.toast(t("agent.closed", { conversation: chat.conversation_id }));
    } catch (error) {
      this.toast(error instanceof ApiError ? error.message : String(error), "warn");
    }
  }

  openHelp() {
    $("#help-note").value = "";
    $("#help-error").hidden = true;
    $("#help-dialog").showModal();
  }

  async submit(event, what) {
    event.preventDefault();
    const chat = this.current();
    if (!chat) return;
    const dialog = $(`#${what}-dialog`);
    const body = { note: $(`#${what}-note`).value.trim(), channel: chat.channel };
    if (what === "transfer") body.to = $("#transfer-to").value;
    const path = `/api/v1/conversations/${encodeURIComponent(chat.conversation_id)}/${what}`;
    try {
      await api(path, { method: "POST", body });
      dialog.close();
      this.toast(t(`handoff.${what}.done`, { conversation: chat.conversation_id }));
    } catch (error) {
      const problem = $(`#${what}-error`);
      problem.hidden = false;
      problem.textContent = error instanceof ApiError ? error.message : String(error);
    }
  }
}
