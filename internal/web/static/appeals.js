// Appeals: the cases appealed and waiting for another review, each with
// the reason given and the decision it contests.
import { t, name } from "./i18n.js";
import { el, ltr, date, sevBadge, table } from "./dom.js";
import { api } from "./api.js";
import { registerPage, ticket } from "./shell.js";

registerPage("appeals", {
  nav: "nav.appeals",
  async render(view) {
    const stale = ticket();
    const data = await api("GET", "/v1/cases?status=appealed&limit=100");
    const details = await Promise.all(data.cases.map((c) => api("GET", "/v1/cases/" + c.id)));
    if (stale()) return;
    view.append(el("h2", {}, t("nav.appeals")));
    if (!details.length) { view.append(el("p", { class: "hint" }, t("no_appeals"))); return; }
    view.append(table("appeals", ["case", "appeal_reason_short", "contested", "when"], details.map((d) => {
      const appeal = d.decisions.filter((x) => x.action === "appeal").pop();
      const contested = d.decisions.filter((x) => x.action !== "appeal" && (!appeal || x.at <= appeal.at)).pop();
      return el("tr", { "data-case": d.case.id },
        el("td", {}, el("a", { href: `#/queue?status=appealed&case=${d.case.id}` }, sevBadge(d.case.severity), " ", name("cat", d.case.category), " ", el("bdi", {}, "#" + d.case.id))),
        el("td", { dir: "auto" }, appeal ? appeal.rationale : ""),
        el("td", {}, contested ? el("span", {}, name("action", contested.action), " · ", ltr(contested.actor), el("br"), el("q", { dir: "auto" }, contested.rationale)) : ""),
        el("td", {}, appeal ? date(appeal.at) : ""));
    })));
  },
});
