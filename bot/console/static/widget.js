// ReplyWatch web chat widget: <script src="https://HOST/widget.js" async></script> adds a
// chat button that opens HOST/chat in a panel. A signed-in shop customer keeps one chat on
// every device: add data-user-id="…" data-user-hash="…" (hex HMAC-SHA256 of the id under
// [widget] identity_secret, computed by the shop's server). No framework, no build step.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__replywatchWidget) return;
  window.__replywatchWidget = true;
  var origin = new URL(script.src).origin;
  var zh = (script.dataset.lang || navigator.language || "").toLowerCase().indexOf("zh") === 0;
  var label = zh ? "在线客服" : "Chat with us";
  var close = zh ? "关闭" : "Close";
  var query = new URLSearchParams({ embed: "1" });
  if (script.dataset.userId) {
    query.set("user_id", script.dataset.userId);
    query.set("user_hash", script.dataset.userHash || "");
  }

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "replywatch-panel");
  button.setAttribute("data-replywatch", "open");
  button.style.cssText =
    "position:fixed;right:16px;bottom:16px;z-index:2147483646;padding:12px 18px;border:0;" +
    "border-radius:24px;background:#1d4ed8;color:#fff;font:16px system-ui,sans-serif;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.25);cursor:pointer";

  var panel = document.createElement("div");
  panel.id = "replywatch-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);
  panel.style.cssText =
    "position:fixed;right:16px;bottom:72px;z-index:2147483647;width:min(380px,calc(100vw - 32px));" +
    "height:min(560px,calc(100vh - 96px));background:#fff;border-radius:12px;overflow:hidden;" +
    "box-shadow:0 4px 24px rgba(0,0,0,.3);display:flex;flex-direction:column";
  var bar = document.createElement("button");
  bar.type = "button";
  bar.textContent = "× " + close;
  bar.setAttribute("data-replywatch", "close");
  bar.style.cssText = "align-self:flex-end;margin:4px;border:0;background:none;font:14px system-ui;cursor:pointer";
  var frame = document.createElement("iframe");
  frame.title = label;
  frame.style.cssText = "flex:1;border:0;width:100%";

  function toggle(open) {
    if (open && !frame.src) frame.src = origin + "/chat?" + query.toString();
    panel.hidden = !open;
    panel.style.display = open ? "flex" : "none";
    button.setAttribute("aria-expanded", String(open));
    if (open) frame.focus();
    else button.focus();
  }
  button.addEventListener("click", function () { toggle(panel.hidden); });
  bar.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") toggle(false); });
  // Escape inside the chat's frame: the frame asks to be closed.
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.data === "replywatch:close") toggle(false);
  });
  panel.style.display = "none";
  panel.appendChild(bar);
  panel.appendChild(frame);
  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
