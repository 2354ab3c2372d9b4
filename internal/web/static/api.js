// The JSON API, as a signed-in person calls it: the session cookie goes
// by itself (HttpOnly, the page never sees it); every change carries the
// session's CSRF token, kept in memory only. Errors are shown as the
// catalogue's message for their code, never the server's English text.
import { has, t } from "./i18n.js";

let csrf = "";
let onSignedOut = () => {};
export const setCSRF = (v) => { csrf = v || ""; };
export const whenSignedOut = (fn) => { onSignedOut = fn; };

export class APIError extends Error {
  constructor(code, detail) { super(code); this.code = code; this.detail = detail; }
}
export function errText(e) {
  const k = "err." + (e && e.code);
  return has(k) ? t(k) : t("err.internal");
}

export async function api(method, path, body) {
  const headers = {};
  if (body) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined });
  } catch (e) { throw new APIError("network", String(e)); }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  const err = data && data.error;
  if (res.status === 401 && path !== "/v1/session") { onSignedOut(t("err.unauthenticated")); throw new APIError("unauthenticated"); }
  if (!res.ok) throw new APIError((err && err.code) || "internal", err && err.message);
  return data;
}
