// Basira review screen. Everything goes through the JSON API with the
// analyst's token; post text is only ever inserted as text nodes.
"use strict";

const T = {
  ar: { login_title: "الدخول", login_help: "ألصق رمز الواجهة البرمجية الخاص بك (basira token create --role analyst).", login: "دخول", logout: "خروج",
        next_case: "الحالة التالية", refresh: "تحديث", pick_case: "اختر حالة من القائمة، أو خذ الحالة التالية.",
        claim: "استلام", release: "إرجاع", decide: "قرار", rationale: "التعليل (إلزامي)", posts: "المنشورات", decisions: "القرارات",
        refer: "إحالة إلى المنصة", debunk: "نشر تصحيح", dismiss: "رفض (لا مخالفة)", escalate: "تصعيد",
        all: "الكل", count: "منشورات", no_cases: "لا توجد حالات.", saved: "تم الحفظ", bad_token: "رمز غير صالح.", platforms: "المنصات",
        lease: "مستلمة من", first_seen: "أول ظهور", last_seen: "آخر ظهور", referrals: "الإحالات", no_referrals: "لا إحالات.", removed_at_source: "أزيل من المصدر", edited: "عُدّل", earlier_text: "النص السابق",
        attempts: "محاولات", deadline: "آخر أجل", answer: "جواب المنصة", overdue: "متأخرة" },
  fr: { login_title: "Connexion", login_help: "Collez votre jeton d'API (basira token create --role analyst).", login: "Entrer", logout: "Sortir",
        next_case: "Cas suivant", refresh: "Actualiser", pick_case: "Choisissez un cas dans la liste, ou prenez le suivant.",
        claim: "Prendre", release: "Rendre", decide: "Décider", rationale: "Motif (obligatoire)", posts: "Publications", decisions: "Décisions",
        refer: "Signaler à la plateforme", debunk: "Publier une correction", dismiss: "Classer (pas d'infraction)", escalate: "Escalader",
        all: "Tous", count: "publications", no_cases: "Aucun cas.", saved: "Enregistré", bad_token: "Jeton refusé.", platforms: "Plateformes",
        lease: "Pris par", first_seen: "Vu d'abord", last_seen: "Vu en dernier", referrals: "Signalements", no_referrals: "Aucun signalement.", removed_at_source: "Retiré à la source", edited: "Modifié", earlier_text: "Texte antérieur",
        attempts: "tentatives", deadline: "échéance", answer: "réponse de la plateforme", overdue: "en retard" },
  en: { login_title: "Sign in", login_help: "Paste your API token (basira token create --role analyst).", login: "Sign in", logout: "Sign out",
        next_case: "Next case", refresh: "Refresh", pick_case: "Pick a case from the list, or take the next one.",
        claim: "Claim", release: "Release", decide: "Decide", rationale: "Rationale (required)", posts: "Posts", decisions: "Decisions",
        refer: "Refer to the platform", debunk: "Publish a correction", dismiss: "Dismiss (no violation)", escalate: "Escalate",
        all: "All", count: "posts", no_cases: "No cases.", saved: "Saved", bad_token: "Token refused.", platforms: "Platforms",
        lease: "Held by", first_seen: "First seen", last_seen: "Last seen", referrals: "Referrals", no_referrals: "No referrals.", removed_at_source: "Removed at the source", edited: "Edited", earlier_text: "Earlier text",
        attempts: "attempts", deadline: "deadline", answer: "platform's answer", overdue: "overdue" },
};
// Taxonomy labels and case statuses in each language; unknown ids show as is.
const NAMES = {
  ar: { "violent-extremist-propaganda": "دعاية متطرفة عنيفة", glorification: "تمجيد هجوم", incitement: "تحريض على العنف", recruitment: "تجنيد",
        instructional: "مواد تعليمية", financing: "تمويل الإرهاب", "false-claim": "ادعاء كاذب / إشاعة", benign: "سليم",
        new: "جديدة", in_review: "قيد المراجعة", decided: "تقرر", actioned: "نُفذ", dismissed: "مرفوضة", appealed: "مستأنفة",
        pending: "قيد الإرسال", sent: "أُرسلت", acknowledged: "استُلمت", removed: "حُذف المحتوى", declined: "رُفضت", failed: "فشلت" },
  fr: { "violent-extremist-propaganda": "propagande extrémiste violente", glorification: "apologie d'attentat", incitement: "incitation à la violence",
        recruitment: "recrutement", instructional: "contenu d'instruction", financing: "financement du terrorisme", "false-claim": "fausse information / rumeur",
        benign: "bénin", new: "nouveau", in_review: "en examen", decided: "décidé", actioned: "traité", dismissed: "classé", appealed: "en appel",
        pending: "en attente", sent: "envoyé", acknowledged: "reçu", removed: "retiré", declined: "refusé", failed: "échec" },
  en: {},
};
const name = (id) => (NAMES[lang] && NAMES[lang][id]) || id;
const STATUSES = ["", "new", "in_review", "decided", "actioned", "dismissed", "appealed"];

let lang = localStorage.getItem("basira.lang") || "ar";
let token = sessionStorage.getItem("basira.token") || "";
let current = null;

const $ = (id) => document.getElementById(id);
const t = (k) => (T[lang] && T[lang][k]) || T.en[k] || k;

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
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function applyLang() {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  $("lang").value = lang;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  const sf = $("status-filter"), keep = sf.value || "new";
  sf.replaceChildren(...STATUSES.map((s) => el("option", { value: s }, s ? name(s) : t("all"))));
  sf.value = keep;
}

function flash(msg) {
  const f = $("flash");
  f.textContent = msg; f.classList.add("show");
  setTimeout(() => f.classList.remove("show"), 2500);
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: { "Authorization": "Bearer " + token, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401) { signOut(t("bad_token")); throw new Error("unauthenticated"); }
  if (!res.ok) throw new Error((data && data.error && data.error.message) || res.statusText);
  return data;
}

function signOut(msg) {
  token = ""; sessionStorage.removeItem("basira.token");
  $("app").hidden = true; $("logout").hidden = true; $("login").hidden = false;
  $("login-error").textContent = msg || "";
}

async function signIn(tok) {
  token = tok;
  await api("GET", "/v1/cases?limit=1");
  sessionStorage.setItem("basira.token", tok);
  $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false;
  await loadQueue();
}

async function loadQueue() {
  const status = $("status-filter").value;
  const data = await api("GET", "/v1/cases?limit=200" + (status ? "&status=" + encodeURIComponent(status) : ""));
  const list = $("cases");
  if (!data.cases.length) { list.replaceChildren(el("li", { class: "hint" }, t("no_cases"))); return; }
  list.replaceChildren(...data.cases.map((c) => el("li", { class: current && current.id === c.id ? "active" : "", onclick: () => openCase(c.id) },
    el("span", { class: "sev " + (c.severity || "none") }, c.severity || "-"), " ",
    el("strong", {}, name(c.category)), " #" + c.id,
    el("div", { class: "meta" }, `${name(c.status)} · ${c.count} ${t("count")} · ${(c.platforms || []).map(shown).join(", ")} · ${new Date(c.last_seen).toLocaleString()}`))));
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

function signalLine(s) {
  const details = s.details ? Object.entries(s.details).filter(([, v]) => typeof v !== "object").map(([k, v]) => `${k}=${v}`).join(" ") : "";
  return el("li", {}, el("span", { class: "sev " + (s.severity || "none") }, s.severity || "-"), " ",
    el("strong", {}, name(s.label)), ` · ${s.detector}${s.rule ? "/" + s.rule : ""} · ${Number(s.score).toFixed(2)} `,
    s.evidence ? el("q", {}, s.evidence) : null, details ? el("div", { class: "meta" }, el("code", {}, details)) : null);
}

async function openCase(id) {
  const d = await api("GET", "/v1/cases/" + id);
  // Referrals are optional (a server without platforms answers not_configured).
  const refs = await api("GET", "/v1/referrals?case_id=" + id).then((r) => r.referrals || []).catch(() => []);
  current = d.case;
  const c = d.case, box = $("case");
  const actions = el("div", { class: "toolbar" },
    el("button", { class: "primary", onclick: () => act("POST", `/v1/cases/${c.id}/claim`) }, t("claim")),
    el("button", { onclick: () => act("POST", `/v1/cases/${c.id}/release`) }, t("release")));
  const rationale = el("textarea", { required: "", placeholder: t("rationale") });
  const action = el("select", {}, ...["refer", "debunk", "dismiss", "escalate"].map((a) => el("option", { value: a }, t(a))));
  const form = el("form", { class: "decide", onsubmit: (e) => { e.preventDefault(); act("POST", `/v1/cases/${c.id}/decision`, { action: action.value, rationale: rationale.value }); } },
    el("h3", {}, t("decide")), action, rationale, el("button", { class: "primary", type: "submit" }, t("decide")));
  box.replaceChildren(
    el("h2", {}, el("span", { class: "sev " + (c.severity || "none") }, c.severity || "-"), ` ${name(c.category)} #${c.id} · ${name(c.status)}`),
    el("p", { class: "meta" }, `${c.count} ${t("count")} · ${t("platforms")}: ${(c.platforms || []).map(shown).join(", ")} · ${t("first_seen")} ${new Date(c.first_seen).toLocaleString()} · ${t("last_seen")} ${new Date(c.last_seen).toLocaleString()}`
      + (c.assignee ? ` · ${t("lease")} ${c.assignee}` : "")),
    actions, form,
    el("h3", {}, t("posts")),
    ...d.posts.map(postBox),
    el("h3", {}, t("referrals")),
    refs.length ? el("table", { class: "decisions" }, ...refs.map(referralRow)) : el("p", { class: "hint" }, t("no_referrals")),
    el("h3", {}, t("decisions")),
    el("table", { class: "decisions" }, ...d.decisions.map((x) => el("tr", {}, el("td", {}, new Date(x.at).toLocaleString()), el("td", {}, x.actor), el("td", {}, t(x.action)), el("td", {}, x.rationale)))));
  loadQueue();
}

// postBox shows a post of a case: where it stands at its source (removed,
// edited), its text with the spans of the signals found on that text, and
// the earlier texts of an edited post with the spans found on each.
function postBox(p) {
  const spansOf = (v) => p.signals.filter((s) => (s.version || 1) === v).flatMap((s) => s.spans || []);
  const version = p.version || 1;
  const status = [];
  if (p.removed_at) status.push(el("div", { class: "removed" }, `${t("removed_at_source")} · ${new Date(p.removed_at).toLocaleString()} · ${shown(p.removed_reason)}`));
  if (p.edited_at) status.push(el("div", { class: "meta" }, `${t("edited")} (v${version}) · ${new Date(p.edited_at).toLocaleString()}`));
  return el("div", { class: "post" },
    el("div", { class: "meta" }, `${shown(p.platform)} · ${shown(p.id)} · ${shown(p.lang)} · `, p.url ? el("span", { dir: "ltr" }, shown(p.url)) : ""),
    ...status,
    el("div", { class: "text", dir: "auto" }, ...highlight(p.text, spansOf(version))),
    ...(p.versions || []).map((v) => el("div", { class: "earlier" },
      el("div", { class: "meta" }, `${t("earlier_text")} (v${v.version})`),
      el("div", { class: "text", dir: "auto" }, ...highlight(v.text, spansOf(v.version))))),
    el("ul", { class: "signals" }, ...p.signals.map(signalLine)));
}

function referralRow(r) {
  const overdue = r.status === "sent" && r.deadline && new Date(r.deadline) < new Date();
  return el("tr", {}, el("td", {}, shown(r.platform)), el("td", {}, name(r.status) + (overdue ? ` · ${t("overdue")}` : "")),
    el("td", {}, `${r.attempts} ${t("attempts")}`), el("td", {}, r.deadline ? `${t("deadline")} ${new Date(r.deadline).toLocaleString()}` : ""),
    el("td", {}, r.answer ? `${t("answer")}: ${r.answer}` : (r.last_error || "")));
}

async function act(method, path, body) {
  try {
    const r = await api(method, path, body);
    flash(t("saved"));
    const id = (r && r.case && r.case.id) || (r && r.id) || (current && current.id);
    if (id) await openCase(id); else await loadQueue();
  } catch (e) { flash(e.message); }
}

document.addEventListener("DOMContentLoaded", () => {
  applyLang();
  $("lang").addEventListener("change", (e) => { lang = e.target.value; localStorage.setItem("basira.lang", lang); applyLang(); if (current) openCase(current.id); });
  $("login-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()).catch((err) => { $("login-error").textContent = err.message; }); });
  $("logout").addEventListener("click", () => signOut());
  $("refresh").addEventListener("click", () => loadQueue().catch((e) => flash(e.message)));
  $("status-filter").addEventListener("change", () => loadQueue().catch((e) => flash(e.message)));
  $("next").addEventListener("click", () => act("POST", "/v1/cases/next"));
  if (token) signIn(token).catch(() => signOut()); else signOut();
});
