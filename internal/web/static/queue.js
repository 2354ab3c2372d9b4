// The queue: filters (status, category, severity, language, platform,
// text), pages of 50, and the case beside it. Everything is reachable by
// keyboard: j/k move in the list, Enter opens, n takes the next case,
// c claims, r releases, d writes the decision, a the appeal, / searches,
// [ and ] turn pages.
import { t, name, plural } from "./i18n.js";
import { $, el, ltr, date, meta, sevBadge, flash } from "./dom.js";
import { api, errText } from "./api.js";
import { registerPage, go, currentParams, ticket, fillSelect } from "./shell.js";
import { renderCase } from "./case.js";

const PAGE = 50;
const FILTERS = ["status", "category", "severity", "lang", "platform", "q"];

function filtersOf(params) {
  const f = {};
  for (const k of FILTERS) f[k] = params.get(k) || "";
  if (!params.has("status")) f.status = "new";
  f.page = Math.max(1, Number(params.get("page")) || 1);
  f.case = params.get("case") || "";
  return f;
}

// update changes some filters and goes back to page 1 (unless given).
function update(change) {
  const f = { ...filtersOf(currentParams()), page: 1, ...change };
  const params = {};
  for (const k of FILTERS) params[k] = f[k];
  if (!f.status) params.status = "all";
  if (f.page > 1) params.page = f.page;
  if (f.case) params.case = f.case;
  go("queue", params);
}

async function render(view, params) {
  const f = filtersOf(params);
  if (f.status === "all") f.status = "";
  const stale = ticket();
  const sel = (id, key) => el("label", { class: "field" }, el("span", {}, t(key)), el("select", { id, name: id }));
  const search = el("input", { id: "search", name: "q", type: "search", value: f.q, dir: "auto", placeholder: t("search_placeholder") });
  const platform = el("input", { id: "platform-filter", name: "platform", value: f.platform, dir: "ltr", list: "platforms-seen", autocomplete: "off" });
  const form = el("form", { class: "filters", role: "search", "aria-label": t("filters") },
    sel("status-filter", "filter_status"), sel("category-filter", "filter_category"), sel("severity-filter", "filter_severity"), sel("lang-filter", "filter_lang"),
    el("label", { class: "field" }, el("span", {}, t("filter_platform")), platform, el("datalist", { id: "platforms-seen" })),
    el("label", { class: "field grow" }, el("span", {}, t("search")), search),
    el("button", { type: "submit" }, t("apply")));
  const list = el("ul", { id: "cases", "aria-label": t("queue") });
  const pane = el("article", { id: "case", "aria-live": "polite" });
  const pager = el("nav", { class: "pager", "aria-label": t("pages") });
  view.append(el("div", { class: "split" },
    el("aside", { id: "queue" }, el("h2", { class: "sr" }, t("queue")), form,
      el("div", { class: "toolbar" },
        el("button", { id: "next", type: "button", class: "primary", onclick: next }, t("next_case"), el("kbd", {}, "n")),
        el("button", { id: "refresh", type: "button", onclick: () => load() }, t("refresh"))),
      el("p", { id: "queue-count", class: "meta", role: "status" }), list, pager),
    pane));
  fillSelect($("status-filter"), "status", "all_statuses", f.status);
  fillSelect($("category-filter"), "cat", "all_categories", f.category);
  fillSelect($("severity-filter"), "sev", "all_severities", f.severity);
  fillSelect($("lang-filter"), "lang", "all_languages", f.lang);
  $("severity-filter").querySelector('option[value="none"]')?.remove();
  for (const id of ["status-filter", "category-filter", "severity-filter", "lang-filter"]) {
    $(id).addEventListener("change", (e) => update({ [e.target.name.replace("-filter", "")]: e.target.value }));
  }
  platform.addEventListener("change", () => update({ platform: platform.value.trim() }));
  form.addEventListener("submit", (e) => { e.preventDefault(); update({ q: search.value.trim(), platform: platform.value.trim() }); });

  const open = async (id) => {
    list.querySelectorAll("li").forEach((li) => li.classList.toggle("active", li.dataset.case === String(id)));
    try { await renderCase(pane, id, () => load()); } catch (e) { flash(errText(e)); }
  };
  async function load() {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String((f.page - 1) * PAGE) });
    for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
    const data = await api("GET", "/v1/cases?" + q);
    if (stale()) return;
    const langs = data.langs || {};
    $("queue-count").textContent = plural("n_cases", data.cases.length + (f.page - 1) * PAGE) + (data.more ? "+" : "");
    $("platforms-seen").replaceChildren(...[...new Set(data.cases.flatMap((c) => c.platforms || []))].map((p) => el("option", { value: p })));
    if (!data.cases.length) list.replaceChildren(el("li", { class: "hint" }, t("no_cases")));
    else list.replaceChildren(...data.cases.map((c) => el("li", { class: String(c.id) === f.case ? "active" : "", "data-case": c.id },
      el("button", { type: "button", "data-case": c.id, onclick: () => { f.case = String(c.id); remember(c.id); open(c.id); } },
        sevBadge(c.severity), " ", el("strong", {}, name("cat", c.category)), " ", el("bdi", {}, "#" + c.id),
        meta(name("status", c.status), plural("n_posts", c.count), langs[c.id] ? name("lang", langs[c.id]) : null, ltr((c.platforms || []).join(", ")), date(c.last_seen))))));
    pager.replaceChildren(
      el("button", { type: "button", id: "prev-page", disabled: f.page <= 1, onclick: () => update({ page: f.page - 1, case: f.case }) }, t("previous")),
      el("span", {}, t("page_n", { n: String(f.page) })),
      el("button", { type: "button", id: "next-page", disabled: !data.more, onclick: () => update({ page: f.page + 1, case: f.case }) }, t("next")));
  }
  async function next() {
    try {
      const c = await api("POST", "/v1/cases/next");
      if (!c) { flash(t("queue_empty")); return; }
      f.case = String(c.id);
      remember(c.id);
      await Promise.all([load(), open(c.id)]);
    } catch (e) { flash(errText(e)); }
  }
  page.next = next;
  await load();
  if (f.case) await open(f.case); else pane.replaceChildren(el("p", { class: "hint" }, t("pick_case")), el("p", { class: "hint" }, t("shortcuts")));
}

// remember keeps the open case in the address without drawing the page
// again (a reload or a language switch opens it again).
function remember(id) {
  const p = currentParams();
  p.set("case", id);
  if (!p.has("status")) p.set("status", "new");
  history.replaceState(null, "", "#/queue?" + p);
}

// move focuses the next (+1) or previous (-1) case of the list.
function move(step) {
  const items = [...document.querySelectorAll("#cases li button")];
  if (!items.length) return;
  const i = items.indexOf(document.activeElement);
  items[Math.min(items.length - 1, Math.max(0, i < 0 ? 0 : i + step))].focus();
}
const press = (id) => () => { const n = $(id); if (n) { if (n.tagName === "BUTTON") n.click(); else n.focus(); } };

const page = {
  nav: "nav.queue",
  render,
  keys: {
    j: () => move(1), k: () => move(-1), n: () => page.next && page.next(),
    c: press("claim-btn"), r: press("release-btn"), d: press("decision-rationale"), a: press("appeal-reason"),
    "/": press("search"), "[": press("prev-page"), "]": press("next-page"),
  },
};
registerPage("queue", page);
