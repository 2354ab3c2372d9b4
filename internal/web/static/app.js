// Basira review screen. Everything goes through the JSON API with the
// analyst's token; post text is only ever inserted as text nodes. Every
// string comes from messages.json (ar, fr, en), server errors included:
// the screen shows the message of the error's code, never the server's
// English text.
"use strict";

let M = { en: {} }; // the message catalogue, loaded at start
let lang = localStorage.getItem("basira.lang") || "ar";
let token = sessionStorage.getItem("basira.token") || "";
let current = null; // the case on screen
let session = 0; // grows on sign-out: answers to older requests are dropped
// Moroccan analysts read Latin digits and day-month order: ar-MA gives both.
const LOCALES = { ar: "ar-MA", fr: "fr-FR", en: "en-GB" };

const $ = (id) => document.getElementById(id);
const loc = () => LOCALES[lang] || "en-GB";
const raw = (k) => (M[lang] && M[lang][k] !== undefined ? M[lang][k] : M.en[k]);
const t = (k) => { const v = raw(k); return typeof v === "string" ? v : k; };
// name translates an id of a kind (cat, status, sev, action, ref, det,
// lang, id); an id the catalogue lacks shows as is.
const name = (kind, id) => { const v = raw(kind + "." + id); return typeof v === "string" ? v : (id || ""); };
const num = (n, digits) => new Intl.NumberFormat(loc(), digits == null ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
// plural picks the form of the language's plural rules (Arabic has six).
function plural(k, n) {
  const v = raw(k);
  const forms = v && typeof v === "object" ? v : { other: "{n} " + k };
  const cat = new Intl.PluralRules(loc()).select(n);
  return (forms[cat] || forms.other).replace("{n}", num(n));
}

// shown makes invisible bidi controls visible in identifiers (URLs,
// platform names, ids): "…/\u202Eelpmaxe.live" would otherwise display as
// "…/evil.example". Post text keeps its own direction marks.
const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
function shown(s) {
  return String(s ?? "").replace(bidiControls, (c) => `[U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null && c !== "") e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// date renders a time in the UI's language, isolated so that the text
// around it cannot reorder its parts.
function date(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  if (isNaN(d)) return null;
  return el("bdi", {}, el("time", { datetime: d.toISOString() }, new Intl.DateTimeFormat(loc(), { dateStyle: "medium", timeStyle: "short" }).format(d)));
}
// ltr isolates an identifier (platform, id, URL, hash, wallet) left to right.
const ltr = (s) => el("bdi", { dir: "ltr", class: "ltr" }, shown(s));
const sevBadge = (sev) => el("span", { class: "sev " + (sev || "none") }, name("sev", sev || "none"));
const meta = (...parts) => el("div", { class: "meta" }, ...parts.filter((p) => p != null && p !== "").map((p) => el("span", {}, p)));

function applyLang() {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  $("lang").value = lang;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  fillSelect($("status-filter"), "status", "all_statuses", "new");
  fillSelect($("category-filter"), "cat", "all_categories", "");
}

// fillSelect lists the ids of a kind (from the catalogue) and keeps the
// current choice, "all" included, across language switches.
function fillSelect(sel, kind, allKey, initial) {
  const keep = sel.dataset.ready ? sel.value : initial;
  const ids = Object.keys(M.en).filter((k) => k.startsWith(kind + ".")).map((k) => k.slice(kind.length + 1));
  sel.replaceChildren(el("option", { value: "" }, t(allKey)), ...ids.map((id) => el("option", { value: id }, name(kind, id))));
  sel.value = keep;
  sel.dataset.ready = "1";
}

let flashTimer;
function flash(msg) {
  const f = $("flash");
  f.textContent = msg; f.classList.add("show");
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => f.classList.remove("show"), 2500);
}

class APIError extends Error {
  constructor(code, detail) { super(code); this.code = code; this.detail = detail; }
}
const errText = (e) => { const v = raw("err." + (e && e.code)); return typeof v === "string" ? v : t("err.internal"); };

async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method, headers: { "Authorization": "Bearer " + token, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) { throw new APIError("network", String(e)); }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  const err = data && data.error;
  if (res.status === 401) { signOut(t("err.unauthenticated")); throw new APIError("unauthenticated"); }
  if (!res.ok) throw new APIError((err && err.code) || "internal", err && err.message);
  return data;
}

// signOut forgets the token and clears every trace of the work on screen.
function signOut(msg) {
  session++;
  token = ""; current = null;
  sessionStorage.removeItem("basira.token");
  $("token").value = "";
  $("cases").replaceChildren(); $("case").replaceChildren(); $("queue-count").textContent = "";
  $("flash").textContent = ""; $("flash").classList.remove("show");
  $("app").hidden = true; $("logout").hidden = true; $("login").hidden = false;
  $("login-error").textContent = msg || "";
}

async function signIn(tok) {
  token = tok;
  await api("GET", "/v1/whoami");
  sessionStorage.setItem("basira.token", tok);
  $("token").value = "";
  $("login-error").textContent = "";
  $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false;
  showHint();
  await loadQueue();
}

const showHint = () => $("case").replaceChildren(el("p", { class: "hint" }, t("pick_case")), el("p", { class: "hint" }, t("shortcuts")));

let queueSeq = 0; // only the answer to the latest queue request is shown

async function loadQueue() {
  const gen = session, seq = ++queueSeq;
  const q = new URLSearchParams({ limit: "200" });
  if ($("status-filter").value) q.set("status", $("status-filter").value);
  if ($("category-filter").value) q.set("category", $("category-filter").value);
  const data = await api("GET", "/v1/cases?" + q);
  if (gen !== session || seq !== queueSeq) return;
  $("queue-count").textContent = plural("n_cases", data.cases.length);
  const list = $("cases");
  if (!data.cases.length) { list.replaceChildren(el("li", { class: "hint" }, t("no_cases"))); return; }
  list.replaceChildren(...data.cases.map((c) => el("li", { class: current && current.id === c.id ? "active" : "" },
    el("button", { type: "button", "data-case": c.id, onclick: () => openCase(c.id).catch((e) => flash(errText(e))) },
      sevBadge(c.severity), " ", el("strong", {}, name("cat", c.category)), " ", el("bdi", {}, "#" + c.id),
      meta(name("status", c.status), plural("n_posts", c.count), ltr((c.platforms || []).join(", ")), date(c.last_seen))))));
}

// highlight renders text with the byte spans [start,end) of the UTF-8
// encoding marked: offsets come from the server in bytes.
function highlight(text, spans) {
  const bytes = new TextEncoder().encode(text), dec = new TextDecoder();
  const sorted = (spans || []).filter((s) => s.end > s.start && s.end <= bytes.length).sort((a, b) => a.start - b.start);
  const out = []; let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue;
    out.push(document.createTextNode(dec.decode(bytes.slice(at, s.start))));
    out.push(el("mark", {}, dec.decode(bytes.slice(s.start, s.end))));
    at = s.end;
  }
  out.push(document.createTextNode(dec.decode(bytes.slice(at))));
  return out;
}

// dl builds a definition list from [label, value] pairs, skipping empty values.
function dl(pairs) {
  const items = [];
  for (const [k, v] of pairs) if (v != null && v !== "") items.push(el("dt", {}, t(k)), el("dd", { dir: "auto" }, v));
  return el("dl", {}, ...items);
}

const safeURL = (u) => typeof u === "string" && /^https?:\/\//i.test(u) ? u : null;

// evidence renders one signal as a card made for its detector.
function evidence(s) {
  const d = s.details || {};
  const head = el("h4", {}, sevBadge(s.severity), " ", name("cat", s.label), " · ", name("det", s.detector), " · ", t("score"), " ", num(Number(s.score) || 0, 2));
  switch (s.detector) {
    case "rules":
      return el("div", { class: "card rule", "data-kind": "rules" }, head, dl([
        ["rule", s.rule ? ltr(s.rule) : null], ["description", d.description], ["rule_file", d.source ? ltr(d.source) : null],
        ["score", d.lowered_by ? t("lowered") : null]]));
    case "claims": {
      const url = safeURL(d.url);
      return el("div", { class: "card factcheck", "data-kind": "claims" }, el("h4", {}, t("factcheck"), " · ", t("score"), " ", num(Number(s.score) || 0, 2)), dl([
        ["claim_text", d.claim], ["rating", d.rating_text || d.rating], ["correction", d.correction], ["publisher", d.publisher]]),
        url ? el("p", {}, el("a", { href: url, rel: "noopener noreferrer", target: "_blank", dir: "ltr" }, t("read_factcheck"))) : null);
    }
    case "finance":
      return el("div", { class: "card finance", "data-kind": "finance" }, head,
        el("h4", {}, t("identifiers")),
        el("ul", {}, ...(d.identifiers || []).map((id) => el("li", { class: "identifier" },
          el("strong", {}, name("id", id.type)), id.detail ? " (" + id.detail + ")" : "", " ", ltr(id.value || id.text || ""), " ",
          el("span", { class: id.valid ? "ok" : "bad" }, id.valid ? "✓ " + t("valid") : "✗ " + t("invalid")), id.reason ? " · " + id.reason : ""))),
        ...(d.sanctions_wallets || []).concat(d.sanctions_names || []).map((h) => el("p", { class: "bad" },
          t("sanctions_hit"), ": ", ltr(h.list + (h.list_date ? " " + h.list_date : "")), " · ", h.entry, h.wallet ? el("span", {}, " · ", ltr(h.wallet)) : "")));
    case "hashmatch": {
      const pdq = d.type === "pdq";
      return el("div", { class: "card hash", "data-kind": "hashmatch" }, head, dl([
        ["bank", d.bank ? ltr(d.bank) : null], ["entry", d.entry ? ltr(d.entry) : null], ["hash_type", d.type ? ltr(String(d.type).toUpperCase()) : null],
        ["distance", pdq && d.distance != null ? t("distance_bits").replace("{n}", num(d.distance)) : null],
        ["similarity", d.similarity > 0 ? num(d.similarity * 100, 0) + " %" : null],
        ["transform", d.transform ? ltr(d.transform) : null], ["source", d.source ? ltr(d.source) : null]]),
        el("p", { class: "hint" }, t("image_not_kept")));
    }
  }
  return el("div", { class: "card", "data-kind": s.detector }, head, s.evidence ? el("q", { dir: "auto" }, s.evidence) : null);
}

let caseSeq = 0;

async function openCase(id) {
  const gen = session, seq = ++caseSeq;
  const [d, refs] = await Promise.all([
    api("GET", "/v1/cases/" + id),
    // Referrals are optional (a server without them answers not_configured).
    api("GET", "/v1/referrals?case_id=" + id).then((r) => r.referrals || []).catch(() => []),
  ]);
  if (gen !== session || seq !== caseSeq) return;
  current = d.case;
  const c = d.case;
  const parts = [
    el("h2", {}, sevBadge(c.severity), " ", name("cat", c.category), " ", el("bdi", {}, "#" + c.id), " · ", el("span", { id: "case-status" }, name("status", c.status))),
    meta(plural("n_posts", c.count), el("span", {}, t("platforms"), ": ", ltr((c.platforms || []).join(", "))),
      el("span", {}, t("first_seen"), " ", date(c.first_seen)), el("span", {}, t("last_seen"), " ", date(c.last_seen)),
      c.assignee ? el("span", {}, t("lease"), " ", ltr(c.assignee)) : null),
  ];
  // Only the steps the case's status allows.
  if (c.status === "new" || c.status === "appealed") {
    parts.push(el("div", { class: "toolbar" }, el("button", { id: "claim-btn", type: "button", class: "primary", onclick: () => act("POST", `/v1/cases/${c.id}/claim`) }, t("claim"))));
  } else if (c.status === "in_review") {
    parts.push(el("div", { class: "toolbar" }, el("button", { id: "release-btn", type: "button", onclick: () => act("POST", `/v1/cases/${c.id}/release`) }, t("release"))));
  }
  parts.push(el("h3", {}, t("posts"), " · ", t("evidence")));
  for (const p of d.posts) parts.push(postBox(p));
  if (c.status === "in_review") parts.push(decisionForm(c));
  const last = d.decisions[d.decisions.length - 1];
  if (c.status === "decided" && last && last.action === "refer") parts.push(el("p", { class: "note" }, refs.length ? t("waiting_delivery") : t("no_platform")));
  if (c.status === "actioned" || c.status === "dismissed") parts.push(appealForm(c));
  parts.push(el("h3", {}, t("referrals")),
    refs.length ? el("table", { class: "rows", id: "referrals" }, el("tbody", {}, ...refs.map(referralRow))) : el("p", { class: "hint" }, t("no_referrals")),
    el("h3", {}, t("history")),
    d.decisions.length ? el("table", { class: "rows", id: "history" }, el("tbody", {}, ...d.decisions.map((x) => el("tr", { class: x.action === "appeal" ? "appeal" : "" },
      el("td", {}, date(x.at)), el("td", {}, ltr(x.actor)), el("td", {}, name("action", x.action)), el("td", { dir: "auto" }, x.rationale))))) : el("p", { class: "hint" }, t("no_history")));
  $("case").replaceChildren(...parts);
  // A referral is on its way: look again shortly, so the analyst sees it
  // sent and the case actioned without reloading.
  if (c.status === "decided" && last && last.action === "refer") {
    setTimeout(() => { if (gen === session && current && current.id === c.id) openCase(c.id).catch(() => {}); }, 1500);
  }
  document.querySelectorAll("#cases li").forEach((li) => li.classList.toggle("active", li.firstChild && li.firstChild.dataset.case === String(c.id)));
}

// postBox shows a post of a case: where it stands at its source (removed,
// edited), its text with the spans of the signals found on that text, the
// earlier texts of an edited post with the spans found on each, and an
// evidence card per signal.
function postBox(p) {
  const spansOf = (v) => p.signals.filter((s) => (s.version || 1) === v).flatMap((s) => s.spans || []);
  const version = p.version || 1;
  return el("div", { class: "post" },
    meta(ltr(p.platform || ""), ltr(p.id), p.lang ? el("span", {}, t("post_lang"), ": ", shown(name("lang", p.lang))) : null, p.url ? ltr(p.url) : null),
    p.removed_at ? el("div", { class: "removed" }, meta(t("removed_at_source"), date(p.removed_at), p.removed_reason ? el("bdi", {}, shown(p.removed_reason)) : null)) : null,
    p.edited_at ? meta(t("edited") + " (v" + num(version) + ")", date(p.edited_at)) : null,
    el("div", { class: "text", dir: "auto" }, ...highlight(p.text, spansOf(version))),
    ...(p.versions || []).map((v) => el("div", { class: "earlier" },
      meta(t("earlier_text") + " (v" + num(v.version) + ")"),
      el("div", { class: "text", dir: "auto" }, ...highlight(v.text, spansOf(v.version))))),
    ...p.signals.map(evidence));
}

function decisionForm(c) {
  const action = el("select", { id: "decision-action" }, ...["refer", "debunk", "dismiss", "escalate"].map((a) => el("option", { value: a }, name("action", a))));
  const rationale = el("textarea", { id: "decision-rationale", required: true });
  return el("form", { class: "decide", onsubmit: (e) => { e.preventDefault(); act("POST", `/v1/cases/${c.id}/decision`, { action: action.value, rationale: rationale.value }); } },
    el("h3", {}, t("decision")), el("label", { for: "decision-action", class: "sr" }, t("decision")), action,
    el("label", { for: "decision-rationale" }, t("rationale")), rationale,
    el("button", { id: "decide-btn", class: "primary", type: "submit" }, t("decide")));
}

function appealForm(c) {
  const reason = el("textarea", { id: "appeal-reason", required: true });
  return el("form", { class: "appeal", onsubmit: (e) => { e.preventDefault(); act("POST", `/v1/cases/${c.id}/appeal`, { reason: reason.value }); } },
    el("h3", {}, t("appeal_title")), el("label", { for: "appeal-reason" }, t("appeal_reason")), reason,
    el("button", { id: "appeal-btn", class: "primary", type: "submit" }, t("appeal")));
}

function referralRow(r) {
  const overdue = r.status === "sent" && r.deadline && new Date(r.deadline) < new Date();
  return el("tr", { "data-status": r.status }, el("td", {}, ltr(r.platform)), el("td", {}, name("ref", r.status), overdue ? " · " + t("overdue") : ""),
    el("td", {}, plural("n_attempts", r.attempts)), el("td", {}, r.deadline ? el("span", {}, t("deadline"), " ", date(r.deadline)) : ""),
    el("td", { dir: "auto" }, r.answer ? t("answer") + ": " + r.answer : ""));
}

async function act(method, path, body) {
  try {
    const r = await api(method, path, body);
    flash(t("saved"));
    const id = (r && r.id) || (current && current.id);
    await Promise.all([id ? openCase(id) : null, loadQueue()]);
  } catch (e) { flash(errText(e)); }
}

async function start() {
  const res = await fetch("messages.json");
  M = await res.json();
  if (!M[lang]) lang = "ar";
  applyLang();
  $("lang").addEventListener("change", (e) => {
    lang = e.target.value; localStorage.setItem("basira.lang", lang); applyLang();
    if (!token) return;
    loadQueue().catch((err) => flash(errText(err)));
    if (current) openCase(current.id).catch((err) => flash(errText(err)));
  });
  $("login-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()).catch((err) => { $("login-error").textContent = errText(err); }); });
  $("logout").addEventListener("click", () => signOut());
  $("refresh").addEventListener("click", () => loadQueue().catch((e) => flash(errText(e))));
  $("status-filter").addEventListener("change", () => loadQueue().catch((e) => flash(errText(e))));
  $("category-filter").addEventListener("change", () => loadQueue().catch((e) => flash(errText(e))));
  $("next").addEventListener("click", () => act("POST", "/v1/cases/next"));
  // Keyboard: n next case, c claim, r release, d write the decision,
  // a write an appeal; never while typing.
  document.addEventListener("keydown", (e) => {
    if (!token || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    const target = { n: "next", c: "claim-btn", r: "release-btn", d: "decision-rationale", a: "appeal-reason" }[e.key];
    const node = target && $(target);
    if (!node) return;
    e.preventDefault();
    if (node.tagName === "BUTTON") node.click(); else node.focus();
  });
  // A sign-in link (serve --demo prints one) carries the token in the
  // fragment: take it, and wipe it from the address bar and history.
  const m = /^#token=([\w.~-]+)$/.exec(location.hash);
  if (m) { token = m[1]; history.replaceState(null, "", location.pathname + location.search); }
  if (token) signIn(token).catch(() => signOut()); else signOut();
}

document.addEventListener("DOMContentLoaded", () => { start(); });
