// Building the page: every text goes in as a text node (post text is
// hostile input), identifiers are isolated left to right with their
// invisible bidi controls made visible.
import { t, name, dateText } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null && c !== "") e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// shown makes invisible bidi controls visible in identifiers (URLs,
// platform names, ids): "…/\u202Eelpmaxe.live" would otherwise display as
// "…/evil.example". Post text keeps its own direction marks.
const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
export function shown(s) {
  return String(s ?? "").replace(bidiControls, (c) => `[U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);
}

// ltr isolates an identifier (platform, id, URL, hash, wallet) left to right.
export const ltr = (s) => el("bdi", { dir: "ltr", class: "ltr" }, shown(s));

// date renders a time in the UI's language, isolated so that the text
// around it cannot reorder its parts.
export function date(iso, opts) {
  if (!iso) return null;
  const d = new Date(iso);
  if (isNaN(d) || d.getFullYear() < 1971) return null;
  return el("bdi", {}, el("time", { datetime: d.toISOString() }, dateText(d, opts)));
}

export const sevBadge = (sev) => el("span", { class: "sev " + (sev || "none") }, name("sev", sev || "none"));
export const meta = (...parts) => el("div", { class: "meta" }, ...parts.filter((p) => p != null && p !== "").map((p) => el("span", {}, p)));

// dl builds a definition list from [label key, value] pairs, skipping empty values.
export function dl(pairs) {
  const items = [];
  for (const [k, v] of pairs) if (v != null && v !== "") items.push(el("dt", {}, t(k)), el("dd", { dir: "auto" }, v));
  return el("dl", {}, ...items);
}

export const safeURL = (u) => typeof u === "string" && /^https?:\/\//i.test(u) ? u : null;

let flashTimer;
export function flash(msg) {
  const f = $("flash");
  f.textContent = msg; f.classList.add("show");
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => f.classList.remove("show"), 2500);
}

export function clearFlash() {
  clearTimeout(flashTimer);
  $("flash").textContent = ""; $("flash").classList.remove("show");
}

// table builds a table with a header row of message keys.
export const table = (id, heads, rows) => el("table", { class: "rows", id },
  el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, t(h))))), el("tbody", {}, ...rows));
