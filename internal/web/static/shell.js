// The shell every page lives in: sign-in and sign-out, the navigation, the
// hash router ("#/queue?status=new", "#/dashboard") and the keyboard.
// A page is a module that calls registerPage; app.js imports the pages
// (a new page, e.g. debunk.js, is one import there).
import { prefs, t, ids, name, savePrefs, languages } from "./i18n.js";
import { $, el, clearFlash, flash } from "./dom.js";
import { api, setCSRF, whenSignedOut, errText } from "./api.js";

const pages = new Map(); // id → {nav, roles, render, keys}
export const session = { name: "", role: "", gen: 0 }; // gen grows on sign-out and navigation

// registerPage adds a page: nav is the message key of its link (none: not
// in the navigation), roles the roles that see it (none: everyone),
// render(view, params) draws it into view, keys maps keyboard keys to
// functions while it shows.
export function registerPage(id, page) { pages.set(id, page); }

// route reads the page and its parameters from the address.
function route() {
  const m = /^#\/([\w-]+)(?:\?(.*))?$/.exec(location.hash);
  const id = m && pages.has(m[1]) ? m[1] : "queue";
  return { id, params: new URLSearchParams(m ? m[2] || "" : "") };
}

// go changes the page or its parameters (kept in the address, so a
// language switch, a reload or the back button keep them).
export function go(id, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v != null && v !== "") q.set(k, v);
  const hash = "#/" + id + (String(q) ? "?" + q : "");
  if (location.hash === hash) render(); else location.hash = hash;
}
export const currentParams = () => route().params;

// stale tells an answer it arrived for a screen no longer shown.
export const ticket = () => { const g = session.gen; return () => g !== session.gen; };

const allowed = (p) => !p.roles || session.role === "admin" || p.roles.includes(session.role);

function drawNav(active) {
  const links = [];
  for (const [id, p] of pages) {
    if (!p.nav || !allowed(p)) continue;
    links.push(el("li", {}, el("a", { href: "#/" + id, "aria-current": id === active ? "page" : null, "data-page": id }, t(p.nav))));
  }
  $("nav-pages").replaceChildren(...links);
}

export async function render() {
  if (!session.name) return;
  session.gen++;
  const { id, params } = route();
  const page = pages.get(id);
  drawNav(id);
  const view = $("view");
  view.replaceChildren();
  view.dataset.page = id;
  if (!allowed(page)) { view.append(el("p", { class: "error" }, t("err.forbidden"))); return; }
  document.title = t(page.nav || "app_name") + " — " + t("app_name");
  // Coming from the navigation, the keyboard continues in the page.
  const fromNav = document.activeElement && document.activeElement.closest && document.activeElement.closest("#nav");
  try { await page.render(view, params); } catch (e) { flash(errText(e)); }
  if (fromNav) view.focus();
}

function applyLang() {
  document.documentElement.lang = prefs.lang;
  document.documentElement.dir = prefs.lang === "ar" ? "rtl" : "ltr";
  $("lang").value = prefs.lang;
  $("digits").value = prefs.digits;
  $("digits-wrap").hidden = prefs.lang !== "ar";
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  document.querySelectorAll("[data-t-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.tPlaceholder); });
}

function showSignedIn() {
  $("login").hidden = true; $("app").hidden = false; $("account").hidden = false;
  $("whoami").textContent = session.name + " · " + name("role", session.role);
}

// signOut ends the session on the server (when ended is false) and wipes
// every trace of the work from the screen and the browser's storage.
export async function signOut(msg, ended) {
  const wasIn = !!session.name;
  session.gen++;
  session.name = ""; session.role = "";
  if (wasIn && !ended) await api("DELETE", "/v1/session").catch(() => {});
  setCSRF("");
  sessionStorage.clear();
  savePrefs(); // Clear-Site-Data dropped them too; the screen's language stays
  $("view").replaceChildren(); $("nav-pages").replaceChildren(); $("whoami").textContent = "";
  clearFlash();
  $("login-form").reset();
  $("app").hidden = true; $("account").hidden = true; $("login").hidden = false;
  $("login-error").textContent = msg || "";
  history.replaceState(null, "", location.pathname);
  document.title = t("app_name");
}

async function signedIn(s) {
  session.name = s.name; session.role = s.role;
  setCSRF(s.csrf);
  $("login-error").textContent = "";
  $("login-form").reset();
  showSignedIn();
  await render();
}

// Keyboard: a page's keys, then "?" for help; never while typing.
document.addEventListener("keydown", (e) => {
  if (!session.name || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
  const page = pages.get(route().id);
  const fn = page && page.keys && page.keys[e.key];
  if (fn) { e.preventDefault(); fn(e); }
});

export async function start() {
  const { loadCatalogue } = await import("./i18n.js");
  await loadCatalogue();
  $("lang").replaceChildren(...languages().map((l) => el("option", { value: l }, name("langname", l))));
  applyLang();
  whenSignedOut((msg) => signOut(msg, true));
  $("lang").addEventListener("change", (e) => { prefs.lang = e.target.value; savePrefs(); applyLang(); if (session.name) { showSignedIn(); render(); } });
  $("digits").addEventListener("change", (e) => { prefs.digits = e.target.value; savePrefs(); if (session.name) render(); });
  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      await signedIn(await api("POST", "/v1/session", { name: f.elements.name.value.trim(), password: f.elements.password.value }));
    } catch (err) { f.elements.password.value = ""; $("login-error").textContent = errText(err); }
  });
  $("logout").addEventListener("click", () => signOut());
  window.addEventListener("hashchange", () => render());
  // A one-time sign-in link (serve --demo prints one) carries its secret
  // in the fragment: take it, and wipe it from the address bar and history.
  const m = /^#link=([\w-]+)$/.exec(location.hash);
  if (m) {
    history.replaceState(null, "", location.pathname);
    try { return await signedIn(await api("POST", "/v1/session", { link: m[1] })); } catch (err) { return signOut(errText(err), true); }
  }
  const s = await api("GET", "/v1/session").catch(() => ({}));
  if (s.signed_in && s.kind === "session") return signedIn(s);
  return signOut("", true);
}

// fillSelect lists the ids of a kind from the catalogue after an "all"
// option, keeping value.
export function fillSelect(sel, kind, allKey, value, extra) {
  const list = [...new Set([...ids(kind), ...(extra || [])])];
  sel.replaceChildren(el("option", { value: "" }, t(allKey)), ...list.map((id) => el("option", { value: id }, name(kind, id))));
  sel.value = value || "";
}
