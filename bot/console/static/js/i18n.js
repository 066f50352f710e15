// The page's language and settings, rendered by the server as JSON (never as script).

const read = (id) => JSON.parse(document.getElementById(id).textContent);

/** The page's settings: agent id, role, CSRF token, response-time rules. */
export const config = read("rw-config");
const strings = read("rw-i18n");

/** The string for ``key`` with ``{name}`` placeholders filled. */
export function t(key, vars = {}) {
  let text = strings[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}
