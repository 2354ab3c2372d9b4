// The rumour desk: emerging claims the service regroups every minute
// (GET /v1/claims/trending), fastest-growing first, unchecked ones marked.
// A claim shows its spread (posts, sources, platforms, last hour), example
// posts and the published debunk it repeats, if any; an analyst opens its
// review case from here, or writes the debunk for that case.
import { t, plural, num, name } from "./i18n.js";
import { el, ltr, date, meta, safeURL } from "./dom.js";
import { api } from "./api.js";
import { registerPage, ticket, session, go } from "./shell.js";

function card(c, canOpen) {
  const head = el("h3", {},
    c.debunk ? el("span", { class: "badge checked" }, t("desk.checked")) : el("span", { class: "badge unchecked" }, t("desk.unchecked")),
    " ", plural("n_posts", c.posts), " · ", plural("n_sources", c.sources));
  const spread = meta(
    t("desk.last_hour", { n: num(c.recent) }),
    t("desk.per_hour", { n: num(Math.round(c.per_hour * 10) / 10) }),
    el("span", {}, (c.platforms || []).map((p) => name("platform", p)).join(" · ")),
    el("span", {}, date(c.first), " – ", date(c.last)));
  const samples = el("ul", { class: "samples" }, ...(c.samples || []).map((s) =>
    el("li", { dir: "auto" }, s.text)));
  const parts = [head, spread, samples];
  if (c.debunk) {
    const d = c.debunk;
    const url = safeURL(d.url);
    parts.push(el("div", { class: "debunk-card" },
      el("strong", {}, t("desk.repeats")), " ",
      el("bdi", { dir: "auto" }, d.claim || d.claim_id), " ",
      d.rating ? el("span", { class: "badge" }, name("rating", d.rating)) : "",
      d.correction ? el("p", { dir: "auto" }, d.correction) : "",
      url ? el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, ltr(url)) : ""));
  }
  const actions = el("div", { class: "actions" });
  if (c.case_id) {
    actions.append(el("a", { href: `#/queue?status=all&case=${c.case_id}` }, t("desk.see_case", { n: "#" + c.case_id })));
  } else if (canOpen) {
    const b = el("button", { type: "button", "data-key": c.key }, t("desk.open_case"));
    b.addEventListener("click", async () => {
      b.disabled = true;
      const r = await api("POST", `/v1/claims/trending/${encodeURIComponent(c.key)}/case`);
      go("queue", { status: "all", case: r.case.id });
    });
    actions.append(b);
  }
  return el("article", { class: "cluster", "data-key": c.key, "data-checked": c.debunk ? "yes" : "no" }, ...parts, actions);
}

registerPage("desk", {
  nav: "nav.desk",
  roles: ["analyst", "viewer"],
  async render(view) {
    const stale = ticket();
    const data = await api("GET", "/v1/claims/trending?limit=100");
    if (stale()) return;
    const cs = data.clusters || [];
    view.append(el("h2", {}, t("nav.desk")), el("p", { class: "hint" }, t("desk.help")));
    if (!cs.length) { view.append(el("p", { class: "hint", id: "desk-empty" }, t("desk.none"))); return; }
    view.append(el("p", {}, plural("n_unchecked", data.unchecked || 0)));
    const canOpen = session.role === "analyst" || session.role === "admin";
    view.append(el("div", { id: "desk" }, ...cs.map((c) => card(c, canOpen))));
  },
});
