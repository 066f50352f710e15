// The library search popup ("/" in an empty reply box): fuzzy over the whole library,
// for when no suggestion fits. Arrow keys move, Enter takes, Esc closes.
import { api } from "./api.js";
import { el, fill } from "./dom.js";
import { t } from "./i18n.js";

export class LibrarySearch {
  constructor(dialog, onPick) {
    this.dialog = dialog;
    this.input = dialog.querySelector("input");
    this.results = dialog.querySelector("ol");
    this.onPick = onPick;
    this.items = [];
    this.active = 0;
    this.timer = null;
    this.asked = 0;
    this.input.addEventListener("input", () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.find(), 120);
    });
    this.input.addEventListener("keydown", (event) => this.key(event));
  }

  open() {
    this.input.value = "";
    this.dialog.showModal();
    this.input.focus();
    this.find();
  }

  async find() {
    const asked = ++this.asked;
    const data = await api(`/api/v1/scripts/search?k=8&q=${encodeURIComponent(this.input.value)}`);
    if (asked !== this.asked) return; // a newer search is under way
    this.items = data.items;
    this.active = 0;
    this.render();
  }

  render() {
    const rows = this.items.map((script, i) =>
      el(
        "li",
        {
          class: i === this.active ? "active" : "",
          dataset: { scriptId: script.id },
          onclick: () => this.take(i),
        },
        el("span", { class: "title" }, script.title),
        el("span", { class: "muted" }, ` · ${script.category}`),
        el("div", { class: "text" }, script.reply),
      ),
    );
    fill(this.results, ...(rows.length ? rows : [el("li", { class: "muted" }, t("library.search.none"))]));
  }

  key(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = Math.min(this.items.length - 1, Math.max(0, this.active + step));
      this.render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.take(this.active);
    }
  }

  take(index) {
    const script = this.items[index];
    if (!script) return;
    this.dialog.close();
    this.onPick(script);
  }
}
