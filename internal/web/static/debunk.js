// Debunk desk of the workspace: write a debunk (from the case on screen
// or free-standing), approve another analyst's draft, publish it on the
// public site, correct it later. It is a client of /v1/debunks like any
// other, a page of the shell (registerPage) with a box on the case view
// (onCaseShown); its words are in the catalogue (messages.json) under
// "debunk.".
import { t, name } from "./i18n.js";
import { $, el, ltr, flash } from "./dom.js";
import { api, errText } from "./api.js";
import { registerPage, session, go } from "./shell.js";
import { onCaseShown } from "./case.js";

  const w = (k) => t(`debunk.${k}`);
  const SCALE = ["false", "misleading", "unproven", "partly-true", "true"];
  const LANGS = ["ar", "fr", "en"];
  let panel, button, selected = 0;
  let me = ""; // the caller as the audit log names it (role:name)

  // The page: the list and the detail; ?case=N opens the form for that case.
  registerPage("debunks", {
    nav: "nav.debunks",
    roles: ["analyst", "viewer"],
    async render(view, params) {
      panel = view;
      me = session.role + ":" + session.name;
      await list();
      const c = Number(params.get("case")) || 0;
      if (c) form(null, c);
    },
  });
  const hide = () => go("queue");

  const fail = (e) => flash(e && e.code === "forbidden" ? w("four_eyes") : errText(e));

  async function list() {
    const data = await api("GET", "/v1/debunks?limit=200").catch((e) => { fail(e); return null; });
    if (!data) return;
    const items = data.debunks.map((d) => {
      const v = d.versions[d.versions.length - 1];
      const ar = v.content.texts.ar || {};
      return el("li", {}, el("button", { type: "button", "data-debunk": d.id, onclick: () => open(d.id) },
        el("strong", {}, name("rating", v.content.rating)), " ", el("bdi", {}, "#" + d.id), " · ", w("st." + d.status), el("div", { dir: "auto" }, ar.claim || "")));
    });
    panel.replaceChildren(el("section", { id: "debunks" },
      el("div", { class: "toolbar" }, el("h2", {}, w("debunks")),
        el("button", { id: "debunk-new", type: "button", class: "primary", onclick: () => form(null, 0) }, w("new_debunk")),
        el("button", { id: "debunk-close", type: "button", onclick: hide }, w("back"))),
      el("div", { class: "debunk-grid" },
        el("ul", { id: "debunk-list" }, ...(items.length ? items : [el("li", { class: "hint" }, w("none"))])),
        el("div", { id: "debunk-detail" }))));
    if (selected) open(selected);
  }

  async function open(id) {
    selected = id;
    let d;
    try { d = await api("GET", "/v1/debunks/" + id); } catch (e) { fail(e); return; }
    const v = d.versions[d.versions.length - 1];
    const buttons = [];
    const step = (op, label, cls) => el("button", { id: "debunk-" + op, type: "button", class: cls || "", onclick: () => act(d.id, op) }, w(label));
    if (d.status === "draft" || d.status === "approved") buttons.push(el("button", { id: "debunk-edit", type: "button", onclick: () => form(d, 0, false) }, w("edit")));
    // Four eyes: an editor of the version is not offered its approval
    // (the API refuses it anyway).
    if (d.status === "draft" && me && v.editors.includes(me)) buttons.push(el("span", { id: "debunk-four-eyes", class: "hint" }, w("four_eyes")));
    else if (d.status === "draft") buttons.push(step("approve", "approve", "primary"));
    if (d.status === "approved") buttons.push(step("publish", "publish", "primary"));
    if (d.status === "published") buttons.push(el("button", { id: "debunk-correct", type: "button", onclick: () => form(d, 0, true) }, w("correct")));
    const pages = Object.entries(d.pages || {}).map(([l, u]) => el("li", {}, el("a", { href: u, hreflang: l, target: "_blank", rel: "noopener" }, w("l." + l))));
    const texts = LANGS.filter((l) => v.content.texts[l]).map((l) => {
      const x = v.content.texts[l];
      return el("div", { class: "post", lang: l, dir: l === "ar" ? "rtl" : "ltr" }, el("h4", {}, w("l." + l)),
        el("p", {}, el("strong", {}, x.claim)), el("p", { class: "text" }, x.truth), x.evidence ? el("p", { class: "meta" }, x.evidence) : null);
    });
    const det = el("div", {},
      el("h3", {}, el("span", { class: "rating r-" + v.content.rating }, name("rating", v.content.rating)), " ", el("bdi", {}, "#" + d.id), " · ",
        el("span", { id: "debunk-status" }, w("st." + d.status))),
      el("div", { class: "meta" }, el("span", {}, w("version"), " ", String(v.n)), el("span", {}, w("editors"), ": ", ltr(v.editors.join(", "))),
        v.approved_by ? el("span", {}, w("approved_by"), ": ", ltr(v.approved_by)) : null, d.case_id ? el("span", {}, "case #" + d.case_id) : null),
      el("p", { id: "debunk-matches", class: "meta" }, w("matched_before"), ": ", String(d.matches.before), " · ", w("matched_after"), ": ", String(d.matches.after)),
      el("div", { class: "toolbar" }, ...buttons),
      pages.length ? el("div", {}, el("h4", {}, w("public")), el("ul", { id: "debunk-pages" }, ...pages)) : null,
      ...texts,
      ...d.versions.filter((x) => x.note).map((x) => el("p", { class: "note" }, w("version"), " ", String(x.n), ": ", el("span", { dir: "auto" }, x.note))));
    const box = $("debunk-detail");
    if (box) box.replaceChildren(det);
  }

  async function act(id, op) {
    try { await api("POST", `/v1/debunks/${id}/${op}`); flash(w("saved")); } catch (e) { fail(e); }
    await list();
  }

  // form writes a new debunk (d null), edits a draft, or corrects a
  // published one.
  function form(d, caseID, correcting) {
    const v = d ? d.versions[d.versions.length - 1] : null;
    const c = v ? v.content : { rating: "false", texts: {}, sources: [] };
    const rating = el("select", { id: "debunk-rating" }, ...SCALE.map((r) => el("option", { value: r }, name("rating", r))));
    rating.value = c.rating;
    const field = (id, label, value, area) => [el("label", { for: id }, label),
      el(area ? "textarea" : "input", { id, dir: "auto", ...(area ? {} : { type: "text" }) })].map((n) => { if (n.tagName !== "LABEL") n.value = value || ""; return n; });
    const sets = LANGS.map((l) => {
      const x = c.texts[l] || {};
      return el("fieldset", { lang: l, dir: l === "ar" ? "rtl" : "ltr" }, el("legend", {}, w("l." + l), l === "ar" ? "" : " " + w("optional")),
        ...field(`debunk-${l}-claim`, w("claim"), x.claim, true), ...field(`debunk-${l}-truth`, w("truth"), x.truth, true),
        ...field(`debunk-${l}-evidence`, w("evidence"), x.evidence, true), ...field(`debunk-${l}-reply`, w("reply"), x.reply, false));
    });
    const sources = field("debunk-sources", w("sources"), (c.sources || []).map((s) => s.url + (s.title ? " " + s.title : "")).join("\n"), true);
    const caseField = d ? [] : field("debunk-case", w("case_id"), caseID ? String(caseID) : "", false);
    const note = correcting || (v && v.n > 1) ? field("debunk-note", w("note"), v && v.n > 1 && !correcting ? v.note : "", true) : [];
    const submit = async (e) => {
      e.preventDefault();
      const val = (id) => ($(id) ? $(id).value.trim() : "");
      const texts = {};
      for (const l of LANGS) {
        const x = { claim: val(`debunk-${l}-claim`), truth: val(`debunk-${l}-truth`), evidence: val(`debunk-${l}-evidence`), reply: val(`debunk-${l}-reply`) };
        if (l === "ar" || x.claim || x.truth) texts[l] = x;
      }
      const srcs = val("debunk-sources").split("\n").map((s) => s.trim()).filter(Boolean).map((s) => {
        const i = s.search(/\s/);
        return i < 0 ? { url: s } : { url: s.slice(0, i), title: s.slice(i + 1).trim() };
      });
      const body = { content: { rating: rating.value, texts, sources: srcs }, note: val("debunk-note") };
      try {
        let r;
        if (!d) r = await api("POST", "/v1/debunks", { ...body, case_id: Number(val("debunk-case")) || 0 });
        else if (correcting) r = await api("POST", `/v1/debunks/${d.id}/corrections`, body);
        else r = await api("PUT", `/v1/debunks/${d.id}`, { ...body, rev: d.rev });
        selected = r.id;
        flash(w("saved"));
        await list();
      } catch (err) { fail(err); }
    };
    const f = el("form", { id: "debunk-form", class: "decide", onsubmit: submit },
      el("h3", {}, d ? (correcting ? w("correct") : w("edit")) + " #" + d.id : w("new_debunk")),
      ...caseField, el("label", { for: "debunk-rating" }, w("rating")), rating, ...sets, ...sources, ...note,
      el("button", { id: "debunk-save", type: "submit", class: "primary" }, w("save")));
    const box = $("debunk-detail");
    if (box) box.replaceChildren(f);
  }

  // caseBox adds to the case on screen the replies its posts' fact-checks
  // suggest and a way to write a debunk of it.
  onCaseShown(async (c, pane, stale) => {
    const data = await api("GET", `/v1/cases/${c.id}/reply`).catch(() => null);
    if (stale() || $("debunk-case-box")) return;
    const sugg = (data && data.suggestions) || [];
    const box = el("div", { id: "debunk-case-box", class: "note" },
      sugg.length ? el("h3", {}, w("replies")) : null,
      ...sugg.flatMap((s) => s.replies.map((r) => el("p", { lang: r.lang || "", dir: "auto" }, r.text, " ", r.url ? el("a", { href: r.url, target: "_blank", rel: "noopener" }, ltr(r.url)) : null))),
      el("button", { id: "debunk-from-case", type: "button", onclick: () => go("debunks", { case: c.id }) }, w("write_for_case")));
    pane.append(box);
  });
