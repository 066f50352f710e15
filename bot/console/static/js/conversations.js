// The agent's conversation list: customers waiting longest first, each with a live
// countdown to its turn's deadline and the tier that set it.
import { clockTime, el, fill } from "./dom.js";
import { config, t } from "./i18n.js";
import { now, secondsLeft, stage } from "./clock.js";

/** A conversation's key: ids are unique per channel only. */
export const keyOf = (channel, id) => `${channel}\u0000${id}`;

/** Open conversations by key, and the list element that shows them. */
export class ConversationList {
  constructor(root, onSelect) {
    this.root = root;
    this.onSelect = onSelect;
    this.items = new Map();
    this.nodes = new Map();
    this.selected = null;
  }

  /** Replace everything with a fresh ``GET /api/v1/conversations`` answer. */
  load(items) {
    this.items = new Map(items.map((item) => [keyOf(item.channel, item.conversation_id), item]));
    this.render();
  }

  get(key) {
    return this.items.get(key);
  }

  /** Apply a pushed ``message`` (its conversation's last message and open turn). */
  message(payload) {
    const key = keyOf(payload.channel, payload.conversation_id);
    const item = this.items.get(key);
    if (item === undefined) return false;
    item.last_message = {
      id: payload.id,
      role: payload.sender?.role,
      name: payload.sender?.name,
      text: payload.text,
      ts: payload.ts,
    };
    if (payload.sender?.role === "customer" && payload.sender?.name) {
      item.customer = { ...item.customer, name: payload.sender.name };
    }
    if ("turn" in payload) item.waiting = payload.turn;
    this.render();
    return true;
  }

  remove(key) {
    this.items.delete(key);
    this.render();
  }

  /** Keys in display order: waiting longest first, then most recently active. */
  order() {
    const since = (item) => (item.waiting ? Date.parse(item.waiting.since) : Infinity);
    const last = (item) => Date.parse(item.last_message?.ts ?? item.updated_at ?? 0);
    return [...this.items.entries()]
      .sort(([, a], [, b]) => since(a) - since(b) || last(b) - last(a))
      .map(([key]) => key);
  }

  /** The waiting conversations already past their deadline, oldest first. */
  overdue(at = now()) {
    return this.order().filter((key) => {
      const waiting = this.items.get(key).waiting;
      return waiting && Date.parse(waiting.due_at) <= at;
    });
  }

  waitingCount() {
    return [...this.items.values()].filter((item) => item.waiting).length;
  }

  select(key) {
    this.selected = key;
    for (const [k, node] of this.nodes) node.classList.toggle("selected", k === key);
  }

  /** Move the selection ``step`` places along the list. */
  step(step) {
    const keys = this.order();
    if (keys.length === 0) return null;
    const at = keys.indexOf(this.selected);
    const next = keys[Math.min(keys.length - 1, Math.max(0, at === -1 ? 0 : at + step))];
    return next;
  }

  render() {
    const keys = this.order();
    for (const [key, node] of this.nodes) {
      if (!this.items.has(key)) {
        node.remove();
        this.nodes.delete(key);
      }
    }
    const nodes = keys.map((key) => this.#node(key));
    const current = [...this.root.children];
    if (current.length !== nodes.length || nodes.some((node, i) => current[i] !== node)) {
      this.root.replaceChildren(...nodes);
    }
  }

  #node(key) {
    const item = this.items.get(key);
    let node = this.nodes.get(key);
    if (node === undefined) {
      node = el("li", {
        class: "conversation",
        tabindex: "0",
        dataset: { conversationId: item.conversation_id, channel: item.channel },
        onclick: () => this.onSelect(key),
        onkeydown: (event) => event.key === "Enter" && this.onSelect(key),
      });
      this.nodes.set(key, node);
    }
    const stamp = JSON.stringify([item.waiting, item.last_message, item.customer]);
    if (node.dataset.stamp !== stamp) {
      node.dataset.stamp = stamp;
      fill(node, ...rowContent(item));
    }
    node.classList.toggle("waiting", Boolean(item.waiting));
    node.classList.toggle("selected", key === this.selected);
    return node;
  }
}

/** "20 s" normally, "60 s · busy" from the busy concurrency (the agent sees why). */
export function tierLabel(waiting) {
  const busy = waiting.concurrency >= config.rules.busy_concurrency;
  const key = busy ? "tier.busy" : "tier.normal";
  return t(key, { seconds: waiting.deadline_seconds, chats: waiting.concurrency });
}

function rowContent(item) {
  const name = item.customer?.name || item.customer?.id || item.conversation_id;
  const last = item.last_message;
  const top = el("div", { class: "row" }, el("span", { class: "name" }, name));
  if (item.waiting) {
    const deadline = Date.parse(item.waiting.due_at);
    const warn = Date.parse(item.waiting.warn_at);
    top.append(
      el(
        "span",
        { class: "timer", title: t("timer.title", { since: clockTime(item.waiting.since) }) },
        el(
          "span",
          { "data-countdown": true, dataset: { deadline, warn, state: stage(warn, deadline) } },
          String(secondsLeft(deadline)),
        ),
        el("span", { class: "unit" }, t("unit.seconds")),
      ),
    );
  }
  const bottom = el(
    "div",
    { class: "row small" },
    item.waiting ? el("span", { class: "tier" }, tierLabel(item.waiting)) : null,
    el("span", { class: "snippet" }, last ? last.text ?? "" : ""),
  );
  return [top, bottom, el("div", { class: "row tiny muted" }, item.channel, " · ", item.conversation_id)];
}
