// A conversation's transcript as QA and supervisors read it: every message, each turn's
// tier and response time on its first message, the alerts it raised, a flagged message
// highlighted, the customer's satisfaction rating on the answer that gave it.
import { api } from "./api.js";
import { clockTime, el, fill } from "./dom.js";
import { t } from "./i18n.js";

/** Load ``conversation_id`` (on ``channel``) into ``root``; ``highlight`` is a message id. */
export async function showTranscript(root, conversationId, channel, highlight = null) {
  const path = `/api/v1/conversations/${encodeURIComponent(conversationId)}`;
  const data = await api(`${path}?channel=${encodeURIComponent(channel)}`);
  const turns = new Map(data.turns.map((turn) => [turn.message_id, turn]));
  const rated = new Map((data.ratings ?? []).map((r) => [r.message_id, r.rating]));
  const rows = data.messages.map((m) => messageRow(m, turns.get(m.id), m.id === highlight, rated.get(m.id)));
  fill(
    root,
    el(
      "header",
      { class: "transcript-head" },
      el("strong", {}, data.conversation.id),
      el("span", { class: "muted" }, ` · ${data.conversation.channel} · ${data.conversation.agent_id ?? t("unassigned")}`),
    ),
    el("ol", { class: "transcript" }, ...rows),
  );
  root.querySelector(".highlight")?.scrollIntoView({ block: "center" });
  return data;
}

function messageRow(m, turn, highlighted, rating) {
  const role = m.sender?.role ?? "customer";
  const meta = [m.sender?.name || m.sender?.id || "", clockTime(m.ts)];
  const facts = [];
  if (turn) {
    facts.push(el("span", { class: "tier" }, t("qa.tier", { seconds: turn.deadline_seconds, chats: turn.concurrency })));
    const answered = turn.response_seconds;
    if (answered != null) {
      const late = answered > turn.deadline_seconds;
      facts.push(
        el("span", { class: `response ${late ? "late" : "ok"}` }, t("qa.response", { seconds: answered.toFixed(1) })),
      );
    } else {
      facts.push(el("span", { class: "response late" }, t(`qa.ended.${turn.end_reason ?? "open"}`)));
    }
  }
  if (rating != null) facts.push(el("span", { class: "badge rating", dataset: { rating } }, t("transcript.rated", { rating })));
  for (const alert of m.alerts ?? []) facts.push(el("span", { class: "badge", dataset: { kind: alert.kind } }, t(`kind.${alert.kind}`)));
  return el(
    "li",
    { class: `message ${role}${highlighted ? " highlight" : ""}`, dataset: { messageId: m.id } },
    el("div", { class: "meta" }, meta.filter(Boolean).join(" · ")),
    el("div", { class: "text" }, m.text ?? ""),
    facts.length ? el("div", { class: "facts" }, ...facts) : null,
  );
}
